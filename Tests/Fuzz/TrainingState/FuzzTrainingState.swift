import Foundation
import FuzzSupport
import TensorCore
import NeuralNet
import RecCore
import Checkpoints
import ModelKit

/// Fuzz target for the training-state reader: the input is one byte choosing which optimizer
/// tensors the file holds, then the JSON text of the `training` metadata entry. The checkpoint is
/// read and its optimizer state restored into the optimizer of its kind (Adam, SGD, Rprop,
/// L-BFGS). Every input must be read and restored, or give a `CheckpointError` /
/// `TrainingError`; nothing may trap or loop over a count the file does not back. Epoch reports
/// (`epoch_reports`, in every seed but the bare one) that are read must fit the state.
@main struct FuzzTrainingState {
    static let weight = Matrix(rows: 1, columns: 2, storage: [0.5, -1])
    static let optionalTensors = ["m/w", "v/w", "velocity/w", "previous/w", "steps/w", "s/0/0", "y/0/0", "g/0"]

    /// Seeds: the states of the ResumeTests optimizers (Adam, SGD, Rprop, L-BFGS) and a bare one.
    static let seeds: [String: [UInt8]] = {
        func seed(_ mask: UInt8, _ state: TrainingState) -> [UInt8] {
            let file = Checkpoint(model: "mult-dae", task: .ranking, options: ModelOptions(seed: 1, epochs: nil, overrides: [:]),
                                  itemCount: 2, userCount: 0, parameters: ["w": weight], training: state).safeTensorsFile()
            return [mask] + Array((file.metadata["training"] ?? "{}").utf8)
        }
        func state(_ optimizer: OptimizerState) -> TrainingState {
            TrainingState(nextEpoch: 3, updates: 12, optimizerSteps: 12, generator: RandomGenerator(seed: 9), bestEpoch: 2,
                          bestMetric: 0.5, bestValues: ["w": weight], optimizer: optimizer, seconds: 0.25,
                          epochReports: (1...3).map {
                              EpochReport(epoch: $0, epochCount: 4, loss: 2 / Double($0), validationMetric: $0 == 1 ? nil : 0.25 * Double($0),
                                          seconds: 0.125, updates: 4 * $0, klWeight: 0.1, learningRate: 1e-3)
                          })
        }
        return [
            "seed-adam": seed(0b11, state(OptimizerState(kind: "adam", integers: ["t/w": 12]))),
            "seed-sgd": seed(0b100, state(OptimizerState(kind: "sgd"))),
            "seed-rprop": seed(0b11000, state(OptimizerState(kind: "rprop"))),
            "seed-lbfgs": seed(0b1110_0000, state(OptimizerState(kind: "lbfgs", integers: ["pairs": 1, "gradients": 1],
                                                                 reals: ["loss": 1.25]))),
            "seed-none": seed(0, TrainingState(nextEpoch: 0, updates: 0, optimizerSteps: 0, generator: RandomGenerator(seed: 1))),
        ]
    }()

    static func main() {
        FuzzHarness.run(seeds: seeds) { data, size in
            FuzzTrainingState.fuzz(UnsafeBufferPointer(start: data, count: size))
            return 0
        }
    }

    static func fuzz(_ input: UnsafeBufferPointer<UInt8>) {
        guard let mask = input.first else { return }
        var file = SafeTensors.File()
        file.metadata = ["format": Checkpoint.formatName, "version": Checkpoint.formatVersion, "model": "mult-dae",
                         "task": "ranking", "seed": "1", "epochs": "", "overrides": "{}", "item_count": "2", "user_count": "0",
                         "training": String(decoding: UnsafeBufferPointer(rebasing: input.dropFirst()), as: UTF8.self)]
        file.tensors["__ids__/items"] = SafeTensors.Tensor(int64s: [3, 5])
        file.tensors["w"] = SafeTensors.Tensor(weight)
        file.tensors["__best__/w"] = SafeTensors.Tensor(weight)
        for (bit, name) in optionalTensors.enumerated() where mask & (1 << bit) != 0 {
            file.tensors["__optimizer__/" + name] = SafeTensors.Tensor(weight)
        }
        let state: TrainingState
        do {
            guard let training = try Checkpoint(file, path: "fuzz.safetensors").training else { return }
            state = training
        } catch is CheckpointError { return } catch { FuzzHarness.fail("untyped error from Checkpoint: \(error)") }
        guard state.nextEpoch >= 0, state.updates >= 0, state.optimizerSteps >= 0,
              state.bestEpoch.map({ $0 >= 0 && $0 < state.nextEpoch }) ?? true,
              state.optimizer.integers.values.allSatisfy({ $0 >= 0 }), state.optimizer.reals.values.allSatisfy(\.isFinite) else {
            FuzzHarness.fail("state out of range: next \(state.nextEpoch), best \(state.bestEpoch ?? -1)")
        }
        if let problem = state.epochReportsProblem() {
            FuzzHarness.fail("epoch reports accepted that do not fit: \(problem.field) = \(problem.value)")
        }
        do {
            switch state.optimizer.kind {
            case "adam": var optimizer = Adam(); try optimizer.restore(state.optimizer)
            case "sgd": var optimizer = SGD(learningRate: 0.1); try optimizer.restore(state.optimizer)
            case "rprop": var optimizer = Rprop(); try optimizer.restore(state.optimizer)
            case "lbfgs": var optimizer = LBFGS(); try optimizer.restore(state.optimizer)
            default: return
            }
        } catch is TrainingError { return } catch { FuzzHarness.fail("untyped error from restore: \(error)") }
    }
}
