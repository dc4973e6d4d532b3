import Foundation
import ModelKit
import RecCore
import Testing
@testable import ModelComparison

/// `--config FILE.json`: a file equal to the flags gives the same options, flags override it, and
/// each kind of bad file is one error naming the file, the line and the key.
@Suite struct ExperimentFileTests {
    /// One value for every option an experiment file may hold.
    static let everyFlag = [
        "--data", "/tmp/x.csv", "--format", "csv", "--task", "rating", "--validation-fraction", "0.25",
        "--duplicates", "keep-first", "--heldout-users", "600", "--min-rating", "3.5",
        "--models", "model-a,model-b", "--epochs", "5", "--seeds", "3", "--seed", "18446744073709551615",
        "--set", "model-a.dropout=0.2", "--set", "model-b.hidden=7", "--output", "r.json", "--per-user", "u.csv",
        "--report", "r.html", "--precision", "bf16", "--reproducible", "6", "--tune", "4", "--tune-grace", "3",
        "--tune-space", "model-a.dropout=0.1...0.5", "--tune-log", "t.jsonl", "--save-dir", "saved", "--resume-dir", "state", "--quiet",
    ]

    static func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("experiment-\(UUID().uuidString).json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The options `path` holds, read as `--config` reads it, with the file's own path cleared.
    static func read(_ path: String, _ more: [String] = []) throws -> ComparisonOptions {
        var options = try ComparisonOptions.parse(["--config", path] + more)
        #expect(options.configPath == path)
        options.configPath = nil
        options.settingSources = [:]
        return options
    }

    @Test func theConfigurationOfTheFlagsReadsBackAsTheSameOptions() throws {
        let flags = try ComparisonOptions.parse(Self.everyFlag)
        let written = flags.configuration(includingOutputs: true)
        // Every option a file may hold is in the sample above: a new one must be added there.
        #expect(Set(written.keys) == Set(ComparisonOptions.configurationKeys), "\(written.keys.sorted())")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let path = try Self.write(String(decoding: try encoder.encode(written), as: UTF8.self))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try Self.read(path) == flags)
        // A results file records the experiment options only, not where the results went.
        #expect(flags.configuration()["output"] == nil && flags.configuration()["epochs"] == .integer("5"))
    }

    @Test func aHandWrittenFileEqualToTheFlagsGivesIdenticalOptions() throws {
        let path = try Self.write("""
            {
              "data": "/tmp/x.csv", "format": "csv", "task": "rating", "validationFraction": 0.25,
              "duplicates": "keep-first", "heldoutUsers": 600, "minRating": 3.5,
              "models": ["model-a", "model-b"], "epochs": 5, "seeds": 3, "seed": 18446744073709551615,
              "settings": {"model-a": {"dropout": 0.2}, "model-b": {"hidden": 7}},
              "output": "r.json", "perUser": "u.csv", "report": "r.html", "precision": "bf16", "reproducible": 6, "tune": 4, "tuneGrace": 3,
              "tuneSpace": {"model-a": {"dropout": "0.1...0.5"}}, "tuneLog": "t.jsonl", "saveDir": "saved", "resumeDir": "state", "quiet": true
            }
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try Self.read(path) == (try ComparisonOptions.parse(Self.everyFlag)))
    }

    @Test func flagsOverrideTheFileWhereverTheyStand() throws {
        let path = try Self.write(#"{"epochs": 5, "seeds": 2, "settings": {"m": {"a": "1", "b": "2"}}}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var options = try ComparisonOptions.parse(["--epochs", "3", "--config", path, "--set", "m.b=9"])
        #expect(options.epochs == 3 && options.seeds == 2 && options.overrides == ["m": ["a": "1", "b": "9"]])
        options = try ComparisonOptions.parse(["--config", path, "--min-rating", "none"])
        #expect(options.epochs == 5 && options.minimumRating?.argument == "none")
    }

    static let keys = ComparisonOptions.configurationKeys.joined(separator: ", ")

    /// A bad file and the one error it gives (FILE: its path).
    @Test(arguments: [
        ("{\n  \"epochs\": 5,\n  \"epoch\": 3\n}",
         "FILE line 3: unknown key 'epoch' (did you mean 'epochs'?); an experiment file's keys are \(keys)"),
        ("{\n  \"seeds\": \"3\"\n}", "FILE line 2: seeds must be an integer, not the string \"3\""),
        ("{\"epochs\": 2.5}", "FILE line 1: epochs must be an integer, not the number 2.5"),
        ("{\n\n  \"epochs\": 0}", "FILE line 3: epochs 0: expected a positive integer"),
        ("{\"format\": \"tsv\"}", "FILE line 1: format tsv: expected movielens-100k, movielens-1m, movielens-20m, netflix, csv, vae-cf-split, rating-split"),
        ("{\"quiet\": \"yes\"}", "FILE line 1: quiet must be true or false, not the string \"yes\""),
        ("{\"models\": [\"a\",\n 7]}", "FILE line 2: models[1] must be a string without commas, not the number 7"),
        ("{\"settings\": {\"m\": {\n\"dropout\": [0.5]}}}",
         "FILE line 2: settings.m.dropout must be a string, a number or a boolean, not an array"),
        ("{\"config\": \"other.json\"}", "FILE line 1: unknown key 'config'; an experiment file's keys are \(keys)"),
        ("{\"seeds\": 2,\n\"seeds\": 3}", "FILE line 2: not JSON: key 'seeds' given twice (lines 1 and 2)"),
        ("{\"seeds\": 2\n\"epochs\": 3}", "FILE line 2: not JSON: expected , or } in an object"),
        ("[1, 2]", "FILE line 1: top level must be an object of options, not an array"),
        ("{\"format\": 2, \"task\": \"ranking\", \"results\": []}",
         "FILE is a results file without a configuration (written before results files recorded one); give the options as flags"),
        ("{\"results\": [],\n \"configuration\": {\"epochs\": 1,\n \"output\": \"x\", \"bogus\": 1}}",
         "FILE line 3: unknown key 'configuration.bogus'; an experiment file's keys are \(keys)"),
    ])
    func aBadFileIsOneErrorNamingTheFileLineAndKey(text: String, expected: String) throws {
        let path = try Self.write(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let message = expected.replacingOccurrences(of: "FILE", with: path)
        do {
            _ = try ComparisonOptions.parse(["--config", path])
            Issue.record("no error for \(text)")
        } catch let error as ExperimentFileError {
            #expect(error.description == message)
        }
        // The program prints it as one line and exits with the usage status.
        var log: [String] = []
        #expect(CompareModelsCommand.main(arguments: ["--config", path], output: { _ in }, log: { log.append($0) }) == 2)
        #expect(log.last == "error: " + message)
    }

    /// A ranking entry with a real-valued dimension in its search space, and that key.
    static func tunable() throws -> (model: String, key: String) {
        for name in CatalogPicks.names(TaskName("ranking")) {
            let entry = try ModelZoo.standard.entry(named: name)
            if let dimension = entry.searchSpace.dimensions.first(where: {
                if case .real = $0.values { return true } else { return false }
            }) { return (name, dimension.key) }
        }
        throw ExperimentFileError.noConfiguration(file: "no ranking entry has a real-valued search dimension")
    }

    /// A file, and the start of the one error it gives (FILE: its path; M: the model; K: its key).
    static let refusedSettings = [
        ("{\n  \"models\": [\"M\"],\n  \"epochs\": 1,\n  \"settings\": {\"M\": {\n    \"no-such-key\": 0.3}}\n}",
         "FILE line 5: settings.M.no-such-key: model 'M': unknown option 'no-such-key'; known options: "),
        ("{\"models\": [\"M\"], \"epochs\": 1,\n\"settings\": {\"M\": {\"K\": \"not-a-number\"}}}",
         "FILE line 2: settings.M.K: model 'M': option K=not-a-number is invalid"),
        ("{\"models\": [\"M\"], \"epochs\": 1, \"tune\": 2,\n\"tuneSpace\": {\"M\": {\n\n\"no-such-key\": \"0.1...0.5\"}}}",
         "FILE line 4: tuneSpace.M.no-such-key: tuning space of 'M': unknown setting 'no-such-key'"),
        ("{\"models\": [\"M\"], \"epochs\": 1, \"tune\": 2,\n\"tuneSpace\": {\"M\": {\"K\": \"0.5...0.25\"}}}",
         "FILE line 2: tuneSpace.M.K: tuning space of 'M': the range of 'K' is empty"),
    ]

    /// A model setting or tuning-space key that the entry refuses (known only once the model is
    /// built, after the file is read) is one error naming the file and the line it stands on.
    @Test(arguments: refusedSettings)
    func aSettingTheModelRefusesIsNamedByItsFileLine(text: String, expected: String) throws {
        let (model, key) = try Self.tunable()
        func filled(_ text: String) -> String {
            text.replacingOccurrences(of: "\"M\"", with: "\"\(model)\"").replacingOccurrences(of: "\"K\"", with: "\"\(key)\"")
                .replacingOccurrences(of: ".M.", with: ".\(model).").replacingOccurrences(of: "'M'", with: "'\(model)'")
                .replacingOccurrences(of: ".K:", with: ".\(key):").replacingOccurrences(of: " K=", with: " \(key)=")
                .replacingOccurrences(of: "'K'", with: "'\(key)'")
        }
        let path = try Self.write(filled(text))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var log: [String] = []
        #expect(CompareModelsCommand.main(arguments: ["--config", path, "--quiet"], output: { _ in }, log: { log.append($0) }) == 1)
        let message = "error: " + filled(expected).replacingOccurrences(of: "FILE", with: path)
        #expect(log.last?.hasPrefix(message) == true, "expected \(message)\ngot \(log.last ?? "no error")")
    }

    /// The same setting given as a flag has no file line: the entry's own message, as before.
    @Test func aSettingGivenAsAFlagKeepsTheEntrysMessage() throws {
        let (model, _) = try Self.tunable()
        var log: [String] = []
        #expect(CompareModelsCommand.main(arguments: ["--models", model, "--epochs", "1", "--quiet", "--set", "\(model).no-such-key=0.3"],
                                          output: { _ in }, log: { log.append($0) }) == 1)
        #expect(log.last?.hasPrefix("error: model '\(model)': unknown option 'no-such-key'") == true, "\(log.last ?? "no error")")
    }

    @Test func anAbsentFileIsNamed() {
        #expect(throws: ExperimentFileError.self) { try ComparisonOptions.parse(["--config", "/nonexistent/e.json"]) }
        #expect("\(ExperimentFileError.unknownKey(file: "e.json", line: 3, key: "epoch", closest: "epochs", known: ["epochs"]))"
                == "e.json line 3: unknown key 'epoch' (did you mean 'epochs'?); an experiment file's keys are epochs")
    }

    @Test func theJSONReaderKeepsLinesAndLiterals() throws {
        let parsed = try LineNumberedJSON.parse(Data("{\"a\": [1e3,\n -0.5, \"x\\u00e9\\n\"],\n\"b\": {\"c\": null, \"d\": false}}".utf8))
        #expect(parsed.member("a")?.value.value == .array([
            LineNumberedJSON(value: .number("1e3"), line: 1), LineNumberedJSON(value: .number("-0.5"), line: 2),
            LineNumberedJSON(value: .string("xé\n"), line: 2)]))
        #expect(parsed.member("b")?.line == 3)
        for bad in ["{\"a\": 01x}", "{\"a\": \"\n\"}", "{\"a\" 1}", "{\"a\": tru}", "{\"a\": 1} x", "", "{\"a\": -}"] {
            #expect(throws: LineNumberedJSON.SyntaxError.self, "\(bad)") { try LineNumberedJSON.parse(Data(bad.utf8)) }
        }
    }
}
