import Testing
import ModelKit
import NeuralNet
import RecCore
import TensorCore
@testable import DeepAutoEncoderModule

/// The deep AE's epoch budget (issue 25): the paper's Netflix run counted in updates, so its 12 epochs
/// stay 12 on Netflix and a small data set trains as many updates, cut short by patience on validation.
@Suite struct DeepAutoEncoderBudgetTests {
    @Test func thePapersDataKeepsItsTwelveEpochsAndSmallDataGetsItsUpdates() throws {
        let paper = DeepAutoEncoderConfiguration.paper
        #expect(DeepAutoEncoderConfiguration.paperUpdates == 12 * 3_730)
        #expect(paper.epochBudget(rows: 477_412) == 12)                  // Netflix full: 3,730 batches of 128
        #expect(paper.epochBudget(rows: 6_040) == 933)                   // ML-1M: 48 batches → ⌈44,760 / 48⌉
        #expect(paper.epochBudget(rows: 10_000_000) == 12)               // never fewer than the paper's epochs
        #expect(paper.milestones(forBudget: 12) == [24, 36, 48, 66, 72])
        #expect(paper.milestones(forBudget: 933) == [1866, 2799, 3732, 5132, 5598])
        let model = DeepAutoEncoder(userCount: 6_040, itemCount: 10, configuration: paper)
        #expect(model.recipe.epochs == 933 && model.recipe.patience == 20 && model.recipe.epochsWithoutValidation == 12)
        #expect(model.recipe.forRun(validated: false).epochs == 12 && model.recipe.forRun(validated: true).epochs == 933)
    }

    @Test func explicitEpochsAreExact() throws {
        for options in [ModelOptions(seed: 1, epochs: 7), ModelOptions(seed: 1, overrides: ["epochs": "7"])] {
            let c = try DeepAutoEncoderConfiguration.from(options)
            #expect(c.updateBudget == nil && c.epochBudget(rows: 6_040) == 7)
            let model = DeepAutoEncoder(userCount: 6_040, itemCount: 10, configuration: c)
            #expect(model.recipe.epochs == 7 && model.recipe.epochsWithoutValidation == nil)
        }
        let c = try DeepAutoEncoderConfiguration.from(ModelOptions(seed: 1, overrides: ["update-budget": "960", "patience": "0"]))
        #expect(c.epochBudget(rows: 6_040) == 20 && c.patience == nil)
        #expect(throws: ModelZooError.self) {
            try DeepAutoEncoderConfiguration.from(ModelOptions(seed: 1, overrides: ["patience": "-1"]))
        }
    }

    /// Without validation nothing can cut the budget short, so a fit runs the paper's epochs; with
    /// validation it may run on, and patience stops it.
    @Test func aFitWithoutValidationRunsThePapersEpochs() throws {
        var c = DeepAutoEncoderConfiguration.paper
        (c.hiddenSizes, c.batchSize, c.epochs, c.updateBudget, c.patience) = ([4, 3], 4, 2, 40, 2)
        let ratings = Toy.ratings(8, 6, seed: 3)                        // 2 batches per epoch → a 20-epoch budget
        let unvalidated = try DeepAutoEncoder(userCount: 8, itemCount: 6, configuration: c).fit(FitRequest(train: ratings))
        #expect(unvalidated.epochs.count == 2)
        var calls = 0
        let constant = TaskValidation(metric: MetricDefinition(name: "RMSE", key: "rmse", higherIsBetter: false)) { _ in calls += 1; return 1.0 }   // never improves
        let validated = try DeepAutoEncoder(userCount: 8, itemCount: 6, configuration: c)
            .fit(FitRequest(train: ratings, validation: constant))
        #expect(validated.stoppedEarly && validated.epochs.count == 3 && calls == 3)    // best at 1, two more, stop
    }
}
