import DataSets
import Foundation
import RecCore

/// `--data NAME` and `--list-data`: the named data sets (`DataSets`) as CompareModels uses them.
enum NamedDataOptions {
    /// `--list-data`: every named set with its protocol, what a download is checked against, its
    /// licence line and whether it is cached, then
    /// the sets that cannot be fetched and the layout `--data PATH` expects for them.
    static func listing(store: DataSetStore?) -> String {
        var lines = ["Named data sets (--data NAME fetches GroupLens's archive once, then reads the cached copy):"]
        for set in NamedDataSet.movieLens {
            let cached = store.map { $0.isCached(set) ? "cached: \($0.archivePath(of: set))" : "not cached" } ?? "no cache folder"
            let check = "      " + set.checkSummary
            lines += ["  \(set.name)  \(set.ratingsEntry) (\(set.format.rawValue)); \(cached)",
                      "      task \(set.task): \(set.protocolNote)",
                      check,
                      "      \(set.licence)"]
        }
        lines.append("Not fetchable (--data PATH once you have them):")
        for other in NamedDataSet.notFetchable {
            lines += ["  \(other.name)  \(other.reason)", "      \(other.layout)"]
        }
        if let store { lines.append("Cache: \(store.directory) (AUTOENCODERZOO_CACHE); source: \(store.baseURL) (AUTOENCODERZOO_DATA_MIRROR)") }
        return lines.joined(separator: "\n")
    }

    /// Replaces a `--data NAME` of a named set (where no file or folder of that name exists) by its
    /// cached archive, fetched first when absent, and fills in the set's protocol where the user set
    /// none: its task and its held-out users. A name that cannot be fetched is an error saying why.
    static func resolve(_ options: inout ComparisonOptions, store: () throws -> DataSetStore, log: (String) -> Void) throws {
        guard let name = options.dataPath, !FileManager.default.fileExists(atPath: name) else { return }
        if let other = NamedDataSet.notFetchable.first(where: { $0.name == name }) {
            throw NamedDataError.notFetchable(name: name, reason: other.reason, layout: other.layout)
        }
        guard let set = NamedDataSet.named(name) else { return }
        options.dataPath = try store().resolve(set, log: log)
        if options.task == nil { options.task = set.task }
        if options.heldOutUsers == nil && options.task == TaskName("ranking") { options.heldOutUsers = set.heldOutUsers }
        log("\(set.name): task \(options.task ?? set.task): \(set.protocolNote)")
    }
}

/// A `--data NAME` that names a data set which cannot be fetched.
enum NamedDataError: Error, CustomStringConvertible, Equatable {
    case notFetchable(name: String, reason: String, layout: String)

    var description: String {
        switch self {
        case let .notFetchable(name, reason, layout): return "\(name) cannot be fetched: \(reason). Use \(layout)"
        }
    }
}
