import Testing
import NeuralNet
import RecCore
import TensorCore
@testable import ModelKit

/// Search spaces: reading `--tune-space` text, drawing values, grids, the seeded trial plan, and
/// one clear error, naming the key, for an empty range and for a setting the entry does not know.
@Suite struct SearchSpaceTests {
    /// An entry reading `rate` (a number in [0, 1)) and `size` (an integer ≥ 1), nothing else.
    static let entry = ModelEntry(name: "probe", summary: "test double", task: .ranking,
                                  searchSpace: SearchSpace([.real("rate", 0.1...0.9, paper: "0.5")]),
                                  parameterCount: { shape, options in
                                      var reader = OptionReader(model: "probe", options: options)
                                      _ = try reader.double("rate", default: 0.5, in: 0..<1)
                                      let size = try reader.int("size", default: 4, minimum: 1)
                                      try reader.finish()
                                      return shape.items * size
                                  }) { _, _ in preconditionFailure("never built") }
    static let shape = DataShape(users: 10, items: 7)

    @Test func readsEverySpecificationItWrites() throws {
        let dimensions: [SearchDimension] = [
            .real("a", 0.1...0.7, paper: "0.5"), .real("b", 1e-4...1e-2, logScale: true, paper: "0.001"),
            SearchDimension("c", .integer(lower: 100, upper: 1000, logScale: false), paper: "500"),
            SearchDimension("d", .integer(lower: 8, upper: 512, logScale: true), paper: "64"),
            .choices("e", ["250", "500", "1000"], paper: "500"),
        ]
        for dimension in dimensions {
            let read = try SearchDimension(key: dimension.key, specification: dimension.specification, model: "m",
                                           paper: dimension.paperValue)
            #expect(read == dimension, "\(dimension.specification)")
        }
        #expect(throws: SearchSpaceError.unreadable(model: "m", key: "x", text: "log:a...b")) {
            try SearchDimension(key: "x", specification: "log:a...b", model: "m", paper: "")
        }
    }

    @Test func drawsInsideTheRangeOnTheRightScale() {
        let linear = SearchDimension.real("a", 0.1...0.7, paper: "0.5")
        #expect(linear.value(at: 0) == "0.1" && linear.value(at: 0.5) == "0.4" && linear.value(at: 0.999_999) == "0.7")
        let log = SearchDimension.real("b", 1e-4...1e-2, logScale: true, paper: "0.001")
        #expect(log.value(at: 0.5) == "0.001")                       // the geometric middle
        let integers = SearchDimension("c", .integer(lower: 1, upper: 3, logScale: false), paper: "2")
        #expect([0, 0.34, 0.67, 0.999].map(integers.value(at:)) == ["1", "2", "3", "3"])
        let choices = SearchDimension.choices("e", ["x", "y"], paper: "x")
        #expect(choices.value(at: 0.2) == "x" && choices.value(at: 0.7) == "y")
    }

    @Test func anEmptyRangeIsOneErrorNamingTheKey() throws {
        for text in ["0.7...0.1", "log:0...1", "int:5...2", ""] {
            let dimension = try SearchDimension(key: "rate", specification: text, model: "probe", paper: "0.5")
            let space = SearchSpace([dimension])
            do {
                try Self.entry.check(space, shape: Self.shape, options: ModelOptions())
                Issue.record("\(text): accepted")
            } catch let error as SearchSpaceError {
                guard case let .emptyRange(model, key, _) = error else { Issue.record("\(text): \(error)"); continue }
                #expect(model == "probe" && key == "rate")
                #expect(error.description.contains("'rate'") && error.description.contains("empty"), "\(error)")
            }
        }
    }

    @Test func anUnknownSettingIsOneErrorNamingTheKey() throws {
        let space = SearchSpace([.real("rate", 0.1...0.9, paper: "0.5"), .real("rtae", 0.1...0.9, paper: "0.5")])
        #expect(throws: SearchSpaceError.unknownSetting(model: "probe", key: "rtae", known: ["rate", "size"])) {
            try Self.entry.check(space, shape: Self.shape, options: ModelOptions())
        }
        let message = SearchSpaceError.unknownSetting(model: "probe", key: "rtae", known: ["rate", "size"]).description
        #expect(message.contains("unknown setting 'rtae'") && message.contains("rate, size"))
        // A value the configuration refuses keeps its own error, naming the key and the value.
        #expect(throws: ModelZooError.self) {
            try Self.entry.check(SearchSpace([.real("rate", 0.5...2, paper: "0.5")]), shape: Self.shape, options: ModelOptions())
        }
        try Self.entry.check(SearchSpace([SearchDimension("size", .integer(lower: 1, upper: 9, logScale: true), paper: "4")]),
                             shape: Self.shape, options: ModelOptions())
    }

    @Test func aSmallDiscreteSpaceIsSearchedAsAGrid() {
        let space = SearchSpace([.choices("a", ["1", "2", "3"], paper: "1"), .choices("b", ["x", "y"], paper: "x")])
        let grid = TrialPlan(space: space, count: 20, model: "m", seed: 1)
        #expect(grid.isGrid && grid.trials.count == 6 && Set(grid.trials).count == 6)
        let random = TrialPlan(space: space, count: 5, model: "m", seed: 1)
        #expect(!random.isGrid && random.trials.count == 5)
        #expect(TrialPlan(space: .none, count: 7, model: "m", seed: 1).trials == [[:]])
    }

    @Test func theSameSeedGivesTheSameTrialsAndALongerSearchStartsWithTheShorter() {
        let space = SearchSpace([.real("a", 0.1...0.7, paper: "0.5"), .real("b", 1e-4...1e-2, logScale: true, paper: "0.001")])
        let plan = TrialPlan(space: space, count: 10, model: "m", seed: 1)
        #expect(plan.trials[0] == ["a": "0.5", "b": "0.001"])                     // the paper values first
        #expect(plan == TrialPlan(space: space, count: 10, model: "m", seed: 1))
        #expect(Array(TrialPlan(space: space, count: 20, model: "m", seed: 1).trials.prefix(10)) == plan.trials)
        #expect(TrialPlan(space: space, count: 10, model: "m", seed: 2).trials != plan.trials)
        #expect(TrialPlan(space: space, count: 10, model: "n", seed: 1).trials != plan.trials)
        #expect(Set(plan.trials.map { $0["a"] ?? "" }).count == 10)
    }
}
