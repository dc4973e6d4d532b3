import Testing
import RecCore
@testable import ModelComparison

/// `--models` and `--set` take names as users write them (issue 22 part 5).
@Suite struct ModelNameArgumentTests {
    static func main(_ arguments: [String]) -> (status: Int32, log: String) {
        var log: [String] = []
        let status = CompareModelsCommand.main(arguments: arguments, output: { _ in }, log: { log.append($0) })
        return (status, log.joined(separator: "\n"))
    }

    @Test func aNearMissInModelsOrSetNamesTheClosestModel() {
        let name = CatalogPicks.first(.ranking)
        let typo = String(name.dropLast())
        let models = Self.main(["--models", typo.uppercased(), "--quiet"])
        #expect(models.status == 1 && models.log.contains("unknown model '\(typo.uppercased())'; did you mean '\(name)'?"), "\(models.log)")
        // --set for a model not in the zoo was silently ignored; it is now the same error.
        let set = Self.main(["--models", name, "--set", "\(typo).batch=4", "--quiet"])
        #expect(set.status == 1 && set.log.contains("did you mean '\(name)'?"), "\(set.log)")
    }

    @Test func setValuesReachTheModelInAnyCase() throws {
        let name = CatalogPicks.first(.ranking)
        var options = ComparisonOptions()
        options.overrides = [name.uppercased(): ["epochs": "3"]]
        let runner = ComparisonRunner(zoo: .standard, options: options, log: { _ in })
        let entry = try #require(try runner.selectedEntries(for: .ranking).first { $0.name == name })
        #expect(runner.modelOptions(entry, seed: 1, builtIn: false).overrides["epochs"] == "3")
    }
}
