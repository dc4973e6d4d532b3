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

        // The whole learning curve, the saved epochs' reports read back from the file: every field
        // but seconds (each epoch's own wall time) as the run that never stopped has it.
        #expect(continued.epochs.count == total)
        #expect(Self.withoutSeconds(continued.epochs) == Self.withoutSeconds(straight.epochs), "\(name): the epoch reports differ")
        #expect(Array(continued.epochs.prefix(stop)) == training.epochReports)
        #expect(continued.bestEpoch == straight.bestEpoch)
        #expect(continued.bestValidationMetric?.bitPattern == straight.bestValidationMetric?.bitPattern)
        #expect(continued.epochs.map(\.loss.bitPattern) == straight.epochs.map(\.loss.bitPattern))
        #expect(Toy.parameters(resumed) == Toy.parameters(uninterrupted), "\(name): parameters differ after resuming")
        #expect(ZooTesting.outputs(resumed, task: entry.task).map(\.bitPattern)
                == ZooTesting.outputs(uninterrupted, task: entry.task).map(\.bitPattern))
    }

    /// The reports with their seconds set to 0.
    static func withoutSeconds(_ reports: [EpochReport]) -> [EpochReport] {
        reports.map { var report = $0; report.seconds = 0; return report }
    }

    @Test func trainingStateRoundTripsThroughTheFile() throws {
        let generator = RandomGenerator(seed: 99)
        let state = TrainingState(
            nextEpoch: 3, updates: 17, optimizerSteps: 21, generator: generator, bestEpoch: 1, bestMetric: 0.1 + 0.2,
            bestValues: ["w": Matrix([[1, 2]])],
            optimizer: OptimizerState(kind: "lbfgs", tensors: ["s/0/0": Matrix([[3, 4]])], integers: ["pairs": 1],
                                      reals: ["loss": Double.pi]), seconds: 12.5 + 0.1,
            epochReports: [
                EpochReport(epoch: 1, epochCount: 5, loss: 0.1 + 0.2, validationMetric: .nan, seconds: 1.0 / 3,
                            updates: 6, klWeight: 0.2 / 3, learningRate: 1e-3),
                EpochReport(epoch: 2, epochCount: 5, loss: -.leastNonzeroMagnitude, validationMetric: nil, seconds: 0,
                            updates: 11, klWeight: 0, learningRate: .leastNonzeroMagnitude),
                EpochReport(epoch: 3, epochCount: 5, loss: .greatestFiniteMagnitude, validationMetric: -0.0, seconds: 2.5e-9,
                            updates: 17, klWeight: 1, learningRate: 0.1),
            ])
        let checkpoint = Checkpoint(model: "any-model", task: .ranking, options: ModelOptions(seed: .max, epochs: nil),
                                    itemCount: 2, userCount: 0, parameters: ["w": Matrix([[5, 6]])], training: state)
        let decoded = try Checkpoint(SafeTensors.decode(SafeTensors.encode(checkpoint.safeTensorsFile()), path: "x"), path: "x")
        let training = try #require(decoded.training)
        // Bit for bit (a NaN metric is not == itself): every report's Doubles and Float.
        func bits(_ reports: [EpochReport]) -> [[UInt64]] {
            reports.map { [UInt64($0.epoch), UInt64($0.epochCount), $0.loss.bitPattern, $0.validationMetric?.bitPattern ?? 1,
                           $0.seconds.bitPattern, UInt64($0.updates), $0.klWeight.bitPattern, UInt64($0.learningRate.bitPattern)] }
        }
        #expect(bits(training.epochReports) == bits(state.epochReports) && training.epochReports.count == 3)
        #expect(training.epochReports[1].validationMetric == nil)
        var withoutReports = training, expected = state
        (withoutReports.epochReports, expected.epochReports) = ([], [])
        #expect(withoutReports == expected)
        #expect(decoded.options.seed == .max && decoded.options.epochs == nil)
    }
}
