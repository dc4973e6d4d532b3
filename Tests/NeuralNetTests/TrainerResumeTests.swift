import Testing
import TensorCore
@testable import NeuralNet

/// Resuming with the one trainer: a stopped run continues as if it never stopped, a finished one
/// trains no further, and a saved state that does not fit the recipe is an error.
@Suite struct TrainerResumeTests {
    /// The state saved after the epoch that stopped the run is a finished run: continuing it trains
    /// no further epoch and leaves the best epoch's values, as the uninterrupted run did. Every
    /// saved state carries the summed epoch seconds.
    @Test func resumingAStateThatStoppedEarlyTrainsNoFurther() throws {
        let metrics = [0.5, 0.6, 0.4, 0.3, 0.7, 0.8]
        let trainer = miniBatch(6, batch: 8, patience: 2)
        let model = ToyAutoencoder(items: 12, hidden: 3, seed: 4)
        var context = ForwardContext(mode: .training, seed: 1)
        var states: [TrainingState] = []
        var epochSeconds: [Double] = []
        let counter = Counter()
        let history = try trainer.train(model, on: toyClicks(), context: &context, validation: replaying(metrics) { counter.next() },
                                        progress: { epochSeconds.append($0.seconds) }, onEpochEnd: { states.append($0) })
        #expect(history.stoppedEarly && states.count == 4)
        #expect(states.map(\.seconds) == [1, 2, 3, 4].map { epochSeconds.prefix($0).reduce(0, +) })
        #expect(states[3].seconds > 0)
        let finished = model.parameters.map(\.value)

        let continued = ToyAutoencoder(items: 12, hidden: 3, seed: 99)
        for (parameter, value) in zip(continued.parameters, finished) { parameter.value = value }
        var freshContext = ForwardContext(mode: .training, seed: 7)
        let validated = Counter()
        let resumed = try trainer.train(continued, on: toyClicks(), context: &freshContext,
                                        validation: replaying(metrics) { validated.next() }, resume: states[3])
        #expect(resumed.epochs.isEmpty && resumed.stoppedEarly && validated.value == 0)
        #expect(resumed.bestEpoch == 2)
        #expect(continued.parameters.map(\.value) == finished)

        // One epoch earlier the run had not stopped: continuing it trains exactly the stopping epoch.
        let fromThree = Counter()
        fromThree.value = 3
        let earlier = try trainer.train(ToyAutoencoder(items: 12, hidden: 3, seed: 4), on: toyClicks(), context: &freshContext,
                                        validation: replaying(metrics) { fromThree.next() }, resume: states[2])
        #expect(earlier.epochs.map(\.epoch) == [4] && earlier.stoppedEarly)
    }

    /// A saved state that no run of this recipe could have written is an error naming the field
    /// (it was a crash, an endless loop or extra epochs before).
    @Test(arguments: [("next_epoch", 7), ("next_epoch", -1), ("updates", -5), ("best_epoch", 3), ("optimizer_steps", -1)])
    func aStateThatDoesNotFitTheRecipeIsRejected(field: String, value: Int) throws {
        var context = ForwardContext(mode: .training, seed: 1)
        var states: [TrainingState] = []
        _ = try miniBatch(6, batch: 8).train(ScriptedModel(), on: toyClicks(), context: &context, onEpochEnd: { states.append($0) })
        var state = states[2]                                              // next_epoch 3
        switch field {
        case "next_epoch": state.nextEpoch = value
        case "updates": state.updates = value
        case "best_epoch": state.bestEpoch = value
        default: state.optimizerSteps = value
        }
        #expect {
            try miniBatch(6, batch: 8).train(ScriptedModel(), on: toyClicks(), context: &context, resume: state)
        } throws: { error in
            guard case TrainingError.invalidResumeState(let name, let text, _) = error else { return false }
            return name == field && text == "\(value)" && "\(error)".contains(field)
        }
    }
}
