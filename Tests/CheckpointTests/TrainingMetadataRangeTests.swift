import Foundation
import Testing
import TensorCore
import NeuralNet
@testable import Checkpoints

/// Issue 20, finding 4: every number of a training state is range-checked where it is read, with
/// an error naming the file, the key and the value.
@Suite struct TrainingMetadataRangeTests {
    /// The JSON of a valid state (L-BFGS-like optimizer counts) with `changes` applied to its object.
    static func text(_ changes: [String: Any?]) throws -> String {
        let state = TrainingState(nextEpoch: 3, updates: 30, optimizerSteps: 30, generator: RandomGenerator(seed: 1),
                                  bestEpoch: 1, bestMetric: 0.25, bestValues: [:],
                                  optimizer: OptimizerState(kind: "adam", integers: ["t/w": 30], reals: ["loss": 1.5]),
                                  seconds: 2)
        var object = TrainingMetadata(state).dictionary
        for (key, value) in changes { object[key] = value }
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test func aValidStateReadsBack() throws {
        let state = try TrainingMetadata.parse(try Self.text([:]), path: "t").state
        #expect(state.nextEpoch == 3 && state.bestEpoch == 1 && state.optimizer.integers == ["t/w": 30])
    }

    static var invalid: [(key: String, value: Any, expected: String)] { [
        ("next_epoch", -1, "an integer ≥ 0 (below 9e15)"),
        ("next_epoch", 1e300, "an integer ≥ 0 (below 9e15)"),
        ("next_epoch", 2.5, "an integer ≥ 0 (below 9e15)"),
        ("next_epoch", true, "an integer ≥ 0 (below 9e15)"),
        ("updates", -5, "an integer ≥ 0 (below 9e15)"),
        ("optimizer_steps", 9_223_372_036_854_775_807, "an integer ≥ 0 (below 9e15)"),
        ("best_epoch", 9_223_372_036_854_775_807, "an integer ≥ 0 (below 9e15)"),
        ("best_epoch", 3, "an epoch before next_epoch (3)"),
        ("best_epoch", -1, "an integer ≥ 0 (below 9e15)"),
        ("best_metric", String(Double.nan.bitPattern, radix: 16), "a finite hex Double"),
        ("seconds", String((-1.0).bitPattern, radix: 16), "a non-negative hex Double"),
    ] }

    @Test(arguments: 0..<11)
    func anOutOfRangeValueIsNamedWithItsKey(index: Int) throws {
        let (key, value, expected) = Self.invalid[index]
        let text = try Self.text([key: value])
        #expect {
            _ = try TrainingMetadata.parse(text, path: "t")
        } throws: { error in
            guard case let CheckpointError.badMetadata(file, errorKey, _, errorExpected)? = error as? CheckpointError else {
                return false
            }
            return file == "t" && errorKey == "training." + key && errorExpected == expected
        }
    }

    @Test func optimizerCountsAreNonNegativeAndRealsFinite() throws {
        #expect(throws: CheckpointError.badMetadata(file: "t", key: "training.optimizer_integers.pairs", value: "-2",
                                                    expected: "an integer ≥ 0 (below 9e15)")) {
            _ = try TrainingMetadata.parse(try Self.text(["optimizer_integers": ["pairs": -2]]), path: "t")
        }
        let infinity = String(Double.infinity.bitPattern, radix: 16)
        #expect(throws: CheckpointError.badMetadata(file: "t", key: "training.optimizer_reals.loss", value: "\(infinity) (inf)",
                                                    expected: "a finite hex Double")) {
            _ = try TrainingMetadata.parse(try Self.text(["optimizer_reals": ["loss": infinity]]), path: "t")
        }
    }

    @Test func aBestEpochWithoutItsMetricIsRefused() throws {
        #expect(throws: CheckpointError.self) {
            _ = try TrainingMetadata.parse(try Self.text(["best_metric": nil]), path: "t")
        }
    }

    /// L-BFGS's counts must match the tensors the file stores (pairs: the `s/K/…` tensors), so `restore` never loops over a
    /// count the file cannot back (a huge `pairs` made it reserve petabytes).
    @Test func lbfgsCountsMustMatchTheStoredTensors() throws {
        let w = Matrix(rows: 1, columns: 2, storage: [1, 2])
        let stored = OptimizerState(kind: "lbfgs", tensors: ["s/0/0": w, "y/0/0": w, "g/0": w],
                                    integers: ["pairs": 1, "gradients": 1], reals: ["loss": 1])
        try TrainingMetadata.checkOptimizerCounts(stored, path: "t")
        for (key, value) in [("pairs", 9_000_000_000_000_000), ("pairs", 2), ("gradients", 4_000_000)] {
            var changed = stored
            changed.integers[key] = value
            #expect(throws: CheckpointError.self) { try TrainingMetadata.checkOptimizerCounts(changed, path: "t") }
        }
    }
}
