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
        // No epoch trained or validated; the history is the saved reports, those of the first run.
        #expect(resumed.epochs == history.epochs && resumed.stoppedEarly && validated.value == 0)
        #expect(resumed.bestEpoch == 2)
        #expect(continued.parameters.map(\.value) == finished)

        // One epoch earlier the run had not stopped: continuing it trains exactly the stopping epoch.
        let fromThree = Counter()
        fromThree.value = 3
        let trained = Counter()
        let earlier = try trainer.train(ToyAutoencoder(items: 12, hidden: 3, seed: 4), on: toyClicks(), context: &freshContext,
                                        validation: replaying(metrics) { fromThree.next() },
                                        progress: { _ in _ = trained.next() }, resume: states[2])
        #expect(earlier.epochs.map(\.epoch) == [1, 2, 3, 4] && trained.value == 1 && earlier.stoppedEarly)
        #expect(Array(earlier.epochs.prefix(3)) == Array(history.epochs.prefix(3)))
    }

    /// A run of 4 epochs with validation, stopped after epoch 2 and resumed from its state, has
    /// the history of the run that never stopped: every epoch's report, field by field (seconds
    /// are each epoch's own wall time, so only they may differ), not only those after the resume.
    @Test func aResumedHistoryHoldsEveryEpochsReport() throws {
        let trainer = miniBatch(4, batch: 5, kl: .annealPerUpdate(cap: 0.5, totalAnnealSteps: 40),
                                learningRate: .stepDecay(everyEpochs: 1, factor: 0.5))
        /// A validation that depends on the model's weights (so it differs from epoch to epoch).
        func validation(_ model: ToyAutoencoder) -> Validation {
            Validation(metricName: "weight sum", higherIsBetter: false) {
                model.parameters.reduce(0) { $0 + $1.value.storage.reduce(0) { $0 + Double($1) } }
            }
        }
        let straightModel = ToyAutoencoder(items: 12, hidden: 3, seed: 4)
        var context = ForwardContext(mode: .training, seed: 1)
        let straight = try trainer.train(straightModel, on: toyClicks(), context: &context, validation: validation(straightModel))
        #expect(straight.epochs.map(\.epoch) == [1, 2, 3, 4])

        struct Stop: Error {}
        let model = ToyAutoencoder(items: 12, hidden: 3, seed: 4)
        var stoppedContext = ForwardContext(mode: .training, seed: 1)
        var saved: TrainingState? = nil
        #expect(throws: Stop.self) {
            try trainer.train(model, on: toyClicks(), context: &stoppedContext, validation: validation(model), onEpochEnd: { state in
                if state.nextEpoch == 2 { saved = state; throw Stop() }
            })
        }
        let state = try #require(saved)
        #expect(state.epochReports.map(\.epoch) == [1, 2])
        var freshContext = ForwardContext(mode: .training, seed: 7)
        var progressed: [Int] = []
        let resumed = try trainer.train(model, on: toyClicks(), context: &freshContext, validation: validation(model),
                                        progress: { progressed.append($0.epoch) }, resume: state)
        #expect(progressed == [3, 4])                                   // only the new epochs are trained and reported
        func withoutSeconds(_ reports: [EpochReport]) -> [EpochReport] {
            reports.map { var report = $0; report.seconds = 0; return report }
        }
        #expect(resumed.epochs.count == 4)
        #expect(withoutSeconds(resumed.epochs) == withoutSeconds(straight.epochs))
        #expect(resumed.epochs.map(\.loss).map(\.bitPattern) == straight.epochs.map(\.loss).map(\.bitPattern))
        #expect(Array(resumed.epochs.prefix(2)) == state.epochReports)  // the saved epochs' own seconds
        #expect(Set(straight.epochs.map(\.learningRate)).count == 4 && Set(straight.epochs.map(\.klWeight)).count == 4)
        #expect(resumed.bestEpoch == straight.bestEpoch && resumed.bestValidationMetric == straight.bestValidationMetric)
    }

    /// Epoch reports that do not fit the state (more than its epochs, misnumbered, a non-finite
    /// loss, another epoch count than the recipe's) are an error naming the field.
    @Test(arguments: ["count", "epoch", "loss", "epoch_count"])
    func inconsistentEpochReportsAreRejected(broken: String) throws {
        var context = ForwardContext(mode: .training, seed: 1)
        var states: [TrainingState] = []
        _ = try miniBatch(6, batch: 8).train(ScriptedModel(), on: toyClicks(), context: &context, onEpochEnd: { states.append($0) })
        var state = states[2]                                              // next_epoch 3, reports of epochs 1…3
        let field: String
        switch broken {
        case "count": state.epochReports.append(state.epochReports[2]); field = "epoch_reports.epoch"
        case "epoch": state.epochReports[1].epoch = 5; field = "epoch_reports.epoch[1]"
        case "loss": state.epochReports[2].loss = .infinity; field = "epoch_reports.loss[2]"
        default: state.epochReports = state.epochReports.map { var report = $0; report.epochCount = 7; return report }
                 field = "epoch_reports.epoch_count"
        }
        #expect {
            try miniBatch(6, batch: 8).train(ScriptedModel(), on: toyClicks(), context: &context, resume: state)
        } throws: { error in
            guard case TrainingError.invalidResumeState(let name, _, _) = error else { return false }
            return name == field
        }
    }

    /// A state without reports (written before they were kept) still resumes; the history then
    /// starts at the resume, and the states saved from there hold the reports of those epochs.
    @Test func aStateWithoutReportsResumesWithTheEpochsFromThere() throws {
        var context = ForwardContext(mode: .training, seed: 1)
        var states: [TrainingState] = []
        _ = try miniBatch(5, batch: 8).train(ScriptedModel(), on: toyClicks(), context: &context, onEpochEnd: { states.append($0) })
        var old = states[1]
        old.epochReports = []
        var later: [TrainingState] = []
        let resumed = try miniBatch(5, batch: 8).train(ScriptedModel(), on: toyClicks(), context: &context, resume: old,
                                                       onEpochEnd: { later.append($0) })
        #expect(resumed.epochs.map(\.epoch) == [3, 4, 5])
        #expect(later.last?.epochReports.map(\.epoch) == [3, 4, 5] && later.last?.epochReportsProblem() == nil)
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
