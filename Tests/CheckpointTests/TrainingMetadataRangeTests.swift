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
                                  seconds: 2, epochReports: reports)
        var object = TrainingMetadata(state).dictionary
        for (key, value) in changes { object[key] = value }
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    /// The reports of the valid state's three epochs.
    static let reports = (1...3).map {
        EpochReport(epoch: $0, epochCount: 5, loss: 1 / Double($0), validationMetric: $0 == 2 ? nil : 0.1 * Double($0),
                    seconds: 0.5, updates: 10 * $0, klWeight: 0.05 * Double($0), learningRate: 0.01)
    }

    /// The JSON of the valid state with the `epoch_reports` columns changed (nil: removed).
    static func text(reports changes: [String: Any?]) throws -> String {
        var columns = try #require(TrainingMetadata(TrainingState(
            nextEpoch: 3, updates: 30, optimizerSteps: 30, generator: RandomGenerator(seed: 1), epochReports: reports
        )).dictionary["epoch_reports"] as? [String: Any])
        for (key, value) in changes { columns[key] = value }
        return try text(["epoch_reports": columns])
    }

    @Test func aValidStateReadsBack() throws {
        let state = try TrainingMetadata.parse(try Self.text([:]), path: "t").state
        #expect(state.nextEpoch == 3 && state.bestEpoch == 1 && state.optimizer.integers == ["t/w": 30])
        #expect(state.epochReports == Self.reports)
    }

    /// A state written before epoch reports were kept (no `epoch_reports`) is read with none.
    @Test func aStateWithoutEpochReportsReadsBackWithNone() throws {
        let state = try TrainingMetadata.parse(try Self.text(["epoch_reports": nil]), path: "t").state
        #expect(state.nextEpoch == 3 && state.epochReports.isEmpty)
    }

    static func hex(_ value: Double) -> String { String(value.bitPattern, radix: 16) }

    /// Epoch reports that do not fit the state or are not numbers of their kind: refused, naming
    /// the file, the column (and entry) and the value.
    static var invalidReports: [(changes: [String: Any?], key: String, value: String?)] { [
        (["epoch": [1, 2, 3, 4]], "epoch_reports.epoch", "4 reports"),                            // more than next_epoch
        (["epoch": [1, 2]], "epoch_reports.loss", nil),                                          // columns of other lengths
        (["epoch": [1, 3, 2]], "epoch_reports.epoch[1]", "3"),
        (["epoch": [1, 2, 4]], "epoch_reports.epoch[2]", "4"),
        (["loss": [hex(1), hex(.nan), hex(1)]], "epoch_reports.loss[1]", "\(hex(.nan)) (nan)"),
        (["loss": [hex(1), hex(1), hex(-.infinity)]], "epoch_reports.loss[2]", "\(hex(-.infinity)) (-inf)"),
        (["seconds": [hex(1), hex(-1), hex(1)]], "epoch_reports.seconds[1]", "-1.0"),
        (["updates": [10, 5, 30]], "epoch_reports.updates[1]", "5"),
        (["updates": [10, 20, 31]], "epoch_reports.updates[2]", "31"),
        (["epoch_count": 2], "epoch_reports.epoch_count", "2"),
        (["learning_rate": ["3c23d70a", "7f800000", "3c23d70a"]], "epoch_reports.learning_rate[1]", "7f800000"),
        (["validation_metric": [hex(1), 2, hex(1)]], "epoch_reports.validation_metric[1]", "2"),
        (["kl_weight": nil], "epoch_reports.kl_weight", "(missing)"),
    ] }

    @Test(arguments: 0..<13)
    func inconsistentEpochReportsAreRefusedNamingTheField(index: Int) throws {
        let (changes, key, value) = Self.invalidReports[index]
        let text = try Self.text(reports: changes)
        #expect {
            _ = try TrainingMetadata.parse(text, path: "t")
        } throws: { error in
            guard case let CheckpointError.badMetadata(file, errorKey, errorValue, _)? = error as? CheckpointError else {
                return false
            }
            return file == "t" && errorKey == "training." + key && (value == nil || errorValue == value)
                && "\(error)".contains("t: metadata 'training.\(key)'")
        }
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
