import Testing
import ModelKit
import NeuralNet
import RecCore
import TestSupport
import ZooCatalog

/// Every catalog entry's search space: its keys are options the entry accepts, its paper values
/// lie in it and equal the configuration's defaults (or the difference is documented), the values a
/// tuner draws build the model, and a fit asked to stop after an epoch stops there. No model is
/// named here: the list is the catalog.
@Suite struct SearchSpaceCatalogTests {
    static let names = ModelZoo.standard.names

    /// The entry's test settings without the keys its space varies (so the space's values apply).
    static func base(_ entry: ModelEntry) -> [String: String] {
        entry.testOverrides.filter { !entry.searchSpace.keys.contains($0.key) }
    }

    @Test(arguments: names)
    func everyKeyIsAnOptionAndEveryPaperValueLiesInItsSpace(name: String) throws {
        let entry = try ModelZoo.standard.entry(named: name)
        let shape = ToyData.split(for: entry.task).shape
        try entry.check(entry.searchSpace, shape: shape, options: ModelOptions(seed: 1, epochs: 2, overrides: Self.base(entry)))
        for dimension in entry.searchSpace.dimensions {
            switch dimension.values {
            case let .real(lower, upper, _):
                let paper = try #require(Double(dimension.paperValue), "\(name).\(dimension.key)")
                #expect((lower...upper).contains(paper), "\(name).\(dimension.key): paper \(paper) outside \(dimension.specification)")
            case let .integer(lower, upper, _):
                let paper = try #require(Int(dimension.paperValue), "\(name).\(dimension.key)")
                #expect((lower...upper).contains(paper), "\(name).\(dimension.key): paper \(paper) outside \(dimension.specification)")
            case .choices(let list):
                #expect(list.contains(dimension.paperValue), "\(name).\(dimension.key): paper \(dimension.paperValue) not in \(list)")
            }
        }
    }

    /// Built with its paper values, an entry fits to the same numbers as with no setting given:
    /// the paper values are the defaults, except where a difference is written on the dimension.
    @Test(arguments: names)
    func paperValuesAreTheDefaults(name: String) throws {
        let entry = try ModelZoo.standard.entry(named: name)
        let same = entry.searchSpace.dimensions.filter { $0.defaultDifference == nil }
        for dimension in entry.searchSpace.dimensions where dimension.defaultDifference != nil {
            #expect(dimension.defaultDifference?.isEmpty == false, "\(name).\(dimension.key): an empty documented difference")
        }
        let shape = ToyData.split(for: entry.task).shape
        let paper = Self.base(entry).merging(same.map { ($0.key, $0.paperValue) }) { $1 }
        let withPaper = try entry.make(shape, ModelOptions(seed: 4, epochs: 2, overrides: paper))
        let withDefaults = try entry.make(shape, ModelOptions(seed: 4, epochs: 2, overrides: Self.base(entry)))
        try ZooTesting.fit(withPaper, task: entry.task)
        try ZooTesting.fit(withDefaults, task: entry.task)
        let (left, right) = (ZooTesting.outputs(withPaper, task: entry.task), ZooTesting.outputs(withDefaults, task: entry.task))
        #expect(left.map(\.bitPattern) == right.map(\.bitPattern), "\(name): the paper values \(paper) fit differently from the defaults")
    }

    /// The values a search draws (random and, where small, grid) are accepted and build the model.
    @Test(arguments: names)
    func sampledValuesBuild(name: String) throws {
        let entry = try ModelZoo.standard.entry(named: name)
        let shape = ToyData.split(for: entry.task).shape
        for count in [1, 4, 12] {
            let plan = TrialPlan(space: entry.searchSpace, count: count, model: name, seed: 3)
            #expect(plan.trials.count <= count && !plan.trials.isEmpty)
            for settings in plan.trials {
                #expect(Set(settings.keys).isSubset(of: entry.searchSpace.keys))
                let options = ModelOptions(seed: 1, epochs: 1, overrides: Self.base(entry).merging(settings) { $1 })
                #expect(try entry.parameterCount(shape, options) == entry.make(shape, options).parameterCount,
                        "\(name): \(settings)")
            }
        }
    }

    /// A fit whose request answers "stop" after epoch 2 runs two epochs and says it stopped early;
    /// a closed-form model reports its one epoch either way.
    @Test(arguments: names)
    func aStopDecisionEndsTheFitAfterItsEpoch(name: String) throws {
        let entry = try ModelZoo.standard.entry(named: name)
        let model = try ZooTesting.make(entry, epochs: 5)
        var asked: [Int] = []
        let split = ToyData.split(for: entry.task)
        let history = try model.fit(FitRequest(train: split.train, stopAfterEpoch: { report in
            asked.append(report.epoch)
            return report.epoch == 2
        }))
        if model is any StepTrainedModel {
            #expect(history.epochs.count == 2 && history.stoppedEarly && asked == [1, 2], "\(name): \(asked)")
        } else {
            #expect(history.epochs.count == 1 && !history.stoppedEarly, "\(name)")
        }
    }
}
