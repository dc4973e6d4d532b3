import Testing
import Kernels
import ModelKit
import NeuralNet
import RecCore
import TensorCore
import TestSupport
import ZooCatalog

/// Every catalog entry, on the toy data of its task with its own tiny settings: it trains (a
/// gradient-trained model's loss falls; a closed-form one reports its fit), every figure is finite,
/// it answers in both forms, never recommends a seen item, and the same seed gives the same numbers.
/// No model is named here: the list is the catalog.
@Suite struct ConformanceTests {
    static let names = ModelZoo.standard.names

    @Test(arguments: names)
    func trainsAndAnswers(name: String) throws {
        let entry = try ModelZoo.standard.entry(named: name)
        let model = try ZooTesting.make(entry)
        let untrained = ZooTesting.evaluate(try ZooTesting.make(entry), task: entry.task)
        var losses: [Double] = []
        let history = try ZooTesting.fit(model, task: entry.task, progress: { losses.append($0.loss) })
        #expect(history.epochs.allSatisfy { $0.validationMetric?.isFinite == true } && !history.epochs.isEmpty)
        #expect(losses.allSatisfy { $0.isFinite } && losses.count == history.epochs.count)
        if model is any StepTrainedModel {
            #expect(history.epochs.count == 6)
            #expect(losses.last! < losses.first!, "\(name): loss did not fall: \(losses)")
        }

        // The test metrics are finite, and the trained model beats the untrained one on the headline.
        let task = ToyData.task(entry.task)
        let report = ZooTesting.evaluate(model, task: entry.task)
        #expect(task.metrics.allSatisfy { report.values[$0.key]?.mean.isFinite == true }, "\(name): \(report.values)")
        let key = task.validationMetric.key
        let trained = try #require(report.values[key]?.mean), before = try #require(untrained.values[key]?.mean)
        #expect(task.validationMetric.isBetter(trained, than: before), "\(name): \(key) \(before) → \(trained)")

        // Dense scores for the training users have the right shape, are finite, and top-K never
        // repeats a seen item (all users at once: an item-based model reads items across them).
        let histories = ToyData.split(for: entry.task).train
        let scores = model.scores(for: histories)
        #expect(scores.rows == histories.rows && scores.columns == histories.columns && Kernels.allFinite(scores))
        let top = model.recommend(for: histories, count: 5)
        for row in 0..<histories.rows {
            #expect(Set(top[row]).isDisjoint(with: histories.columns(inRow: row)), "\(name): recommended a seen item")
            #expect(top[row].count == 5)
        }
        let answers = ZooTesting.outputs(model, task: entry.task)
        #expect(!answers.isEmpty && answers.allSatisfy { $0.isFinite })
    }

    @Test(arguments: names)
    func sameSeedSameNumbers(name: String) throws {
        let entry = try ModelZoo.standard.entry(named: name)
        let first = try ZooTesting.make(entry, epochs: 2), second = try ZooTesting.make(entry, epochs: 2)
        let other = try ZooTesting.make(entry, epochs: 2, seed: 12)
        for model in [first, second, other] { try ZooTesting.fit(model, task: entry.task, validate: false) }
        let outputs = [first, second, other].map { ZooTesting.outputs($0, task: entry.task) }
        #expect(outputs[0].map(\.bitPattern) == outputs[1].map(\.bitPattern))
        if first is any StepTrainedModel {                       // a seeded model differs with the seed
            #expect(outputs[0] != outputs[2])
        }
    }

    /// The paper defaults, the small-data settings `CompareModels` applies on its built-in data, and
    /// the tiny test settings all build; parameter names are unique (checkpoints key by them).
    @Test(arguments: names)
    func everyDeclaredSettingBuilds(name: String) throws {
        let entry = try ModelZoo.standard.entry(named: name)
        let shape = ToyData.split(for: entry.task).shape
        for overrides in [[:], entry.builtInDataOverrides, entry.testOverrides] {
            let options = ModelOptions(seed: 1, epochs: 1, overrides: overrides)
            let model = try entry.make(shape, options)
            let names = model.parameters.map(\.name)
            #expect(Set(names).count == names.count, "\(name): duplicate parameter names")
            #expect(model.parameterCount > 0)
            #expect(try entry.parameterCount(shape, options) == model.parameterCount, "\(name) \(overrides): counted ≠ built")
        }
        #expect(throws: ModelZooError.self) {
            _ = try entry.make(shape, ModelOptions(seed: 1, overrides: ["no-such-option": "1"]))
        }
    }

    @Test func catalogNamesAreUniqueAndEveryEntryHasATask() {
        let names = ModelZoo.standard.names
        #expect(Set(names).count == names.count && !names.isEmpty)
        #expect(ModelZoo.standard.entries.allSatisfy { [TaskName.ranking, .rating].contains($0.task) })
        #expect(ModelZoo.standard.entries.allSatisfy { !$0.summary.isEmpty })
    }
}
