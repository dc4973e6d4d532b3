import Foundation
import Kernels
import ModelKit
import NeuralNet
import RecCore
import TensorCore

/// The toy data every model test trains on, one split per task, with original ids that are not the
/// row and column numbers (so a test notices ids mixed up with positions).
public enum ToyData {
    /// 300 users × 120 items of clustered clicks, split into 240 training, 30 validation and 30 test users.
    public static let clicks: StrongGeneralizationSplit = {
        let matrix = SyntheticClicks(userCount: 300, itemCount: 120, clusterCount: 4, clicksPerUser: 12, seed: 5).generate()
        let interactions = Interactions(ratings: matrix, userIDs: (0..<300).map { Int64(1_000 + $0) },
                                        itemIDs: (0..<120).map { Int64(10 * $0 + 7) })
        return StrongGeneralizationSplit.make(from: interactions, heldOutUsers: 30, ratingAbove: 0, seed: 1)
    }()

    /// 60 users × 40 items of low-rank ratings in 1…5, ~40 % observed, split 81/9/10.
    public static let ratings: RatingSplit = {
        var rng = RandomGenerator(seed: 3)
        let users = Kernels.randomNormal(rows: 60, columns: 3, using: &rng)
        let items = Kernels.randomNormal(rows: 40, columns: 3, using: &rng)
        let affinity = Kernels.gemm(users, items, transposeB: true)
        var triplets: [(row: Int, column: Int, value: Float)] = []
        for u in 0..<60 { for i in 0..<40 where rng.nextUniform() < 0.4 {
            triplets.append((u, i, min(5, max(1, (3 + 0.8 * affinity[u, i]).rounded()))))
        } }
        let interactions = Interactions(ratings: SparseMatrix(rows: 60, columns: 40, triplets: triplets),
                                        userIDs: (0..<60).map { Int64(500 + $0) }, itemIDs: (0..<40).map { Int64(3 * $0 + 1) })
        return RatingSplit.random(interactions, testFraction: 0.1, validationFraction: 0.1, seed: 4)
    }()

    /// The toy split of `task`.
    public static func split(for task: TaskName) -> any TaskSplit {
        switch task {
        case .rating: return ratings
        default: return clicks
        }
    }

    /// A small training matrix of `task`'s kind (clicks, or ratings in 1…5): 32 users × 24 items, for
    /// checks that evaluate a model thousands of times (finite differences).
    public static func small(for task: TaskName) -> SparseMatrix {
        let clicks = SyntheticClicks(userCount: 32, itemCount: 24, clusterCount: 3, clicksPerUser: 4, seed: 8).generate()
        guard task == .rating else { return clicks }
        return clicks.withValues(clicks.values.indices.map { Float(1 + ($0 * 7) % 5) })
    }

    /// A ratings file as users have them: `user_id,item_id,rating` with a header, ratings 4 or 5 of
    /// 160 users × 60 items of clustered clicks, original ids offset; returns its (temporary) path.
    public static func writeRatingsFile() throws -> String {
        let clicks = SyntheticClicks(userCount: 160, itemCount: 60, clusterCount: 3, clicksPerUser: 10, seed: 3).generate()
        var lines = ["user_id,item_id,rating"]
        for user in 0..<clicks.rows {
            for item in clicks.columns(inRow: user) { lines.append("\(user + 1),\(item + 100),\(4 + (user + Int(item)) % 2)") }
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ratings-\(UUID().uuidString).csv").path
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The task value named `name`.
    public static func task(_ name: TaskName) -> any Task {
        name == .rating ? RatingTask() : RankingTask()
    }

    /// A fresh temporary folder.
    public static func temporaryFolder(_ prefix: String = "autoencoderzoo-tests") throws -> String {
        let path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// Catalog entries on their toy data, with the tiny settings each entry declares.
public enum ZooTesting {
    /// The options an entry is tested with: its `testOverrides`, `epochs` and `seed`.
    public static func options(_ entry: ModelEntry, epochs: Int = 6, seed: UInt64 = 11) -> ModelOptions {
        ModelOptions(seed: seed, epochs: epochs, overrides: entry.testOverrides)
    }

    /// A fresh tiny model of `entry` for its task's toy split.
    public static func make(_ entry: ModelEntry, epochs: Int = 6, seed: UInt64 = 11) throws -> any ZooModel {
        try entry.make(ToyData.split(for: entry.task).shape, options(entry, epochs: epochs, seed: seed))
    }

    /// Fits `model` (of `entry`'s task) on its toy split, validating with the task's rule; as a
    /// member of `dataParallel` when given.
    @discardableResult
    public static func fit(_ model: any ZooModel, task: TaskName, validate: Bool = true, resume: TrainingState? = nil,
                           onEpochEnd: ((TrainingState) throws -> Void)? = nil, dataParallel: (any DataParallelGroup)? = nil,
                           reproducibleShards: Int? = nil,
                           progress: @escaping (EpochReport) -> Void = { _ in }) throws -> TrainingHistory {
        try fit(model, task: ToyData.task(task), validate: validate, resume: resume, onEpochEnd: onEpochEnd,
                dataParallel: dataParallel, reproducibleShards: reproducibleShards, progress: progress)
    }

    private static func fit<T: Task>(_ model: any ZooModel, task: T, validate: Bool, resume: TrainingState?,
                                     onEpochEnd: ((TrainingState) throws -> Void)?, dataParallel: (any DataParallelGroup)?,
                                     reproducibleShards: Int?, progress: @escaping (EpochReport) -> Void) throws -> TrainingHistory {
        guard let split = ToyData.split(for: task.name) as? T.Split else {
            preconditionFailure("ZooTesting: the toy split of \(task.name) is not a \(T.Split.self)")
        }
        var request = FitRequest(train: split.train, validation: validate ? task.validation(on: split) : nil,
                                 resume: resume, onEpochEnd: onEpochEnd, progress: progress)
        request.dataParallel = dataParallel
        request.reproducibleShards = reproducibleShards
        return try model.fit(request)
    }

    /// What the model answers on the toy test part of its task: scores of every item for the test
    /// users' fold-in histories (ranking), or predictions at the test ratings (rating).
    public static func outputs(_ model: any ZooModel, task: TaskName) -> [Float] {
        if task == .rating { return model.scores(at: ToyData.ratings.test, known: ToyData.ratings.train) }
        return model.scores(for: ToyData.clicks.test.foldIn).storage
    }

    /// The model's test metrics on its toy split.
    public static func evaluate(_ model: any ZooModel, task: TaskName) -> TaskReport {
        evaluate(model, task: ToyData.task(task))
    }

    private static func evaluate<T: Task>(_ model: any ZooModel, task: T) -> TaskReport {
        guard let split = ToyData.split(for: task.name) as? T.Split else {
            preconditionFailure("ZooTesting: the toy split of \(task.name) is not a \(T.Split.self)")
        }
        return task.evaluate(model, on: split)
    }

    /// `evaluate`, the test users split over `dataParallel` and gathered (every member calls it).
    public static func evaluate(_ model: any ZooModel, task: TaskName, dataParallel: (any DataParallelGroup)?) throws -> TaskReport {
        try evaluate(model, task: ToyData.task(task), dataParallel: dataParallel)
    }

    private static func evaluate<T: Task>(_ model: any ZooModel, task: T, dataParallel: (any DataParallelGroup)?) throws -> TaskReport {
        guard let split = ToyData.split(for: task.name) as? T.Split else {
            preconditionFailure("ZooTesting: the toy split of \(task.name) is not a \(T.Split.self)")
        }
        return try task.evaluate(model, on: split, splitOver: dataParallel)
    }
}
