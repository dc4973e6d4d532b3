import Foundation
import RecCore
import TensorCore

/// The split every model of a comparison is trained and scored on, and a line describing it.
public struct ComparisonData: Sendable {
    /// Training users, validation users (model selection) and test users (reported).
    public let split: StrongGeneralizationSplit
    /// One line for the table's title, e.g. `ml-1m vae_cf split: 4,834 train users, …`.
    public let description: String

    /// The built-in data set: `SyntheticClicks()` split with 500 validation and 500 test users.
    public static func builtIn(heldOutUsers: Int? = nil) -> ComparisonData {
        let generator = SyntheticClicks()
        let clicks = generator.generate()
        let interactions = Interactions(ratings: clicks, userIDs: (0..<clicks.rows).map(Int64.init),
                                        itemIDs: (0..<clicks.columns).map(Int64.init))
        // Every synthetic click counts (values are 1), so the rating filter keeps everything above 0.
        let split = StrongGeneralizationSplit.make(from: interactions, heldOutUsers: heldOutUsers ?? 500,
                                                   ratingAbove: 0, seed: 98765)
        return ComparisonData(split: split, description: "built-in synthetic clicks (\(generator.userCount) users × \(generator.itemCount) items, \(generator.clusterCount) taste groups): " + summary(split))
    }

    /// Loads `path` in `format` (guessed from the path when nil) and splits raw ratings the way
    /// Liang et al. (2018) do; a vae_cf split folder is used as it is.
    public static func load(path: String, format: DataFormat?, heldOutUsers: Int?) throws -> ComparisonData {
        let resolved = try format ?? guessFormat(path)
        let interactions: Interactions
        switch resolved {
        case .vaeCFSplit:
            let split = try StrongGeneralizationSplit.loadVAECF(folder: path)
            return ComparisonData(split: split, description: "\(path) (vae_cf split): " + summary(split))
        case .movielens100k:
            interactions = try Interactions.load(path: path, format: .movieLens100K)
        case .movielens1m:
            interactions = try Interactions.load(path: path, format: .movieLensDat)
        case .movielens20m:
            interactions = try Interactions.load(path: path, format: .movieLensCSV)
        case .netflix:
            interactions = try Interactions.loadNetflix(path: path)
        case .csv:
            interactions = try Interactions.load(path: path, format: DelimitedFormat(
                delimiter: ",", hasHeader: true, ratingColumn: 2, timestampColumn: nil))
        case .ratingSplit:
            throw ComparisonError.invalidValue(flag: "--format", value: resolved.rawValue,
                                               expected: "a ranking data set (rating-split is for --task rating)")
        }
        let qualifying = StrongGeneralizationSplit.qualifyingUsers(in: interactions).count
        let heldOut = heldOutUsers ?? min(10_000, max(1, qualifying / 10))
        guard 2 * heldOut < qualifying else {
            throw ComparisonError.invalidValue(flag: "--heldout-users", value: "\(heldOut)",
                                               expected: "fewer than half of the \(qualifying) users with ≥ 5 ratings > 3.5")
        }
        let split = StrongGeneralizationSplit.make(from: interactions, heldOutUsers: heldOut)
        return ComparisonData(split: split, description: "\(path) (strong generalisation, ratings > 3.5): " + summary(split))
    }

    /// The format implied by a path: a folder with `train.csv` and `test.csv` is a rating split,
    /// a folder with `train.csv` otherwise a vae_cf split, a folder of
    /// `mv_*.txt` files is Netflix, `u.data` is ML-100K, `ratings.dat` ML-1M/10M, `ratings.csv` ML-20M.
    static func guessFormat(_ path: String) throws -> DataFormat {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw DataError.cannotOpen(file: path, reason: "no such file or folder")
        }
        let name = (path as NSString).lastPathComponent.replacingOccurrences(of: ".gz", with: "")
        if isFolder.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            if names.contains(where: { $0.hasPrefix("train.csv") }) {
                return names.contains(where: { $0.hasPrefix("test.csv") }) ? .ratingSplit : .vaeCFSplit
            }
            if names.contains(where: { $0.hasPrefix("mv_") }) { return .netflix }
        } else if name == "u.data" {
            return .movielens100k
        } else if name == "ratings.dat" {
            return .movielens1m
        } else if name == "ratings.csv" {
            return .movielens20m
        } else if name.hasSuffix(".csv") {
            return .csv
        }
        throw ComparisonError.cannotGuessFormat(path: path)
    }

    private static func summary(_ split: StrongGeneralizationSplit) -> String {
        "\(split.train.rows) train users, \(split.validation.userCount) validation, \(split.test.userCount) test, \(split.itemCount) items"
    }
}
