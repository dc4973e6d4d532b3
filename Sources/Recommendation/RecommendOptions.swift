/// Command-line options of the `Recommend` example.
public struct RecommendOptions: Sendable, Equatable {
    /// Output formats.
    public enum Format: String, Sendable, CaseIterable { case table, jsonl }

    /// The checkpoint file (`--checkpoint`).
    public var checkpointPath: String?
    /// One known user (`--user ID`).
    public var user: String?
    /// One new user's items (`--items A,B,C`).
    public var items: String?
    /// A file of requests, one per line (`--batch FILE`).
    public var batchPath: String?
    /// Items per user (`--count`/`-k`, default 10).
    public var count = 10
    /// `--format table|jsonl`.
    public var format = Format.table
    /// MovieLens titles file (`--movies`).
    public var moviesPath: String?
    /// Unknown item ids are an error instead of a warning (`--strict`).
    public var strict = false
    /// A batch whose request lines name unknown item ids is scored without them, with a warning
    /// per line, however many there are (`--lenient`); by default more than 1 % is an error.
    public var lenient = false
    /// Requests scored together in batch mode (`--batch-size`, default 1,000).
    public var batchSize = 1_000
    /// Print usage (`--help`).
    public var showHelp = false

    /// Default options.
    public init() {}

    /// The `--help` text.
    public static let usage = """
    USAGE: swift run -c release Recommend --checkpoint FILE (--user ID | --items A,B,... | --batch FILE) [options]

    Loads a checkpoint written by CompareModels --save-dir (or the Checkpoints library) and prints
    the top-K items for a user, never recommending an item already in the user's history.

      --checkpoint FILE     the .safetensors checkpoint (required)
      --user ID             a user of the training data, by original id (uses the stored history)
      --items A,B,...       a new user given by original item ids (folded in, no retraining;
                            ranking models only)
      --batch FILE          many users, one per line: `user:ID` or a comma-separated item-id list
                            (blank lines and lines starting with # are skipped); processed in
                            streaming batches, constant memory. Lines naming unknown item ids
                            are a warning each up to 1 % of the lines read so far; past that the
                            run stops with an error naming the first such line (checked per
                            --batch-size chunk, before that chunk is printed)
      -k, --count K         items per user (default 10)
      --format FORMAT       table | jsonl (default table); each JSON line carries "line" (the
                            request's line in FILE; 1 for --user and --items) and, for user:ID,
                            "user"
      --movies FILE         MovieLens titles: movies.dat (ML-1M, `::`, latin-1), movies.csv or u.item
      --strict              unknown item ids are an error at the first line naming one (default:
                            a warning on stderr listing them; in a batch, up to 1 % of the lines)
      --lenient             in a batch, any share of lines with unknown item ids is scored
                            without those ids, with a warning per line (never an error)
      --batch-size N        users scored together in batch mode (default 1000)
      -h, --help            this text

    IDS: a checkpoint speaks the ids of the data it was trained on, as the checkpoint's
    __ids__/items and __ids__/users list them. For a ratings file those are its user and item ids.
    For a vae_cf split (train.csv, ..., unique_sid.txt) items are the ids listed in unique_sid.txt,
    not the row numbers (sid) that train.csv and the other split files use, and users are the uid
    values of train.csv. The item id of a split's sid s is line s + 1 of unique_sid.txt.
    """

    /// Parses `arguments` (without the program name).
    public static func parse(_ arguments: [String]) throws -> RecommendOptions {
        var options = RecommendOptions()
        var index = 0
        func value(_ flag: String) throws -> String {
            index += 1
            guard index < arguments.count else { throw RecommendError.invalidOption(flag: flag, value: "", expected: "a value") }
            return arguments[index]
        }
        func positive(_ flag: String) throws -> Int {
            let text = try value(flag)
            guard let number = Int(text), number > 0 else { throw RecommendError.invalidOption(flag: flag, value: text, expected: "a positive integer") }
            return number
        }
        while index < arguments.count {
            let flag = arguments[index]
            switch flag {
            case "--checkpoint": options.checkpointPath = try value(flag)
            case "--user": options.user = try value(flag)
            case "--items": options.items = try value(flag)
            case "--batch": options.batchPath = try value(flag)
            case "-k", "--count": options.count = try positive(flag)
            case "--format":
                let text = try value(flag)
                guard let format = Format(rawValue: text) else {
                    throw RecommendError.invalidOption(flag: flag, value: text, expected: "table or jsonl")
                }
                options.format = format
            case "--movies": options.moviesPath = try value(flag)
            case "--strict": options.strict = true
            case "--lenient": options.lenient = true
            case "--batch-size": options.batchSize = try positive(flag)
            case "-h", "--help": options.showHelp = true
            default: throw RecommendError.invalidOption(flag: flag, value: flag, expected: "an option listed by --help")
            }
            index += 1
        }
        if options.showHelp { return options }
        guard options.checkpointPath != nil else {
            throw RecommendError.invalidOption(flag: "--checkpoint", value: "", expected: "a checkpoint file")
        }
        if options.strict && options.lenient {
            throw RecommendError.invalidOption(flag: "--strict/--lenient", value: "both given", expected: "at most one")
        }
        let modes = [options.user, options.items, options.batchPath].compactMap { $0 }.count
        guard modes == 1 else {
            throw RecommendError.invalidOption(flag: "--user/--items/--batch", value: "\(modes) given", expected: "exactly one")
        }
        return options
    }
}
