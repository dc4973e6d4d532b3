import Foundation
import Kernels
import TensorCore
import NeuralNet
import ModelKit
import RecCore
import ZooCatalog
import Checkpoints

/// Toy data and tiny model settings shared by the checkpoint suites (sizes as the zoo conformance tests).
enum Toy {
    /// 300 users × 120 items of clustered clicks, split into 240 training, 30 validation and 30 test users.
    static let clicks: StrongGeneralizationSplit = {
        let matrix = SyntheticClicks(userCount: 300, itemCount: 120, clusterCount: 4, clicksPerUser: 12, seed: 5).generate()
        let interactions = Interactions(ratings: matrix, userIDs: (0..<300).map { Int64(1_000 + $0) },
                                        itemIDs: (0..<120).map { Int64(10 * $0 + 7) })
        return StrongGeneralizationSplit.make(from: interactions, heldOutUsers: 30, ratingAbove: 0, seed: 1)
    }()

    /// 60 users × 40 items of low-rank ratings, split 80/10/10.
    static let ratings: RatingSplit = {
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

    static let overrides: [String: [String: String]] = [
        "mult-vae": ["hidden": "32,8", "batch": "50", "anneal-steps": "20"],
        "mult-dae": ["hidden": "16", "batch": "50"],
        "vampprior-vae": ["hidden": "32", "latent": "8", "components": "10", "batch": "50", "warm-up": "2"],
        "h-vamp": ["hidden": "16", "latent": "8", "latent-1": "8", "components": "10", "batch": "50", "warm-up": "2"],
        "h-vamp-gated": ["hidden": "16", "latent": "8", "latent-1": "8", "components": "10", "batch": "50", "warm-up": "2"],
        "i-autorec": ["hidden": "8", "iterations": "3"],
        "u-autorec": ["hidden": "8", "optimizer": "rprop", "iterations": "3"],
        "deep-ae": ["hidden": "8,4", "batch": "16", "dropout": "0.2", "lr": "0.05"],
    ]

    static func options(_ name: String, epochs: Int, seed: UInt64 = 11) -> ModelOptions {
        ModelOptions(seed: seed, epochs: epochs, overrides: overrides[name] ?? [:])
    }

    /// A fresh model of entry `name`.
    static func make(_ name: String, epochs: Int, seed: UInt64 = 11) throws -> TrainedModel {
        let entry = try ModelZoo.standard.entry(named: name)
        switch entry.task {
        case .ranking:
            return .ranking(try requireCastImpl(entry.make(clicks.itemCount, options(name, epochs: epochs, seed: seed))))
        case .rating:
            guard let make = entry.makeRating else { throw CastFailure(description: "\(name) has no makeRating") }
            return .rating(try requireCastImpl(make(ratings.train.rows, ratings.train.columns, options(name, epochs: epochs, seed: seed))))
        }
    }

    /// Fits `model` on the toy data of its task, with validation; `resume` and `onEpochEnd` as the models'.
    @discardableResult
    static func fit(_ model: TrainedModel, resume: TrainingState? = nil,
                    onEpochEnd: ((TrainingState) throws -> Void)? = nil) throws -> FitSummary {
        switch model {
        case .ranking(let model):
            return try model.fit(train: clicks.train, validation: clicks.validation, resume: resume, onEpochEnd: onEpochEnd) { _ in }
        case .rating(let model):
            return try model.fit(train: ratings.train, validation: ratings.validation, resume: resume, onEpochEnd: onEpochEnd) { _ in }
        }
    }

    /// A checkpoint of `model` (histories: the training users / known ratings).
    static func checkpoint(_ model: TrainedModel, name: String, epochs: Int, training: TrainingState? = nil) -> Checkpoint {
        switch model {
        case .ranking(let model):
            return Checkpoint(ranking: model, name: name, options: options(name, epochs: epochs), itemIDs: clicks.itemIDs,
                              history: clicks.train, userIDs: clicks.trainUserIDs, training: training)
        case .rating(let model):
            return Checkpoint(rating: model, name: name, options: options(name, epochs: epochs), itemIDs: ratings.itemIDs,
                              known: ratings.train, userIDs: ratings.userIDs, training: training)
        }
    }

    /// What the model outputs on the toy data: test scores (ranking) or test predictions (rating).
    static func outputs(_ model: TrainedModel) -> [Float] {
        switch model {
        case .ranking(let model): return model.scores(for: clicks.test.foldIn).storage
        case .rating(let model): return model.predictions(at: ratings.test, known: ratings.train)
        }
    }

    static func parameters(_ model: TrainedModel) -> [String: Matrix] {
        switch model {
        case .ranking(let model): return Checkpoint.values(of: model)
        case .rating(let model): return Checkpoint.values(of: model)
        }
    }

    /// A fresh temporary folder.
    static func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "checkpoint-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

struct CastFailure: Error, CustomStringConvertible { var description: String }

func requireCastImpl<T>(_ value: Any) throws -> T {
    guard let cast = value as? T else { throw CastFailure(description: "\(type(of: value)) is not \(T.self)") }
    return cast
}
