import RecCore

/// Command-line options of `CompareModels`.
public struct ComparisonOptions: Sendable, Equatable {
    /// Ratings file or split folder; nil runs the built-in synthetic data set.
    public var dataPath: String?
    /// How to read `dataPath`; nil guesses from the path.
    public var format: DataFormat?
    /// Models to run, by zoo name; empty runs every ranking model.
    public var models: [String] = []
    /// Training epochs; nil keeps each model's default (a short default on synthetic data).
    public var epochs: Int?
    /// Number of seeds; results are mean ± spread over seeds.
    public var seeds: Int = 1
    /// First seed; seed i is `firstSeed + i`.
    public var firstSeed: UInt64 = 1
    /// Validation and test users each, for the strong-generalisation split of raw ratings.
    public var heldOutUsers: Int?
    /// Where to write the results as JSON; a `.csv` twin is written beside it.
    public var outputPath: String?
    /// `--per-user FILE.csv`: every run's per-user figure (model, seed, user id, value).
    public var perUserPath: String?
    /// Model-specific `model.key=value` overrides.
    public var overrides: [String: [String: String]] = [:]
    /// Suppress per-epoch progress on stderr.
    public var quiet: Bool = false
    /// Print usage and exit.
    public var showHelp: Bool = false
    /// `--list-data`: print the named data sets and exit.
    public var listData: Bool = false
    /// `--task NAME`; nil chooses from the format and the models asked for (`TaskCatalog.task(for:zoo:)`).
    public var task: TaskName?
    /// `--save-dir DIR`: write each model's best checkpoint as `DIR/<model>-seed<S>.safetensors`.
    public var saveDirectory: String?
    /// `--resume-dir DIR`: keep each (model, seed)'s training state in DIR and continue from it
    /// (see `TrainingStateFiles`).
    public var resumeDirectory: String?

    /// `--tune N`: tune each model on validation with N trials before its test runs (`Tuning.md`).
    public var tuneTrials: Int?
    /// `--tune-log FILE`: the trials' JSON-lines log; nil: `tuningLogPath`'s default.
    public var tuneLogPath: String?
    /// `--tune-space MODEL.KEY=SPEC`: dimensions replacing or added to an entry's search space.
    public var tuneSpaces: [String: [String: String]] = [:]
    /// `--tune-grace N`: the first epoch after which the median rule may stop a trial; nil: a fifth
    /// of the trial's epochs, at least 5.
    public var tuneGraceEpochs: Int?

    /// The tuning log: `--tune-log`, else FILE-tuning.jsonl beside `--output FILE.json`, else
    /// `compare-models-tuning.jsonl` in the current folder.
    public var tuningLogPath: String {
        if let tuneLogPath { return tuneLogPath }
        if let outputPath { return ResultsFiles.tuningLogPath(for: outputPath) }
        return "compare-models-tuning.jsonl"
    }

    /// `--validation-fraction F`: share of the training ratings held out for validation in the rating
    /// task (default 0.1); 0 trains on all of them and keeps the last epoch.
    public var validationFraction: Double?

    /// Default options (built-in data, every model, one seed).
    public init() {}

    /// `--duplicates keep-last|keep-first|reject`: a (user, item) pair listed twice in a ratings file.
    public var duplicates: DuplicatePolicy = .keepLast

    /// `--min-rating X|none`: ratings above X are clicks in a ranking split; nil: the file's default.
    public var minimumRating: ClickThreshold?

    /// The data options as a task reads them.
    public var dataRequest: DataRequest {
        DataRequest(path: dataPath, format: format, heldOutUsers: heldOutUsers, validationFraction: validationFraction,
                    duplicates: duplicates, minimumRating: minimumRating)
    }

    /// The usage text printed by `--help`.
    public static func usage(modelNames: [String], tasks: [String] = TaskCatalog.standard.names) -> String {
        """
        USAGE: swift run -c release CompareModels [options]

        Trains and scores every ranking model of the zoo side by side and prints a table of
        Recall@20, Recall@50 and NDCG@100 (mean ± standard error over test users), training time
        and parameter count. With no --data it runs on a built-in synthetic data set with planted
        structure for 15 epochs (about two minutes on two cores); there, models sized for
        ML-20M use their small-data settings (VampPrior entries: K = 100 pseudo-inputs).
        With two models or more, the best is marked * and those not significantly worse than it
        = (paired t-test on each test user's NDCG@100, or MSE for --task rating, Holm-corrected
        over every pair of models, p ≥ 0.05).

        OPTIONS:
          --data PATH|NAME       ratings file (.gz read transparently), GroupLens zip archive, or
                                 split folder; or a named data set: ml-100k, ml-1m, ml-10m, ml-20m,
                                 ml-25m, ml-32m, fetched once from GroupLens into the cache (checked
                                 by size and SHA-256, resumed if interrupted), with its papers'
                                 protocol unless overridden: ml-20m/25m/32m ranking (Liang et al.,
                                 ratings > 3.5, 10,000 held-out users), ml-1m/10m rating (AutoRec's
                                 random 90/10), ml-100k ranking. netflix and msd cannot be fetched
                                 (see --list-data for the layout --data PATH expects)
          --list-data            the named data sets: protocol, licence, whether cached; then exit
                                 (a vae_cf split: train.csv, …, unique_sid.txt; its checkpoints
                                 speak the ids listed in unique_sid.txt, see Recommend --help)
          --format FORMAT        \(DataFormat.allCases.map(\.rawValue).joined(separator: " | "))
                                 (default: guessed from the path). csv: user,item,rating[,...]
                                 with optional header, or user,item alone (clicks, no ratings).
                                 rating-split: PATH is a folder
                                 with train.csv and test.csv (user,item,rating with original ids,
                                 header optional, .gz allowed), optionally validation.csv; the test
                                 set is fixed, and without validation.csv each seed holds out 10%
                                 of train for validation; implies --task rating
          --models A,B,...       models to run (default: all), case-insensitive (Mult-VAE is
                                 mult-vae); a near miss is answered with the closest name.
                                 Known: \(modelNames.joined(separator: ", "))
          --epochs N             training epochs for every model (default: each model's own)
          --seeds N              repeat with N seeds; report mean ± spread over seeds (default 1)
          --seed S               first seed (default 1)
          --task \(tasks.joined(separator: "|"))  ranking (Recall, NDCG) or rating prediction (RMSE, MAE on a random
                                 90/10 split per seed); default: the task a split folder is made
                                 for, else the task of the models asked for, else ranking
          --validation-fraction F  rating task: share of the training ratings held out per seed for
                                 validation and best-epoch selection (default 0.1); 0 trains on all
                                 of them and keeps the last epoch (as a peer without validation)
          --duplicates POLICY    a (user, item) pair a ratings file lists twice: keep-last (default:
                                 the latest timestamp, then the later line), keep-first, or reject
                                 (an error naming both lines); the count dropped is reported
          --heldout-users N      validation and test users each for a raw-ratings split
                                 (default: 10% of users each, at most 10,000)
          --min-rating X|none    ranking split of a ratings file: ratings strictly above X are
                                 clicks, the others dropped; none keeps every row (default: 3.5,
                                 as Liang et al. on MovieLens, where the file has ratings; none
                                 for a click file: a --format csv file of two columns, user,item,
                                 header optional, is clicks with no rating column); shown in the
                                 data line
          --set MODEL.KEY=VALUE  a model option, e.g. --set mult-vae.dropout=0.5 (repeatable)
          --output FILE.json     also write results as JSON, and as CSV beside it; both are
                                 rewritten after every model and seed, so a stopped run keeps
                                 what finished. With two models or more, the paired tests go to
                                 FILE-significance.json and FILE-significance.csv: for every
                                 pair and seed, the paired t-test and Wilcoxon signed-rank
                                 p-values on the per-user figure (ranking: NDCG@100; rating: each
                                 user's mean squared error), raw and Holm-corrected over the
                                 pairs
          --per-user FILE.csv    write every run's per-user figure: model,seed,user,<metric>
                                 (original user ids; ndcg100 or user_mse)
          --save-dir DIR         write each model's best checkpoint to DIR/<model>-seed<S>.safetensors
                                 (weights, options, item ids, training histories; see Recommend)
          --resume-dir DIR       keep each model and seed's training state in
                                 DIR/<model>-seed<S>.training.safetensors, rewritten after every
                                 epoch; run the same command again to continue where it stopped
                                 (same numbers as an uninterrupted run; finished ones are only
                                 re-scored). A file from other options or data is an error.
          --tune N               tune each model first: N trials on the validation part only
                                 (random search over the entry's space, trial 1 its paper
                                 values; a grid when the space is discrete and has at most N
                                 points), trials falling behind the median of the earlier ones
                                 at the same epoch stopped (from a fifth of the epochs, or
                                 --tune-grace, once 3 reached it); the best validation value chooses, then the choice is
                                 trained and scored once on test per seed (one search when the
                                 split is the same for every seed, else one per seed). Keys
                                 given with --set are held fixed. See Documentation/Tuning.md
          --tune-log FILE        the trials' JSON-lines log, appended as each finishes; running the
                                 same command again continues the search from it (default:
                                 FILE-tuning.jsonl beside --output FILE.json, else
                                 compare-models-tuning.jsonl here). A log of another search (data,
                                 options, space) is refused, naming its file and line
          --tune-grace N         the median rule stops no trial before epoch N (default: a fifth
                                 of the trial's epochs, at least 5)
          --tune-space MODEL.KEY=SPEC  replace or add a dimension of MODEL's space: LOW...HIGH,
                                 log:LOW...HIGH, int:LOW...HIGH, log-int:LOW...HIGH or A|B|C
                                 (e.g. --tune-space ease.lambda=log:100...3000)
          --quiet                no per-epoch progress on stderr
          -h, --help             this text

        ENVIRONMENT:
          AUTOENCODERZOO_KERNELS=builtin   force the built-in kernels instead of the system BLAS
          AUTOENCODERZOO_DATA=DIR          folder of real data sets used by tests and benchmarks
          AUTOENCODERZOO_CACHE=DIR         where named data sets are downloaded (default
                                           $XDG_CACHE_HOME/autoencoderzoo, else ~/.cache/autoencoderzoo)
          AUTOENCODERZOO_DATA_MIRROR=URL   fetch named data sets from URL/ml-XX.zip instead of
                                           https://files.grouplens.org/datasets/movielens/
        """
    }

    /// Parses `arguments` (without the program name); `--task` must name one of `tasks`.
    public static func parse(_ arguments: [String], tasks: [String] = TaskCatalog.standard.names) throws -> ComparisonOptions {
        var options = ComparisonOptions()
        var index = 0
        func value(_ flag: String) throws -> String {
            index += 1
            guard index < arguments.count, !arguments[index].hasPrefix("--") else {
                throw ComparisonError.missingValue(flag: flag)
            }
            return arguments[index]
        }
        /// The flag's value read by `read`; nil from it is an error saying what was `expected`.
        func parsed<Value>(_ flag: String, expected: String, _ read: (String) -> Value?) throws -> Value {
            let text = try value(flag)
            guard let parsed = read(text) else { throw ComparisonError.invalidValue(flag: flag, value: text, expected: expected) }
            return parsed
        }
        func positiveInt(_ flag: String) throws -> Int {
            try parsed(flag, expected: "a positive integer") { Int($0).flatMap { $0 > 0 ? $0 : nil } }
        }
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "-h", "--help": options.showHelp = true
            case "--quiet": options.quiet = true
            case "--list-data": options.listData = true
            case "--data": options.dataPath = try value(argument)
            case "--format":
                options.format = try parsed(argument, expected: DataFormat.allCases.map(\.rawValue).joined(separator: ", ")) {
                    DataFormat(rawValue: $0)
                }
            case "--models":
                options.models = try value(argument).split(separator: ",").map(String.init).filter { !$0.isEmpty }
            case "--epochs": options.epochs = try positiveInt(argument)
            case "--seeds": options.seeds = try positiveInt(argument)
            case "--seed": options.firstSeed = try parsed(argument, expected: "a non-negative integer") { UInt64($0) }
            case "--task":
                options.task = try parsed(argument, expected: tasks.joined(separator: " or ")) {
                    tasks.contains($0) ? TaskName($0) : nil
                }
            case "--heldout-users": options.heldOutUsers = try positiveInt(argument)
            case "--min-rating":
                options.minimumRating = try parsed(argument, expected: "a finite number or none") { ClickThreshold(argument: $0) }
            case "--duplicates":
                options.duplicates = try parsed(argument, expected: DuplicatePolicy.allCases.map(\.argument).joined(separator: ", ")) {
                    DuplicatePolicy(argument: $0)
                }
            case "--validation-fraction":
                options.validationFraction = try parsed(argument, expected: "a number in [0, 1)") { text in
                    Double(text).flatMap { $0 >= 0 && $0 < 1 ? $0 : nil }
                }
            case "--output": options.outputPath = try value(argument)
            case "--per-user": options.perUserPath = try value(argument)
            case "--save-dir": options.saveDirectory = try value(argument)
            case "--resume-dir": options.resumeDirectory = try value(argument)
            case "--tune": options.tuneTrials = try positiveInt(argument)
            case "--tune-log": options.tuneLogPath = try value(argument)
            case "--tune-grace": options.tuneGraceEpochs = try positiveInt(argument)
            case "--tune-space":
                let text = try value(argument)
                let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
                let key = parts.first?.split(separator: ".", maxSplits: 1).map(String.init) ?? []
                guard parts.count == 2, key.count == 2 else {
                    throw ComparisonError.invalidValue(flag: argument, value: text, expected: "MODEL.KEY=SPEC")
                }
                options.tuneSpaces[key[0], default: [:]][key[1]] = parts[1]
            case "--set":
                let text = try value(argument)
                let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
                let key = parts.first?.split(separator: ".", maxSplits: 1).map(String.init) ?? []
                guard parts.count == 2, key.count == 2 else {
                    throw ComparisonError.invalidValue(flag: argument, value: text, expected: "MODEL.KEY=VALUE")
                }
                options.overrides[key[0], default: [:]][key[1]] = parts[1]
            default:
                throw ComparisonError.unknownArgument(argument)
            }
            index += 1
        }
        if options.tuneTrials == nil, let flag = options.tuneLogPath != nil ? "--tune-log" : !options.tuneSpaces.isEmpty ? "--tune-space" : nil {
            throw ComparisonError.invalidValue(flag: flag, value: flag == "--tune-log" ? options.tuneLogPath ?? "" : "\(options.tuneSpaces.keys.sorted().joined(separator: ","))",
                                               expected: "--tune N with it")
        }
        if let perUser = options.perUserPath, let output = options.outputPath {
            let taken = [output, ResultsFiles.csvPath(for: output), ResultsFiles.significancePath(for: output),
                         ResultsFiles.csvPath(for: ResultsFiles.significancePath(for: output))]
            guard !taken.contains(perUser) else {
                throw ComparisonError.invalidValue(flag: "--per-user", value: perUser,
                                                   expected: "a file other than those --output \(output) writes")
            }
        }
        return options
    }
}

/// Errors in `CompareModels`' command line or run.
public enum ComparisonError: Error, CustomStringConvertible, Equatable {
    case missingValue(flag: String)
    case invalidValue(flag: String, value: String, expected: String)
    case unknownArgument(String)
    case noModels
    case staleTrainingState(file: String, what: String, saved: String, now: String)
    /// Training of `model` (its label: name, and seed when several) stopped with `reason`.
    case trainingFailed(model: String, reason: String)
    /// `--tune` on data without a validation part.
    case noValidationForTuning
    /// Every trial of a search failed (non-finite losses).
    case everyTrialFailed(model: String)

    public var description: String {
        switch self {
        case let .missingValue(flag): return "\(flag) needs a value (see --help)"
        case let .invalidValue(flag, value, expected): return "\(flag) \(value): expected \(expected)"
        case let .unknownArgument(argument): return "unknown argument '\(argument)' (see --help)"
        case .noModels: return "no models to run"
        case let .staleTrainingState(file, what, saved, now):
            return "\(file) holds the training state of another run (\(what): \(saved) there, \(now) now); delete it or pass another --resume-dir"
        case let .trainingFailed(model, reason): return "training \(model) failed: \(reason)"
        case .noValidationForTuning:
            return "--tune chooses on a validation part and these data have none (drop --validation-fraction 0)"
        case let .everyTrialFailed(model): return "tuning \(model): every trial failed; see the tuning log"
        }
    }
}
