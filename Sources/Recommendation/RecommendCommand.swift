import Foundation
import ModelKit
import RecCore
import Checkpoints

/// The `Recommend` program as a library (so tests run it in-process): parse, load, answer, print.
public struct RecommendCommand {
    /// Where results go (stdout) and where warnings go (stderr).
    public let output: (String) -> Void, warn: (String) -> Void
    /// The models a checkpoint may name.
    public let zoo: ModelZoo

    /// A command writing to `output` and `warn`.
    public init(zoo: ModelZoo, output: @escaping (String) -> Void, warn: @escaping (String) -> Void) {
        self.zoo = zoo
        self.output = output
        self.warn = warn
    }

    /// Runs with `arguments` (without the program name); throws typed errors.
    public func run(_ arguments: [String]) throws {
        let options = try RecommendOptions.parse(arguments)
        if options.showHelp { output(RecommendOptions.usage); return }
        let path = options.checkpointPath ?? ""
        let checkpoint = try Checkpoint.load(from: path)
        if let training = checkpoint.training {
            // 1-based without overflow, whatever the state says (the reader already bounds it).
            let best = training.bestEpoch.map { "the best validation epoch's weights (epoch \(UInt64(clamping: $0) + 1))" }
                ?? "its last weights"
            warn("note: \(path.escapingControlCharacters) holds a training state saved after epoch \(training.nextEpoch); recommending with \(best)")
        }
        let recommender = try CheckpointRecommender(checkpoint: checkpoint, zoo: zoo)
        let titles = try options.moviesPath.map { try MovieTitles(path: $0).titles } ?? [:]
        let printer = RecommendationPrinter(format: options.format, titles: titles, output: output)
        var tally = UnknownItemTally(mode: options.strict ? .strict
                                     : options.lenient || options.batchPath == nil ? .lenient : .limitedShare)
        func answer(_ requests: [(RecommendationRequest, Int)], source: String) throws {
            let lines = requests.map(\.1)
            let results = try recommender.recommend(requests.map(\.0), count: options.count, source: source, lines: lines)
            try tally.count(results, lines: lines, source: source)
            for (result, line) in zip(results, lines) {
                if !result.unknownItems.isEmpty {
                    let ids = result.unknownItems.map(String.init).joined(separator: ", ")
                    warn("warning: \(source.escapingControlCharacters):\(line): unknown item ids ignored: \(ids)")
                }
                printer.print(result, line: line)
            }
        }
        if let user = options.user {
            try answer([(try Self.request(user: user, source: "--user", line: 1), 1)], source: "--user")
        } else if let items = options.items {
            try answer([(try Self.request(items: items, source: "--items", line: 1), 1)], source: "--items")
        } else if let batchPath = options.batchPath {
            var pending: [(RecommendationRequest, Int)] = []
            try LineStream(path: batchPath).forEachLine { line, number in
                let text = line.trimmingCharacters(in: .whitespaces)
                if text.isEmpty || text.hasPrefix("#") { return true }
                pending.append((try Self.request(line: text, source: batchPath, number: number), number))
                if pending.count >= options.batchSize {
                    try answer(pending, source: batchPath)
                    pending.removeAll(keepingCapacity: true)
                }
                return true
            }
            if !pending.isEmpty { try answer(pending, source: batchPath) }
        }
    }

    /// A request line: `user:ID` or a comma-separated item-id list.
    static func request(line: String, source: String, number: Int) throws -> RecommendationRequest {
        if line.lowercased().hasPrefix("user:") {
            return try request(user: String(line.dropFirst(5)), source: source, line: number)
        }
        return try request(items: line, source: source, line: number)
    }

    static func request(user: String, source: String, line: Int) throws -> RecommendationRequest {
        let text = user.trimmingCharacters(in: .whitespaces)
        guard let id = Int64(text) else {
            throw RecommendError.malformedRequest(source: source, line: line, text: user, reason: "a user id must be an integer")
        }
        return .knownUser(id)
    }

    static func request(items: String, source: String, line: Int) throws -> RecommendationRequest {
        var ids: [Int64] = []
        for field in items.split(separator: ",", omittingEmptySubsequences: false) {
            let text = field.trimmingCharacters(in: .whitespaces)
            guard let id = Int64(text) else {
                throw RecommendError.malformedRequest(source: source, line: line, text: items,
                                                      reason: "item id '\(text)' is not an integer (expected user:ID or A,B,C)")
            }
            ids.append(id)
        }
        return .newUser(ids)
    }
}

/// Writes recommendations as an aligned table or as one JSON object per line.
struct RecommendationPrinter {
    let format: RecommendOptions.Format
    let titles: [Int64: String]
    let output: (String) -> Void

    /// Prints `result`, the answer to the request on `line` of its source (1 for `--user`, `--items`).
    func print(_ result: Recommendation, line: Int) {
        let who: String
        switch result.request {
        case .knownUser(let id): who = "user:\(id)"
        case .newUser: who = "items"
        }
        switch format {
        case .table:
            output("# \(who) — \(result.historySize) known items in history")
            output(titles.isEmpty ? "rank\titem\tscore" : "rank\titem\tscore\ttitle")
            for (rank, item) in result.items.enumerated() {
                let title = titles.isEmpty ? "" : "\t" + (titles[item.id]?.escapingControlCharacters ?? "?")
                output("\(rank + 1)\t\(item.id)\t\(String(format: "%.4f", item.score))\(title)")
            }
        case .jsonl:
            var object: [String: Any] = ["request": who, "line": line, "history_size": result.historySize,
                                         "unknown_items": result.unknownItems,
                                         "items": result.items.map { item -> [String: Any] in
                                             var entry: [String: Any] = ["item": item.id, "score": Double(item.score)]
                                             if let title = titles[item.id] { entry["title"] = title }
                                             return entry
                                         }]
            if case .knownUser(let id) = result.request { object["user"] = id }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
            output(String(decoding: data, as: UTF8.self))
        }
    }
}
