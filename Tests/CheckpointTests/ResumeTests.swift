import Foundation
import Testing
import ModelKit
import NeuralNet
import RecCore
import TensorCore
import TestSupport
import ZooCatalog
@testable import Checkpoints

/// Train N epochs without stopping vs. train, save after epoch k, load in a fresh model, resume to N:
/// the same parameters, the same outputs and the same selected epoch, bit for bit (every entry; the
/// plumbing is generic). The toy settings exercise β warm-up/annealing, validation-based best-state
/// keeping, Adam, SGD momentum, Rprop and L-BFGS.
@Suite struct ResumeTests {
    static let names = ModelZoo.standard.names

    @Test(arguments: names)
    func resumedRunEqualsUninterruptedRun(name: String) throws {
        let total = 4, stop = 2
        let (entry, uninterrupted) = try Toy.make(name, epochs: total)
        guard uninterrupted is any StepTrainedModel else {
            print("ResumeTests: \(name) fits in closed form, in one step: it has no epochs to resume")
            return
        }
        let straight = try ZooTesting.fit(uninterrupted, task: entry.task)

        let folder = try Toy.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/\(name)-epoch\(stop).safetensors"
        let (_, first) = try Toy.make(name, epochs: total)
        var saved = 0
        try ZooTesting.fit(first, task: entry.task, onEpochEnd: { state in
            saved += 1
            if state.nextEpoch == stop { try Toy.checkpoint(first, entry: entry, epochs: total, training: state).save(to: path) }
        })
        #expect(saved == total)

        let checkpoint = try Checkpoint.load(from: path)
        let training = try #require(checkpoint.training)
        #expect(training.nextEpoch == stop)
        let resumed = try checkpoint.makeModel(zoo: .standard)
        let continued = try ZooTesting.fit(resumed, task: entry.task, resume: training)

        #expect(continued.epochs.count == total - stop)
        #expect(continued.bestEpoch == straight.bestEpoch)
        #expect(continued.bestValidationMetric?.bitPattern == straight.bestValidationMetric?.bitPattern)
        #expect(continued.epochs.map(\.loss) == Array(straight.epochs.map(\.loss).suffix(total - stop)))
        #expect(Toy.parameters(resumed) == Toy.parameters(uninterrupted), "\(name): parameters differ after resuming")
        #expect(ZooTesting.outputs(resumed, task: entry.task).map(\.bitPattern)
                == ZooTesting.outputs(uninterrupted, task: entry.task).map(\.bitPattern))
    }

    @Test func trainingStateRoundTripsThroughTheFile() throws {
        let generator = RandomGenerator(seed: 99)
        let state = TrainingState(
            nextEpoch: 3, updates: 17, optimizerSteps: 21, generator: generator, bestEpoch: 1, bestMetric: 0.1 + 0.2,
            bestValues: ["w": Matrix([[1, 2]])],
            optimizer: OptimizerState(kind: "lbfgs", tensors: ["s/0/0": Matrix([[3, 4]])], integers: ["pairs": 1],
                                      reals: ["loss": Double.pi]), seconds: 12.5 + 0.1)
        let checkpoint = Checkpoint(model: "any-model", task: .ranking, options: ModelOptions(seed: .max, epochs: nil),
                                    itemCount: 2, userCount: 0, parameters: ["w": Matrix([[5, 6]])], training: state)
        let decoded = try Checkpoint(SafeTensors.decode(SafeTensors.encode(checkpoint.safeTensorsFile()), path: "x"), path: "x")
        #expect(decoded.training == state)
        #expect(decoded.options.seed == .max && decoded.options.epochs == nil)
    }
}
