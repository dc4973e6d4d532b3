import RecCore

extension ComparisonOptions {
    /// Every option of `CompareModels`, in `--help` order: the one list the flag parser, the
    /// experiment-file reader, the configuration a results file records and `--help` are made from.
    /// Adding an option is one entry here (and its field on `ComparisonOptions`).
    public static let declarations: [OptionDeclaration] = dataDeclarations + modelDeclarations + outputDeclarations

    /// The option declared with `flag` (or that alias), or nil.
    public static func declaration(flag: String) -> OptionDeclaration? {
        declarations.first { $0.flag == flag || $0.alias == flag }
    }

    /// The option whose experiment-file key is `key`, or nil.
    public static func declaration(key: String) -> OptionDeclaration? {
        declarations.first { $0.key == key }
    }

    /// The flag of the experiment-file option.
    static let configFlag = "--config"

    /// A positive integer from `text`.
    static func positiveInt(_ text: String) throws -> Int {
        guard let value = Int(text), value > 0 else { throw OptionDeclaration.InvalidValue(expected: "a positive integer") }
        return value
    }

    static let dataDeclarations: [OptionDeclaration] = [
        OptionDeclaration(
            "--data", key: "data", valueName: "PATH|NAME", kind: .text, scope: .experiment,
            help: """
            ratings file (.gz read transparently), GroupLens zip archive, or
            split folder; or a named data set: ml-100k, ml-1m, ml-10m, ml-20m,
            ml-25m, ml-32m, fetched once from GroupLens into the cache (checked
            by size and SHA-256, resumed if interrupted), with its papers'
            protocol unless overridden: ml-20m/25m/32m ranking (Liang et al.,
            ratings > 3.5, 10,000 held-out users), ml-1m/10m rating (AutoRec's
            random 90/10), ml-100k ranking. netflix and msd cannot be fetched
            (see --list-data for the layout --data PATH expects)
            """,
            read: { options, text, _ in options.dataPath = text }, write: { $0.dataPath.map(ConfigurationValue.string) }),
        OptionDeclaration(
            "--list-data", key: nil, kind: .switch, scope: .commandLine,
            help: """
            the named data sets: protocol, licence, whether cached; then exit
            (a vae_cf split: train.csv, …, unique_sid.txt; its checkpoints
            speak the ids listed in unique_sid.txt, see Recommend --help)
            """,
            read: { options, _, _ in options.listData = true }),
        OptionDeclaration(
            "--format", key: "format", valueName: "FORMAT", kind: .text, scope: .experiment,
            help: DataFormat.allCases.map(\.rawValue).joined(separator: " | ") + """

            (default: guessed from the path). csv: user,item,rating[,...]
            with optional header, or user,item alone (clicks, no ratings).
            rating-split: PATH is a folder
            with train.csv and test.csv (user,item,rating with original ids,
            header optional, .gz allowed), optionally validation.csv; the test
            set is fixed, and without validation.csv each seed holds out 10%
            of train for validation; implies --task rating
            """,
            read: { options, text, _ in
                guard let format = DataFormat(rawValue: text) else {
                    throw OptionDeclaration.InvalidValue(expected: DataFormat.allCases.map(\.rawValue).joined(separator: ", "))
                }
                options.format = format
            },
            write: { $0.format.map { .string($0.rawValue) } }),
        OptionDeclaration(
            "--task", key: "task", valueName: "{tasks}", kind: .text, scope: .experiment,
            help: """
            ranking (Recall, NDCG) or rating prediction (RMSE, MAE on a random
            90/10 split per seed); default: the task a split folder is made
            for, else the task of the models asked for, else ranking
            """,
            read: { options, text, tasks in
                guard tasks.contains(text) else { throw OptionDeclaration.InvalidValue(expected: tasks.joined(separator: " or ")) }
                options.task = TaskName(text)
            },
            write: { $0.task.map { .string($0.rawValue) } }),
        OptionDeclaration(
            "--validation-fraction", key: "validationFraction", valueName: "F", kind: .number, scope: .experiment,
            help: """
            rating task: share of the training ratings held out per seed for
            validation and best-epoch selection (default 0.1); 0 trains on all
            of them and keeps the last epoch (as a peer without validation)
            """,
            read: { options, text, _ in
                guard let value = Double(text), value >= 0 && value < 1 else {
                    throw OptionDeclaration.InvalidValue(expected: "a number in [0, 1)")
                }
                options.validationFraction = value
            },
            write: { $0.validationFraction.map(ConfigurationValue.number) }),
        OptionDeclaration(
            "--duplicates", key: "duplicates", valueName: "POLICY", kind: .text, scope: .experiment,
            help: """
            a (user, item) pair a ratings file lists twice: keep-last (default:
            the latest timestamp, then the later line), keep-first, or reject
            (an error naming both lines); the count dropped is reported
            """,
            read: { options, text, _ in
                guard let policy = DuplicatePolicy(argument: text) else {
                    throw OptionDeclaration.InvalidValue(expected: DuplicatePolicy.allCases.map(\.argument).joined(separator: ", "))
                }
                options.duplicates = policy
            },
            write: { $0.duplicates == .keepLast ? nil : .string($0.duplicates.argument) }),
        OptionDeclaration(
            "--heldout-users", key: "heldoutUsers", valueName: "N", kind: .integer, scope: .experiment,
            help: """
            validation and test users each for a raw-ratings split
            (default: 10% of users each, at most 10,000)
            """,
            read: { options, text, _ in options.heldOutUsers = try positiveInt(text) },
            write: { $0.heldOutUsers.map { .integer(String($0)) } }),
        OptionDeclaration(
            "--min-rating", key: "minRating", valueName: "X|none", kind: .numberOrText, scope: .experiment,
            help: """
            ranking split of a ratings file: ratings strictly above X are
            clicks, the others dropped; none keeps every row (default: 3.5,
            as Liang et al. on MovieLens, where the file has ratings; none
            for a click file: a --format csv file of two columns, user,item,
            header optional, is clicks with no rating column); shown in the
            data line
            """,
            read: { options, text, _ in
                guard let threshold = ClickThreshold(argument: text) else {
                    throw OptionDeclaration.InvalidValue(expected: "a finite number or none")
                }
                options.minimumRating = threshold
            },
            write: { options in
                options.minimumRating.map { threshold in
                    Double(threshold.argument).map(ConfigurationValue.number) ?? .string(threshold.argument)
                }
            }),
    ]
}
