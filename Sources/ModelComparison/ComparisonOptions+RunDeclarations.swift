import Kernels
extension ComparisonOptions {
    /// `MODEL.KEY=VALUE` split into its three parts (the value may hold `=` and `.`); anything
    /// else is an invalid value saying what was `expected`.
    static func modelKeyValue(_ text: String, expected: String) throws -> (model: String, key: String, value: String) {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        let key = parts.first?.split(separator: ".", maxSplits: 1).map(String.init) ?? []
        guard parts.count == 2, key.count == 2 else { throw OptionDeclaration.InvalidValue(expected: expected) }
        return (key[0], key[1], parts[1])
    }

    /// The models, their settings, epochs and seeds.
    static let modelDeclarations: [OptionDeclaration] = [
        OptionDeclaration(
            "--models", key: "models", valueName: "A,B,...", kind: .list, scope: .experiment,
            help: """
            models to run (default: all), case-insensitive (Mult-VAE is
            mult-vae); a near miss is answered with the closest name.
            Known: {models}
            """,
            read: { options, text, _ in options.models = text.split(separator: ",").map(String.init).filter { !$0.isEmpty } },
            write: { $0.models.isEmpty ? nil : .list($0.models) }),
        OptionDeclaration(
            "--epochs", key: "epochs", valueName: "N", kind: .integer, scope: .experiment,
            help: "training epochs for every model (default: each model's own)",
            read: { options, text, _ in options.epochs = try positiveInt(text) },
            write: { $0.epochs.map { .integer(String($0)) } }),
        OptionDeclaration(
            "--seeds", key: "seeds", valueName: "N", kind: .integer, scope: .experiment,
            help: "repeat with N seeds; report mean ± spread over seeds (default 1)",
            read: { options, text, _ in options.seeds = try positiveInt(text) },
            write: { .integer(String($0.seeds)) }),
        OptionDeclaration(
            "--seed", key: "seed", valueName: "S", kind: .integer, scope: .experiment,
            help: "first seed (default 1)",
            read: { options, text, _ in
                guard let seed = UInt64(text) else { throw OptionDeclaration.InvalidValue(expected: "a non-negative integer") }
                options.firstSeed = seed
            },
            write: { .integer(String($0.firstSeed)) }),
        OptionDeclaration(
            "--precision", key: "precision", valueName: "fp32|bf16", kind: .text, scope: .experiment,
            help: """
            operands of every model's dense products (matrix products of the
            dense layers, both passes): bf16 rounds them to bfloat16 and sums
            in fp32 (AMX-BF16 or AVX512_BF16 where the CPU has them, else an
            exact but slow emulation); weights, gradients and optimiser state
            stay fp32; EASE's Gram matrix and inverse stay fp32. Default fp32
            (AUTOENCODERZOO_PRECISION=bf16 changes it)
            """,
            read: { options, text, _ in
                guard let precision = ProductPrecision(argument: text) else {
                    throw OptionDeclaration.InvalidValue(expected: ProductPrecision.allCases.map(\.rawValue).joined(separator: " or "))
                }
                options.precision = precision
            },
            write: { $0.precision.map { .string($0.rawValue) } }),
        OptionDeclaration(
            "--reproducible", key: "reproducible", valueName: "K", kind: .integer, scope: .experiment,
            help: """
            train in K parts per batch, each part's gradients added exactly:
            the same numbers, bit for bit, alone and under mpirun -np N for
            any N ≤ K, on any number of threads. Slower, the more so the
            larger K (ML-1M: 1.1–2.7× an epoch at K = 2, up to 9.5× at
            K = 12): give K = N. Documentation/Scaling.md, "Reproducible
            mode". Default off
            """,
            read: { options, text, _ in options.reproducibleShards = try positiveInt(text) },
            write: { $0.reproducibleShards.map { .integer(String($0)) } }),
        OptionDeclaration(
            "--set", key: "settings", valueName: "MODEL.KEY=VALUE", kind: .settings, scope: .experiment,
            help: """
            a model option, e.g. --set mult-vae.dropout=0.5 (repeatable);
            in a file: "settings": {"mult-vae": {"dropout": 0.5}}
            """,
            read: { options, text, _ in
                let (model, key, value) = try modelKeyValue(text, expected: "MODEL.KEY=VALUE")
                options.overrides[model, default: [:]][key] = value
            },
            write: { $0.overrides.isEmpty ? nil : .settings($0.overrides) }),
        OptionDeclaration(
            "--tune", key: "tune", valueName: "N", kind: .integer, scope: .experiment,
            help: """
            tune each model first: N trials on the validation part only
            (random search over the entry's space, trial 1 its paper
            values; a grid when the space is discrete and has at most N
            points), trials falling behind the median of the earlier ones
            at the same epoch stopped (from a fifth of the epochs, or
            --tune-grace, once 3 reached it); the best validation value
            chooses, then the choice is trained and scored once on test per
            seed (one search when the split is the same for every seed, else
            one per seed). Keys given with --set are held fixed. See
            Documentation/Tuning.md
            """,
            read: { options, text, _ in options.tuneTrials = try positiveInt(text) },
            write: { $0.tuneTrials.map { .integer(String($0)) } }),
        OptionDeclaration(
            "--tune-grace", key: "tuneGrace", valueName: "N", kind: .integer, scope: .experiment,
            help: """
            the median rule stops no trial before epoch N (default: a fifth
            of the trial's epochs, at least 5)
            """,
            read: { options, text, _ in options.tuneGraceEpochs = try positiveInt(text) },
            write: { $0.tuneGraceEpochs.map { .integer(String($0)) } }),
        OptionDeclaration(
            "--tune-space", key: "tuneSpace", valueName: "MODEL.KEY=SPEC", kind: .settings, scope: .experiment,
            help: """
            replace or add a dimension of MODEL's space: LOW...HIGH,
            log:LOW...HIGH, int:LOW...HIGH, log-int:LOW...HIGH or A|B|C
            (e.g. --tune-space ease.lambda=log:100...3000); in a file:
            "tuneSpace": {"ease": {"lambda": "log:100...3000"}}
            """,
            read: { options, text, _ in
                let (model, key, spec) = try modelKeyValue(text, expected: "MODEL.KEY=SPEC")
                options.tuneSpaces[model, default: [:]][key] = spec
            },
            write: { $0.tuneSpaces.isEmpty ? nil : .settings($0.tuneSpaces) }),
    ]

    /// Where results go, what is printed, and the command-line-only options.
    static let outputDeclarations: [OptionDeclaration] = [
        OptionDeclaration(
            "--output", key: "output", valueName: "FILE.json", kind: .text, scope: .output,
            help: """
            also write results as JSON, and as CSV beside it; both are
            rewritten after every model and seed, so a stopped run keeps
            what finished. The JSON records the run's configuration (the
            experiment options, in the --config layout), the program's
            version and the sha256 of the data read, so --config FILE.json
            runs it again. With two models or more, the paired tests go to
            FILE-significance.json and FILE-significance.csv: for every
            pair and seed, the paired t-test and Wilcoxon signed-rank
            p-values on the per-user figure (ranking: NDCG@100; rating: each
            user's mean squared error), raw and Holm-corrected over the
            pairs
            """,
            read: { options, text, _ in options.outputPath = text }, write: { $0.outputPath.map(ConfigurationValue.string) }),
        OptionDeclaration(
            "--tune-log", key: "tuneLog", valueName: "FILE", kind: .text, scope: .output,
            help: """
            the trials' JSON-lines log, appended as each finishes; running the
            same command again continues the search from it (default:
            FILE-tuning.jsonl beside --output FILE.json, else
            compare-models-tuning.jsonl here). A log of another search (data,
            options, space) is refused, naming its file and line
            """,
            read: { options, text, _ in options.tuneLogPath = text }, write: { $0.tuneLogPath.map(ConfigurationValue.string) }),
        OptionDeclaration(
            "--per-user", key: "perUser", valueName: "FILE.csv", kind: .text, scope: .output,
            help: """
            write every run's per-user figure: model,seed,user,<metric>
            (original user ids; ndcg100 or user_mse)
            """,
            read: { options, text, _ in options.perUserPath = text }, write: { $0.perUserPath.map(ConfigurationValue.string) }),
        OptionDeclaration(
            "--report", key: "report", valueName: "FILE.html", kind: .text, scope: .output,
            help: """
            write one self-contained page (inline SVG and CSS, no scripts,
            nothing fetched): the table, learning curves, metric bars with
            95 % intervals, the significance matrix, the data's histograms,
            settings and machine; rewritten after every model and seed.
            `swift run Report results.json` makes it again from a results file
            """,
            read: { options, text, _ in options.reportPath = text }, write: { $0.reportPath.map(ConfigurationValue.string) }),
        OptionDeclaration(
            "--save-dir", key: "saveDir", valueName: "DIR", kind: .text, scope: .output,
            help: """
            write each model's best checkpoint to DIR/<model>-seed<S>.safetensors
            (weights, options, item ids, training histories; see Recommend)
            """,
            read: { options, text, _ in options.saveDirectory = text }, write: { $0.saveDirectory.map(ConfigurationValue.string) }),
        OptionDeclaration(
            "--resume-dir", key: "resumeDir", valueName: "DIR", kind: .text, scope: .output,
            help: """
            keep each model and seed's training state in
            DIR/<model>-seed<S>.training.safetensors, rewritten after every
            epoch; run the same command again to continue where it stopped
            (same numbers as an uninterrupted run; finished ones are only
            re-scored). A file from other options or data is an error.
            """,
            read: { options, text, _ in options.resumeDirectory = text },
            write: { $0.resumeDirectory.map(ConfigurationValue.string) }),
        OptionDeclaration(
            "--quiet", key: "quiet", kind: .switch, scope: .output,
            help: "no per-epoch progress on stderr",
            read: { options, text, _ in options.quiet = text == "true" }, write: { $0.quiet ? .bool(true) : nil }),
        OptionDeclaration(
            configFlag, key: nil, valueName: "FILE.json", kind: .text, scope: .commandLine,
            help: """
            read the options from an experiment file: a JSON object with
            any of the keys
            {keys}
            (the flags' names in camelCase; --set is "settings"). A results
            file written by --output is one: it runs that experiment again,
            after checking that the data's sha256 is the one recorded. Flags
            given as well override the file's values, wherever they stand
            (see Documentation/ExperimentFiles.md)
            """,
            read: { options, text, _ in options.configPath = text }),
        OptionDeclaration(
            "--accept-other-data", key: nil, kind: .switch, scope: .commandLine,
            help: """
            with --config of a results file: run even when the data's sha256
            differs from the one it recorded (the difference is still logged)
            """,
            read: { options, _, _ in options.acceptsOtherData = true }),
        OptionDeclaration(
            "--help", alias: "-h", key: nil, kind: .switch, scope: .commandLine, help: "this text",
            read: { options, _, _ in options.showHelp = true }),
    ]
}
