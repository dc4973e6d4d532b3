import Testing
import ModelKit
import NeuralNet
import RecCore
import TestSupport
import ZooCatalog

/// Every gradient-trained catalog entry reads the shared `patience` key (issue 25): the value it
/// is given reaches the recipe its trainer runs, 0 turns early stopping off, and a negative value
/// is an error naming the key. No model is named here: the list is the catalog, so an entry that
/// forgets to hand its configuration's patience to its recipe fails.
@Suite struct PatienceCatalogTests {
    static let names = ModelZoo.standard.names

    /// The recipe of `name` built with `settings` over its test overrides, or nil when the entry
    /// is not trained by gradient steps (EASE and popularity fit in closed form).
    static func recipe(_ name: String, _ settings: [String: String]) throws -> TrainingRecipe? {
        let entry = try ModelZoo.standard.entry(named: name)
        let shape = ToyData.split(for: entry.task).shape
        let overrides = entry.testOverrides.merging(settings) { $1 }
        let model = try entry.make(shape, ModelOptions(seed: 1, overrides: overrides))
        return (model as? any StepTrainedModel)?.recipe
    }

    @Test(arguments: names)
    func theConfiguredPatienceReachesTheRecipe(name: String) throws {
        guard let byDefault = try Self.recipe(name, [:]) else { return }
        #expect(byDefault.patience != nil, "\(name): no default patience (issue 25: every budget is an upper bound)")
        #expect(try Self.recipe(name, ["patience": "7"])?.patience == 7, "\(name): patience=7 did not reach the recipe")
        #expect(try Self.recipe(name, ["patience": "0"])?.patience == nil, "\(name): patience=0 should turn early stopping off")
    }

    @Test(arguments: names)
    func aNegativePatienceIsRefusedNamingTheKey(name: String) throws {
        guard try Self.recipe(name, [:]) != nil else { return }
        do {
            _ = try Self.recipe(name, ["patience": "-1"])
            Issue.record("\(name): patience=-1 was accepted")
        } catch {
            #expect("\(error)".contains("patience"), "\(name): \(error)")
            #expect("\(error)".contains("-1"), "\(name): \(error)")
        }
    }
}
