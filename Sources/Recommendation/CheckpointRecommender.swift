import Kernels
import ModelKit
import RecCore
import TensorCore
import Checkpoints

/// One request: a training user by original id, or a new user by the original ids of their items.
public enum RecommendationRequest: Sendable, Equatable {
    /// A user of the checkpoint's training data (original id).
    case knownUser(Int64)
    /// A new user's history as original item ids (folded in: encoded, no retraining).
    case newUser([Int64])
}

/// The answer to one request: the top items (original ids) with scores, best first, and the item
/// ids of the request that the checkpoint does not know.
public struct Recommendation: Sendable, Equatable {
    /// The request answered.
    public var request: RecommendationRequest
    /// (original item id, score), best first; ranking models' scores are logits, rating models' predicted ratings.
    public var items: [(id: Int64, score: Float)]
    /// Requested item ids missing from the item map (ignored for scoring, always reported).
    public var unknownItems: [Int64]
    /// How many known items the user's history held.
    public var historySize: Int

    public static func == (lhs: Recommendation, rhs: Recommendation) -> Bool {
        lhs.request == rhs.request && lhs.unknownItems == rhs.unknownItems && lhs.historySize == rhs.historySize
            && lhs.items.map(\.id) == rhs.items.map(\.id) && lhs.items.map(\.score.bitPattern) == rhs.items.map(\.score.bitPattern)
    }
}

/// Top-K recommendations from a checkpoint: known users through their stored training history,
/// new users by folding in a list of items; items already in the history are never recommended.
public struct CheckpointRecommender {
    /// The checkpoint the model was rebuilt from.
    public let checkpoint: Checkpoint
    /// The rebuilt model.
    public let model: any ZooModel
    private let columnOfItem: [Int64: Int]
    private let rowOfUser: [Int64: Int]

    /// Rebuilds the checkpoint's model from `zoo`; from a training-state checkpoint, with the weights
    /// a finished fit would keep (`Checkpoint.finishedModel()`: the best validation epoch's).
    public init(checkpoint: Checkpoint, zoo: ModelZoo) throws {
        let checkpoint = checkpoint.finishedModel()
        self.checkpoint = checkpoint
        self.model = try checkpoint.makeModel(zoo: zoo)
        columnOfItem = Dictionary(checkpoint.itemIDs.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        rowOfUser = Dictionary(checkpoint.userIDs.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The dense column of an original item id, or nil.
    public func column(ofItem id: Int64) -> Int? { columnOfItem[id] }

    /// Whether `id` is a training user of the checkpoint.
    public func knowsUser(_ id: Int64) -> Bool { rowOfUser[id] != nil && checkpoint.history != nil }

    /// The top `count` unseen items for every request, in order. An unknown user id throws
    /// `RecommendError.unknownUser` naming `source` and the 1-based position in `requests` + `firstLine` − 1.
    public func recommend(_ requests: [RecommendationRequest], count: Int, source: String = "request",
                          lines: [Int]? = nil) throws -> [Recommendation] {
        precondition(count > 0, "CheckpointRecommender: count must be positive, got \(count)")
        var rows: [[Int32]] = [], values: [[Float]] = [], unknown: [[Int64]] = []
        var knownRows: [Int?] = []
        for (index, request) in requests.enumerated() {
            switch request {
            case .knownUser(let id):
                guard let history = checkpoint.history else { throw RecommendError.noHistories(checkpoint: checkpoint.source) }
                guard let row = rowOfUser[id] else {
                    throw RecommendError.unknownUser(source: source, line: lines?[index] ?? index + 1, id: String(id))
                }
                rows.append(Array(history.columns(inRow: row)))
                values.append(Array(history.values(inRow: row)))
                unknown.append([])
                knownRows.append(row)
            case .newUser(let ids):
                var columns = Set<Int32>(), missing: [Int64] = []
                for id in ids {
                    if let column = columnOfItem[id] { columns.insert(Int32(column)) } else { missing.append(id) }
                }
                let sorted = columns.sorted()
                rows.append(sorted)
                values.append([Float](repeating: 1, count: sorted.count))
                unknown.append(missing)
                knownRows.append(nil)
            }
        }
        var pointers = [0]
        for row in rows { pointers.append(pointers[pointers.count - 1] + row.count) }
        let histories = SparseMatrix(rows: rows.count, columns: checkpoint.itemCount, rowPointers: pointers,
                                     columnIndices: rows.flatMap { $0 }, values: values.flatMap { $0 })
        let top: [[(Int, Float)]]
        if checkpoint.task == .rating {
            top = try ratingTop(histories: histories, knownRows: knownRows, count: count)
        } else {
            let scores = model.scores(for: histories)                                        // [B, I]
            let chosen = Kernels.topK(scores, k: min(count, checkpoint.itemCount), excluding: histories)
            top = chosen.enumerated().map { row, items in items.map { (Int($0), scores[row, Int($0)]) } }
        }
        return requests.indices.map { index in
            Recommendation(request: requests[index], items: top[index].map { (checkpoint.itemIDs[$0.0], $0.1) },
                           unknownItems: unknown[index], historySize: rows[index].count)
        }
    }

    /// Rating models: the `count` highest predicted ratings among each known user's unrated items,
    /// predicted from every user's known ratings (an item-based model reads items across all users,
    /// so a new user cannot be folded in alone).
    private func ratingTop(histories: SparseMatrix, knownRows: [Int?], count: Int) throws -> [[(Int, Float)]] {
        guard let known = checkpoint.history else { throw RecommendError.noHistories(checkpoint: checkpoint.source) }
        var userRows: [Int] = []
        for row in knownRows {
            guard let row else { throw RecommendError.foldInUnsupported(model: checkpoint.model) }
            userRows.append(row)
        }
        // One query per (user, unseen item); several requests for one user share its row.
        var triplets: [(row: Int, column: Int, value: Float)] = []
        for row in Set(userRows) {
            let seen = Set(known.columns(inRow: row))
            for column in 0..<checkpoint.itemCount where !seen.contains(Int32(column)) { triplets.append((row, column, 1)) }
        }
        let queries = SparseMatrix(rows: known.rows, columns: known.columns, triplets: triplets)
        let predictions = model.scores(at: queries, known: known)
        return userRows.map { row in
            let range = queries.range(ofRow: row)
            let scored = range.map { (Int(queries.columnIndices[$0]), predictions[$0]) }
            return Array(scored.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(count))
        }
    }
}
