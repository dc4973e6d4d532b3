import Foundation
import FuzzSupport
import TensorCore
import NeuralNet
import RecCore
import Checkpoints
import ModelKit

/// Fuzz target for the checkpoint reader: the input is a whole file, decoded as safetensors and
/// read as a `Checkpoint` (header, metadata, ids, stored history, training state). Every input
/// must give a consistent checkpoint or a `CheckpointError`; a decoded file must re-encode to
/// bytes that decode to the same file.
@main struct FuzzCheckpoint {
    /// Seeds: a small ranking checkpoint with a history and a training state, and one without
    /// either (the shapes of the CheckpointTests fixtures, with made-up weights).
    static let seeds: [String: [UInt8]] = {
        let weight = Matrix(rows: 3, columns: 2, storage: [0.5, -1, 2, 0.25, -0.125, 3])
        let bias = Matrix(rows: 1, columns: 2, storage: [0.1, -0.2])
        let history = SparseMatrix(rows: 2, columns: 3, rowPointers: [0, 2, 3], columnIndices: [0, 2, 1], values: [1, 1, 1])
        let state = TrainingState(nextEpoch: 2, updates: 8, optimizerSteps: 8, generator: RandomGenerator(seed: 7),
                                  bestEpoch: 1, bestMetric: 0.375, bestValues: ["w": weight, "b": bias],
                                  optimizer: OptimizerState(kind: "adam", tensors: ["m/w": weight, "v/w": weight],
                                                            integers: ["t/w": 8]), seconds: 1.5,
                                  epochReports: [EpochReport(epoch: 1, epochCount: 2, loss: 0.75, validationMetric: 0.375, seconds: 0.5,
                                                             updates: 4, klWeight: 0.2, learningRate: 1e-3),
                                                 EpochReport(epoch: 2, epochCount: 2, loss: 0.5, validationMetric: 0.25, seconds: 1,
                                                             updates: 8, klWeight: 0.2, learningRate: 1e-3)])
        let full = Checkpoint(model: "mult-dae", task: .ranking, options: ModelOptions(seed: 3, epochs: 2, overrides: ["hidden": "2"]),
                              itemCount: 3, userCount: 2, itemIDs: [7, 17, 27], userIDs: [1000, 1001], history: history,
                              parameters: ["w": weight, "b": bias], training: state)
        let bare = Checkpoint(model: "i-autorec", task: .rating, options: ModelOptions(seed: 1, epochs: nil, overrides: [:]),
                              itemCount: 3, userCount: 5, parameters: ["w": weight])
        return ["seed-full": [UInt8](SafeTensors.encode(full.safeTensorsFile())),
                "seed-bare": [UInt8](SafeTensors.encode(bare.safeTensorsFile()))]
    }()

    static func main() {
        FuzzHarness.run(seeds: seeds) { data, size in
            FuzzCheckpoint.fuzz(Data(UnsafeBufferPointer(start: data, count: size)))
            return 0
        }
    }

    static func fuzz(_ data: Data) {
        let file: SafeTensors.File
        do { file = try SafeTensors.decode(data, path: "fuzz.safetensors") } catch is CheckpointError { return } catch {
            FuzzHarness.fail("untyped error from decode: \(error)")
        }
        guard (try? SafeTensors.decode(SafeTensors.encode(file), path: "again")) == file else {
            FuzzHarness.fail("a decoded file does not survive encode + decode")
        }
        let checkpoint: Checkpoint
        do { checkpoint = try Checkpoint(file, path: "fuzz.safetensors") } catch is CheckpointError { return } catch {
            FuzzHarness.fail("untyped error from Checkpoint: \(error)")
        }
        check(checkpoint)
        check(checkpoint.finishedModel())
    }

    /// Counts agree with the tensors, stored numbers are finite, the training state (its epoch
    /// reports included) is in range.
    static func check(_ checkpoint: Checkpoint) {
        guard checkpoint.itemIDs.count == checkpoint.itemCount, Set(checkpoint.itemIDs).count == checkpoint.itemCount,
              Set(checkpoint.userIDs).count == checkpoint.userIDs.count else {
            FuzzHarness.fail("item ids \(checkpoint.itemIDs.count) for item_count \(checkpoint.itemCount), or repeated ids")
        }
        if let history = checkpoint.history {
            guard history.rows == checkpoint.userIDs.count, history.rows == checkpoint.userCount,
                  history.columns == checkpoint.itemCount, history.values.allSatisfy(\.isFinite) else {
                FuzzHarness.fail("history \(history.rows)×\(history.columns) for \(checkpoint.userCount) users")
            }
        }
        guard checkpoint.parameters.values.allSatisfy({ $0.storage.allSatisfy(\.isFinite) }) else {
            FuzzHarness.fail("a non-finite parameter was accepted")
        }
        if let training = checkpoint.training {
            guard training.nextEpoch >= 0, training.updates >= 0, training.optimizerSteps >= 0,
                  training.bestEpoch.map({ $0 >= 0 && $0 < training.nextEpoch }) ?? true,
                  training.seconds.isFinite, training.seconds >= 0, training.epochReportsProblem() == nil else {
                FuzzHarness.fail("training state out of range: next \(training.nextEpoch), best \(training.bestEpoch ?? -1)")
            }
        }
    }
}
