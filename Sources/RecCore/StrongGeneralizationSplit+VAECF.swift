import Foundation
import TensorCore

extension StrongGeneralizationSplit {
    /// Loads a published vae_cf split folder: `train.csv`, `validation_tr.csv`, `validation_te.csv`,
    /// `test_tr.csv`, `test_te.csv` (header `uid,sid`) and `unique_sid.txt` (one original item id
    /// per line, `sid` is its 0-based position). Every file may instead be gzip-compressed with a
    /// `.gz` suffix. Users are numbered densely: training rows are the distinct `uid`s of
    /// `train.csv` in ascending order, held-out rows the distinct `uid`s of each `_tr`/`_te` pair
    /// (for the notebook's files, whose `uid`s are consecutive, the same rows as its `uid − min uid`).
    /// A `uid` is never used as a size. A held-out user who is also a training user, or both a
    /// validation and a test user, is `DataError.overlappingUser` naming both files and lines.
    public static func loadVAECF(folder: String) throws -> StrongGeneralizationSplit {
        func locate(_ name: String) throws -> String {
            let plain = (folder as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: plain) { return plain }
            if FileManager.default.fileExists(atPath: plain + ".gz") { return plain + ".gz" }
            throw DataError.invalidSplitFolder(folder: folder, reason: "missing \(name) (or \(name).gz)")
        }
        let itemIDs = try readItemIDs(try locate("unique_sid.txt"))
        let trainPath = try locate("train.csv")
        let train = try readPairs(trainPath, items: itemIDs.count)
        let trainUsers = UserNumbering([train])
        var earlier = [(users: trainUsers, files: [trainPath])]
        func heldOut(_ prefix: String) throws -> HeldOutUsers {
            let foldInPath = try locate("\(prefix)_tr.csv"), targetPath = try locate("\(prefix)_te.csv")
            let foldIn = try readPairs(foldInPath, items: itemIDs.count)
            let target = try readPairs(targetPath, items: itemIDs.count)
            for (pairs, file) in [(foldIn, foldInPath), (target, targetPath)] {
                for pair in pairs {
                    for part in earlier {
                        if let other = part.users.firstSeen[pair.user] {
                            throw DataError.overlappingUser(file: file, line: pair.line, text: "\(pair.user),\(pair.item)",
                                                            user: pair.user, otherFile: part.files[other.part],
                                                            otherLine: other.line)
                        }
                    }
                }
            }
            let users = UserNumbering([foldIn, target])
            earlier.append((users, [foldInPath, targetPath]))
            return HeldOutUsers(foldIn: try pairMatrix(foldIn, users: users, items: itemIDs.count, file: foldInPath),
                                target: try pairMatrix(target, users: users, items: itemIDs.count, file: targetPath),
                                userIDs: users.ids)
        }
        return StrongGeneralizationSplit(train: try pairMatrix(train, users: trainUsers, items: itemIDs.count, file: trainPath),
                                         trainUserIDs: trainUsers.ids, validation: try heldOut("validation"),
                                         test: try heldOut("test"), itemIDs: itemIDs)
    }

    private struct Pair { var user: Int64; var item: Int32; var line: Int }

    /// Dense rows for the distinct users of some files' pairs: ascending ids, and where each id
    /// was first seen (the index of its file among `parts`, and the line).
    private struct UserNumbering {
        let ids: [Int64]
        let firstSeen: [Int64: (part: Int, line: Int)]

        init(_ parts: [[Pair]]) {
            var firstSeen: [Int64: (part: Int, line: Int)] = [:]
            for (index, part) in parts.enumerated() {
                for pair in part where firstSeen[pair.user] == nil { firstSeen[pair.user] = (index, pair.line) }
            }
            self.firstSeen = firstSeen
            ids = firstSeen.keys.sorted()
        }

        /// The row of `id` (one of `ids`), by binary search.
        func row(of id: Int64) -> Int {
            var low = 0, high = ids.count
            while low < high {
                let middle = (low + high) / 2
                if ids[middle] < id { low = middle + 1 } else { high = middle }
            }
            return low
        }
    }

    /// The item ids of `unique_sid.txt` in line order; a repeated id is an error naming both lines.
    private static func readItemIDs(_ path: String) throws -> [Int64] {
        var itemIDs: [Int64] = [], lineOf: [Int64: Int] = [:]
        try LineReader(path: path).forEachLine { line, number in
            if DelimitedLineParser.isBlank(line) { return }
            guard let id = FieldParsing.integer(line) else {
                throw DataError.invalidIdentifier(file: path, line: number, text: DataError.excerpt(line),
                                                  value: DataError.excerpt(line))
            }
            if let first = lineOf[id] {
                throw DataError.malformedLine(file: path, line: number, text: DataError.excerpt(line),
                                              reason: "item id \(id) already on line \(first)")
            }
            lineOf[id] = number
            itemIDs.append(id)
        }
        if itemIDs.isEmpty { throw DataError.emptyFile(file: path) }
        return itemIDs
    }

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
    private static func pairMatrix(_ pairs: [Pair], users: UserNumbering, items: Int,
                                   file: String) throws -> SparseMatrix {
        var perRow = [[Int32]](repeating: [], count: users.ids.count)
        for pair in pairs { perRow[users.row(of: pair.user)].append(pair.item) }
        for row in perRow.indices {
            perRow[row].sort()
            for k in perRow[row].indices.dropFirst() where perRow[row][k] == perRow[row][k - 1] {
                let user = users.ids[row], item = perRow[row][k]
                let lines = pairs.filter { $0.user == user && $0.item == item }.map(\.line)
                throw DataError.duplicateInteraction(file: file, line: lines.last ?? 0,
                                                     text: "\(user),\(item)", firstLine: lines.first ?? 0)
            }
        }
        return binaryMatrix(perRow, columns: items)
    }
}
