import Foundation

extension ComparisonOptions {
    /// Parses `arguments` (without the program name) by `declarations`; `--task` must name one of
    /// `tasks`. With `--config FILE`, the file's options come first and every flag given overrides
    /// them, wherever it stands on the line.
    public static func parse(_ arguments: [String], tasks: [String] = TaskCatalog.standard.names) throws -> ComparisonOptions {
        var given: [(declaration: OptionDeclaration, flag: String, text: String)] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            guard let declaration = declaration(flag: argument) else { throw ComparisonError.unknownArgument(argument) }
            if declaration.kind == .switch {
                given.append((declaration, argument, "true"))
            } else {
                index += 1
                guard index < arguments.count, !arguments[index].hasPrefix("--") else {
                    throw ComparisonError.missingValue(flag: argument)
                }
                given.append((declaration, argument, arguments[index]))
            }
            index += 1
        }
        var options = ComparisonOptions()
        if let config = given.last(where: { $0.declaration.flag == configFlag }) {
            options = try ExperimentFile.read(config.text, tasks: tasks)
        }
        for (declaration, flag, text) in given {
            do {
                try declaration.read(&options, text, tasks)
            } catch let error as OptionDeclaration.InvalidValue {
                throw ComparisonError.invalidValue(flag: flag, value: text, expected: error.expected)
            }
        }
        try options.checkOutputPaths()
        return options
    }

    /// Throws when `--per-user` or `--report` names a file `--output` writes, or the same file, or
    /// when a tuning option comes without `--tune`.
    func checkOutputPaths() throws {
        if let output = outputPath {
            let taken = [output, ResultsFiles.csvPath(for: output), ResultsFiles.significancePath(for: output),
                         ResultsFiles.csvPath(for: ResultsFiles.significancePath(for: output))]
            for (flag, path) in [("--per-user", perUserPath), ("--report", reportPath)] {
                guard let path, taken.contains(path) else { continue }
                throw ComparisonError.invalidValue(flag: flag, value: path, expected: "a file other than those --output \(output) writes")
            }
        }
        if let report = reportPath, report == perUserPath {
            throw ComparisonError.invalidValue(flag: "--report", value: report, expected: "a file other than --per-user's")
        }
        if tuneTrials == nil, let flag = tuneLogPath != nil ? "--tune-log" : !tuneSpaces.isEmpty ? "--tune-space"
            : tuneGraceEpochs != nil ? "--tune-grace" : nil {
            let value = flag == "--tune-log" ? tuneLogPath ?? ""
                : flag == "--tune-space" ? tuneSpaces.keys.sorted().joined(separator: ",") : "\(tuneGraceEpochs ?? 0)"
            throw ComparisonError.invalidValue(flag: flag, value: value, expected: "--tune N with it")
        }
    }

    /// The options in the experiment-file layout: the `.experiment` options a results file records
    /// as its `configuration` (with `includingOutputs`, the `.output` ones too); unset options are left out.
    public func configuration(includingOutputs: Bool = false) -> [String: ConfigurationValue] {
        var values: [String: ConfigurationValue] = [:]
        for declaration in Self.declarations where declaration.scope == .experiment || (includingOutputs && declaration.scope == .output) {
            if let key = declaration.key, let value = declaration.write(self) { values[key] = value }
        }
        return values
    }

    /// The keys an experiment file may hold, in `--help` order.
    public static var configurationKeys: [String] {
        declarations.filter { $0.scope != .commandLine }.compactMap(\.key)
    }

    /// `words` joined by `, `, broken into lines of at most `width` characters.
    static func wrapped(_ words: [String], width: Int) -> String {
        var lines: [String] = [""]
        for (index, word) in words.enumerated() {
            let piece = word + (index < words.count - 1 ? "," : "")
            if let last = lines.last, !last.isEmpty, last.count + 1 + piece.count > width { lines.append(piece) }
            else { lines[lines.count - 1] += (lines[lines.count - 1].isEmpty ? "" : " ") + piece }
        }
        return lines.joined(separator: "\n")
    }

    /// The usage text printed by `--help`, made from `declarations`.
    public static func usage(modelNames: [String], tasks: [String] = TaskCatalog.standard.names) -> String {
        let indent = String(repeating: " ", count: 25)
        var lines: [String] = []
        for declaration in declarations {
            let flags = (declaration.alias.map { $0 + ", " } ?? "") + declaration.flag
            let head = "  " + flags + (declaration.valueName.isEmpty ? "" : " " + declaration.valueName)
            let help = declaration.help.replacingOccurrences(of: "{models}", with: modelNames.joined(separator: ", "))
                .replacingOccurrences(of: "{keys}", with: wrapped(configurationKeys, width: 60))
                .split(separator: "\n", omittingEmptySubsequences: false)
            let expandedHead = head.replacingOccurrences(of: "{tasks}", with: tasks.joined(separator: "|"))
            let first = expandedHead.count <= 23 ? expandedHead.padding(toLength: 25, withPad: " ", startingAt: 0) : expandedHead + "  "
            lines.append(first + (help.first.map(String.init) ?? ""))
            lines += help.dropFirst().map { indent + $0 }
        }
        return """
            USAGE: swift run -c release CompareModels [options]
                   swift run -c release CompareModels --config EXPERIMENT.json [options]

            Trains and scores every ranking model of the zoo side by side and prints a table of
            Recall@20, Recall@50 and NDCG@100 (mean ± standard error over test users), training time
            and parameter count. With no --data it runs on a built-in synthetic data set with planted
            structure for 15 epochs (about two minutes on two cores); there, models sized for
            ML-20M use their small-data settings (VampPrior entries: K = 100 pseudo-inputs).
            With two models or more, the best is marked * and those not significantly worse than it
            = (paired t-test on each test user's NDCG@100, or MSE for --task rating, Holm-corrected
            over every pair of models, p ≥ 0.05). On a terminal, a line per epoch shows the batches
            done, users per second and the epoch's ETA while it runs.

            OPTIONS:

            """ + lines.joined(separator: "\n") + """


            ENVIRONMENT:
              AUTOENCODERZOO_KERNELS=builtin   force the built-in kernels instead of the system BLAS
              AUTOENCODERZOO_PRECISION=bf16    the default of --precision (bf16 products; see --precision)
              AUTOENCODERZOO_DATA=DIR          folder of real data sets used by tests and benchmarks
              AUTOENCODERZOO_CACHE=DIR         where named data sets are downloaded (default
                                               $XDG_CACHE_HOME/autoencoderzoo, else ~/.cache/autoencoderzoo)
              AUTOENCODERZOO_DATA_MIRROR=URL   fetch named data sets from URL/ml-XX.zip instead of
                                               https://files.grouplens.org/datasets/movielens/
            """
    }
}
