import Testing
import TensorCore
import Kernels
@testable import NeuralNet

/// Per-epoch phases of a recipe (`TrainingPhase`): the alternating updates of RecVAE.
@Suite struct TrainerPhaseTests {
    /// Two parameters, a constant gradient of 1 for each, and a log of what the trainer told it.
    final class PhaseLog { var events: [String] = []; var steps: [(phase: Int, names: Set<String>?)] = [] }
    struct TwoPart: TrainableModel {
        let a = Parameter(name: "a", value: Matrix([[0]])), b = Parameter(name: "b", value: Matrix([[0]]))
        let log: PhaseLog
        var parameters: [Parameter] { [a, b] }

        func lossAndGradients(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext) -> Double {
            #expect(a.gradient[0, 0] == 0 && b.gradient[0, 0] == 0, "a frozen parameter's gradient was left for the next step")
            log.steps.append((step.phase, step.updatedParameterNames))
            a.gradient = Matrix([[1]])
            b.gradient = Matrix([[1]])                                   // computed even where not updated
            return 1
        }

        func willBeginPhase(_ phase: Int, epoch: Int) { log.events.append("\(epoch):\(phase)") }
    }

    static func trainer(_ phases: [TrainingPhase], epochs: Int = 2, stepping: TrainingRecipe.Stepping? = nil) -> Trainer {
        Trainer(recipe: TrainingRecipe(epochs: epochs, stepping: stepping ?? .miniBatch(batchSize: 12, optimizer: SGD(learningRate: 1)),
                                       phases: phases))
    }

    @Test func eachPhaseUpdatesOnlyItsParametersForItsPasses() throws {
        let log = PhaseLog(), model = TwoPart(log: log)
        var context = ForwardContext(mode: .training, seed: 1)
        let history = try Self.trainer([TrainingPhase(name: "first", passes: 3, parameterNames: ["a"]),
                                        TrainingPhase(name: "second", passes: 1, parameterNames: ["b"])])
            .train(model, on: toyClicks(), context: &context)            // 24 rows, batches of 12: 2 per pass
        // SGD with rate 1 and gradient 1: a steps 3 passes × 2 batches × 2 epochs, b 1 × 2 × 2.
        #expect(model.a.value[0, 0] == -12)
        #expect(model.b.value[0, 0] == -4)
        #expect(history.optimizerSteps == 16)
        #expect(log.events == ["0:0", "0:1", "1:0", "1:1"])
        #expect(log.steps.map(\.phase) == [0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1])
        #expect(log.steps.first?.names == ["a"] && log.steps.last?.names == ["b"])
        #expect(model.a.gradient[0, 0] == 0 && model.b.gradient[0, 0] == 0)
    }

    @Test func theDefaultPhaseUpdatesEverythingOnceAndSaysSo() throws {
        let log = PhaseLog(), model = TwoPart(log: log)
        var context = ForwardContext(mode: .training, seed: 1)
        _ = try Self.trainer([.everyParameter], epochs: 1).train(model, on: toyClicks(), context: &context)
        #expect(model.a.value[0, 0] == -2 && model.b.value[0, 0] == -2)
        #expect(log.steps.allSatisfy { $0.phase == 0 && $0.names == nil })
        #expect(TrainingStep(epoch: 0, batch: 0, update: 0, klWeight: 0, learningRate: 0).updates(model.a))
        #expect(!TrainingStep(epoch: 0, batch: 0, update: 0, klWeight: 0, learningRate: 0, updatedParameterNames: ["b"]).updates(model.a))
    }

    @Test func badPhasesAreErrorsNamingTheValue() {
        let cases: [([TrainingPhase], TrainingRecipe.Stepping?, String)] = [
            ([], nil, "none"),
            ([TrainingPhase(name: "p", passes: 0)], nil, "0"),
            ([TrainingPhase(name: "p", parameterNames: ["a", "typo"])], nil, "typo"),
            ([TrainingPhase(name: "p", parameterNames: [])], nil, "none"),
            ([TrainingPhase(name: "enc", parameterNames: ["a"])], .fullBatch(iterationsPerEpoch: 1, optimizer: Rprop()), "enc"),
        ]
        for (phases, stepping, value) in cases {
            var context = ForwardContext(mode: .training, seed: 1)
            #expect(throws: TrainingError.self) {
                _ = try Self.trainer(phases, stepping: stepping).train(TwoPart(log: PhaseLog()), on: toyClicks(), context: &context)
            }
            do {
                _ = try Self.trainer(phases, stepping: stepping).train(TwoPart(log: PhaseLog()), on: toyClicks(), context: &context)
            } catch TrainingError.invalidConfiguration(_, let reported) {
                #expect(reported == value)
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }

    @Test func oneAdamOverPhasesEqualsOneAdamPerPhase() {
        // Adam keeps t per parameter: stepping a then b with one optimizer = separate optimizers.
        let shared = [Parameter(name: "a", value: Matrix([[1]])), Parameter(name: "b", value: Matrix([[2]]))]
        let separate = [Parameter(name: "a", value: Matrix([[1]])), Parameter(name: "b", value: Matrix([[2]]))]
        var one = Adam(learningRate: 0.1), forA = Adam(learningRate: 0.1), forB = Adam(learningRate: 0.1)
        for (step, gradient) in [Float(0.5), -1, 2].enumerated() {
            for p in shared + separate { p.gradient = Matrix([[gradient]]) }
            if step < 2 { _ = one.updateZeroingGradients([shared[0]]); _ = forA.updateZeroingGradients([separate[0]]) }
            _ = one.updateZeroingGradients([shared[1]]); _ = forB.updateZeroingGradients([separate[1]])
        }
        #expect(shared[0].value == separate[0].value && shared[1].value == separate[1].value)
        #expect(one.state["a"]?.step == 2 && one.state["b"]?.step == 3)
    }
}
