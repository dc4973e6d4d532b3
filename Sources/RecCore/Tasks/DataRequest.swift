import Foundation
import TensorCore

/// The file formats a task can read.
public enum DataFormat: String, CaseIterable, Sendable {
    case movielens100k = "movielens-100k"
    case movielens1m = "movielens-1m"
    case movielens20m = "movielens-20m"
    case netflix
    case csv
    case vaeCFSplit = "vae-cf-split"
    case ratingSplit = "rating-split"

    /// The task a split folder is made for (a vae_cf split holds clicks for ranking, a rating split
    /// ratings); nil for raw rating files, which either task can use.
    public var impliedTask: TaskName? {
        switch self {
        case .vaeCFSplit: return TaskName("ranking")
        case .ratingSplit: return TaskName("rating")
        default: return nil
        }
    }

    /// The format implied by a path: a folder with `train.csv` and `test.csv` is a rating split,
    /// a folder with `train.csv` otherwise a vae_cf split, a folder of `mv_*.txt` files is Netflix,
    /// `u.data` is ML-100K, `ratings.dat` ML-1M/10M, `ratings.csv` ML-20M, another `.csv` is CSV.
    public static func guess(_ path: String) throws -> DataFormat {
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
        } else if name.hasSuffix(".zip") {
            guard let (entry, _) = try Interactions.movieLensRatingsEntry(in: path) else {
                throw DataRequestError.cannotGuessFormat(path: path)
            }
            return entry.hasSuffix("u.data") ? .movielens100k : entry.hasSuffix(".dat") ? .movielens1m : .movielens20m
        } else if name == "u.data" {
            return .movielens100k
        } else if name == "ratings.dat" {
            return .movielens1m
        } else if name == "ratings.csv" {
            return .movielens20m
        } else if name.hasSuffix(".csv") {
            return .csv
        }
        throw DataRequestError.cannotGuessFormat(path: path)
    }
}

/// Which data a comparison runs on and how it is split: the user's options, for every task.
public struct DataRequest: Sendable, Equatable {
    /// A ratings file or split folder; nil for the task's built-in synthetic data set.
    public var path: String?
    /// How to read `path`; nil guesses from the path.
    public var format: DataFormat?
    /// Ranking: validation and test users each, for the strong-generalisation split of raw ratings.
    public var heldOutUsers: Int?
    /// Rating: the share of the training ratings held out per seed for validation (nil: 0.1).
    public var validationFraction: Double?
    /// What to do with a (user, item) pair that a ratings file lists twice (default: keep the last).
    public var duplicates: DuplicatePolicy
    /// Ranking: which rows of a ratings file are clicks (`--min-rating`); nil takes the file's
    /// default (`ClickThreshold.standard(hasRatings:)`: ratings > 3.5, or every row of a click file).
    public var minimumRating: ClickThreshold?

    /// A request with the given parts.
    public init(path: String? = nil, format: DataFormat? = nil, heldOutUsers: Int? = nil, validationFraction: Double? = nil,
                duplicates: DuplicatePolicy = .keepLast, minimumRating: ClickThreshold? = nil) {
        (self.path, self.format, self.heldOutUsers) = (path, format, heldOutUsers)
        (self.validationFraction, self.duplicates, self.minimumRating) = (validationFraction, duplicates, minimumRating)
    }

    /// `format`, or the one guessed from `path`.
    public func resolvedFormat(path: String) throws -> DataFormat { try format ?? DataFormat.guess(path) }

    /// The raw interactions of the ratings file at `path` in `format` (not a split folder), duplicate
    /// pairs treated by `duplicates`; how many were dropped goes to `log`.
    public func interactions(path: String, format: DataFormat, log: (String) -> Void) throws -> Interactions {
        if path.hasSuffix(".zip") { return try archiveInteractions(path: path, log: log) }
        var delimited: DelimitedFormat
        switch format {
        case .movielens100k: delimited = .movieLens100K
        case .movielens1m: delimited = .movieLensDat
        case .movielens20m: delimited = .movieLensCSV
        case .csv: delimited = try Self.csvLayout(path: path)
        case .netflix:
            let interactions = try Interactions.loadNetflix(path: path, duplicates: duplicates)
            if interactions.duplicateCount > 0 { log(duplicates.summary(droppedRows: interactions.duplicateCount)) }
            return interactions
        case .vaeCFSplit, .ratingSplit:
            preconditionFailure("DataRequest.interactions: \(format.rawValue) is a split folder, not a ratings file")
        }
        delimited.duplicates = duplicates
        let interactions = try Interactions.load(path: path, format: delimited)
        if interactions.duplicateCount > 0 { log(duplicates.summary(droppedRows: interactions.duplicateCount)) }
        return interactions
    }
}

/// A data request a task cannot serve.
public enum DataRequestError: Error, Equatable, CustomStringConvertible {
    /// The format of a path could not be guessed.
    case cannotGuessFormat(path: String)
    /// An option's value does not fit the data: the option, the value and what would.
    case invalidValue(option: String, value: String, expected: String)
    /// Fewer than 3 users of `path` have ≥ 5 clicks under `rule`, so no strong-generalisation split
    /// exists (training, validation and test users); `hint` says which option would change that.
    case tooFewUsers(path: String, qualifying: Int, rule: String, hint: String)

    public var description: String {
        switch self {
        case let .cannotGuessFormat(path):
            return "cannot tell the format of '\(path)'; pass --format (\(DataFormat.allCases.map(\.rawValue).joined(separator: ", ")))"
        case let .invalidValue(option, value, expected):
            return "\(option) \(value): expected \(expected)"
        case let .tooFewUsers(path, qualifying, rule, hint):
            return "\(path.escapingControlCharacters): \(qualifying) user\(qualifying == 1 ? " has" : "s have") ≥ 5 clicks (\(rule)); "
                + "a strong-generalisation split needs at least 3 (training, validation and test users); \(hint)"
        }
    }
}
