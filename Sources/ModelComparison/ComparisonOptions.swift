import Kernels
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
    /// `--precision fp32|bf16`: the operands of every model's dense products (fp32 accumulation in
    /// both); nil keeps the process default (`AUTOENCODERZOO_PRECISION`, else fp32).
    public var precision: ProductPrecision?
    /// `--reproducible K`: train every gradient-trained model in the trainer's reproducible mode with
    /// K parts per batch (the same bits alone and on up to K ranks, on any number of threads;
    /// `Trainer.reproducibleShards`); nil: off.
    public var reproducibleShards: Int?
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

    /// `--report FILE.html`: a self-contained page of the results (`ReportPage`), rewritten with `--output`.
    public var reportPath: String?
    /// Model-specific `model.key=value` overrides.
    public var overrides: [String: [String: String]] = [:]
    /// Suppress per-epoch progress on stderr.
    public var quiet: Bool = false
    /// Print usage and exit.
    public var showHelp: Bool = false
    /// `--config FILE.json`: the experiment file (or results file) the options were read from.
    public var configPath: String?
    /// What the results file given to `--config` recorded of its run (nil for a plain experiment file).
    public var recorded: RecordedRun?
    /// Where each model setting and tuning-space key read from `--config` stands ("FILE line N"),
    /// keyed by `settingSourceKey` (so an entry that refuses one names the file and line).
    public var settingSources: [String: String] = [:]

    /// The key of `settingSources` for `option` ("settings" or "tuneSpace"), a model and its key.
    static func settingSourceKey(option: String, model: String, key: String) -> String {
        "\(option).\(model.lowercased()).\(key)"
    }
    /// `--accept-other-data`: run a results file's experiment even when the data's fingerprint differs.
    public var acceptsOtherData: Bool = false
    /// `--list-data`: print the named data sets and exit.
    public var listData: Bool = false
    /// `--task NAME`; nil chooses from the format and the models asked for (`TaskCatalog.task(for:zoo:)`).
    public var task: TaskName?
    /// `--save-dir DIR`: write each model's best checkpoint as `DIR/<model>-seed<S>.safetensors`.
    public var saveDirectory: String?
    /// `--resume-dir DIR`: keep each (model, seed)'s training state in DIR and continue from it
    /// (see `TrainingStateFiles`).
    public var resumeDirectory: String?

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
    /// The data differ from those the results `file` given to `--config` recorded: one line per input.
    case otherData(file: String, differences: [String])
    /// A model refused a setting read from an experiment file: where it stands ("FILE line N"), its
    /// key path, and the model's reason.
    case settingInFile(source: String, key: String, reason: String)

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
        case let .otherData(file, differences):
            return "the data differ from those \(file) was run on: \(differences.joined(separator: "; ")); "
                + "check --data, or pass --accept-other-data to run on these data anyway"
        case let .settingInFile(source, key, reason): return "\(source): \(key): \(reason)"
        }
    }
}
