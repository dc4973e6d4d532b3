extension DuplicatePolicy {
    /// The policy named on a command line (`keep-last`, `keep-first`, `reject`), or nil.
    /// For a `--duplicates` option of a program that loads data.
    public init?(argument: String) {
        guard let policy = Self.allCases.first(where: { $0.argument == argument }) else { return nil }
        self = policy
    }

    /// The command-line name of the policy: `keep-last`, `keep-first` or `reject`.
    public var argument: String {
        switch self {
        case .keepLast: return "keep-last"
        case .keepFirst: return "keep-first"
        case .reject: return "reject"
        }
    }

    /// One line for a report, e.g. `3 duplicate (user, item) rows dropped (keep-last)`.
    public func summary(droppedRows: Int) -> String {
        "\(droppedRows) duplicate (user, item) row\(droppedRows == 1 ? "" : "s") dropped (\(argument))"
    }
}
