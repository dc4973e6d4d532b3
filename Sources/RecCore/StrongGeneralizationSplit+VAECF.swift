import Foundation
import TensorCore

extension StrongGeneralizationSplit {
    /// Loads a published vae_cf split folder as is: `train.csv`, `validation_tr.csv`,
    /// `validation_te.csv`, `test_tr.csv`, `test_te.csv` (header `uid,sid`) and `unique_sid.txt`
    /// (one original item id per line, `sid` is its 0-based position). Every file may instead be
    /// gzip-compressed with a `.gz` suffix. As in the notebook's loaders, training rows are
    /// `0...max uid`, and held-out rows are `uid − min uid` over the `_tr`/`_te` pair.
    public static func loadVAECF(folder: String) throws -> StrongGeneralizationSplit {
        func locate(_ name: String) throws -> String {
            let plain = (folder as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: plain) { return plain }
            if FileManager.default.fileExists(atPath: plain + ".gz") { return plain + ".gz" }
            throw DataError.invalidSplitFolder(folder: folder, reason: "missing \(name) (or \(name).gz)")
        }
        let itemsPath = try locate("unique_sid.txt")
        var itemIDs: [Int64] = []
        try LineReader(path: itemsPath).forEachLine { line, number in
            if DelimitedLineParser.isBlank(line) { return }
            guard let id = FieldParsing.integer(line) else {
                throw DataError.invalidIdentifier(file: itemsPath, line: number, text: DataError.excerpt(line),
                                                  value: DataError.excerpt(line))
            }
            itemIDs.append(id)
        }
        if itemIDs.isEmpty { throw DataError.emptyFile(file: itemsPath) }

        let train = try readPairs(try locate("train.csv"), items: itemIDs.count)
        let trainRows = Int((train.map(\.user).max() ?? -1) + 1)
        let trainMatrix = try pairMatrix(train, firstUser: 0, rows: trainRows, items: itemIDs.count,
                                         file: try locate("train.csv"))
        func heldOut(_ prefix: String) throws -> HeldOutUsers {
            let foldInPath = try locate("\(prefix)_tr.csv"), targetPath = try locate("\(prefix)_te.csv")
            let foldIn = try readPairs(foldInPath, items: itemIDs.count)
            let target = try readPairs(targetPath, items: itemIDs.count)
            let all = foldIn.map(\.user) + target.map(\.user)
            let first = all.min() ?? 0, last = all.max() ?? -1
            let rows = Int(last - first + 1)
            return HeldOutUsers(foldIn: try pairMatrix(foldIn, firstUser: first, rows: rows, items: itemIDs.count,
                                                       file: foldInPath),
                                target: try pairMatrix(target, firstUser: first, rows: rows, items: itemIDs.count,
                                                       file: targetPath),
                                userIDs: (0..<rows).map { first + Int64($0) })
        }
        return StrongGeneralizationSplit(train: trainMatrix, trainUserIDs: (0..<trainRows).map(Int64.init),
                                         validation: try heldOut("validation"), test: try heldOut("test"),
                                         itemIDs: itemIDs)
    }

    private struct Pair { var user: Int64; var item: Int32; var line: Int }

    /// Reads `uid,sid` rows, checking every `sid` indexes `unique_sid.txt` and every `uid` is ≥ 0.
    private static func readPairs(_ path: String, items: Int) throws -> [Pair] {
        var pairs: [Pair] = []
        let format = DelimitedFormat(delimiter: ",", hasHeader: true, ratingColumn: nil, timestampColumn: nil,
                                     fieldCount: 2)
        try Interactions.scanDelimited(path: path, format: format) { file, line, text, user, item, _, _ in
            guard item >= 0 && item < Int64(items) else {
                throw DataError.malformedLine(file: file, line: line, text: DataError.excerpt(text),
                                              reason: "sid \(item) outside 0..<\(items) (unique_sid.txt)")
            }
            guard user >= 0 else {
                throw DataError.malformedLine(file: file, line: line, text: DataError.excerpt(text),
                                              reason: "negative uid \(user)")
            }
            pairs.append(Pair(user: user, item: Int32(item), line: line))
        }
        return pairs
    }

    /// A binary users × items matrix from pairs; a repeated pair is an error naming its line.
    private static func pairMatrix(_ pairs: [Pair], firstUser: Int64, rows: Int, items: Int,
                                   file: String) throws -> SparseMatrix {
        var perRow = [[Int32]](repeating: [], count: rows)
        for pair in pairs { perRow[Int(pair.user - firstUser)].append(pair.item) }
        for row in 0..<rows {
            perRow[row].sort()
            for k in perRow[row].indices.dropFirst() where perRow[row][k] == perRow[row][k - 1] {
                let user = firstUser + Int64(row), item = perRow[row][k]
                let lines = pairs.filter { $0.user == user && $0.item == item }.map(\.line)
                throw DataError.duplicateInteraction(file: file, line: lines.last ?? 0,
                                                     text: "\(user),\(item)", firstLine: lines.first ?? 0)
            }
        }
        return binaryMatrix(perRow, columns: items)
    }
}
