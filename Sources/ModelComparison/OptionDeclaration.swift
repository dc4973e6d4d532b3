/// One option of `CompareModels`, declared once: its flag, its key in an experiment file, its
/// type, its help, how a value is read into `ComparisonOptions` and how it is written back. The
/// flag parser, the experiment-file reader, the configuration written into results files and
/// `--help` all read `ComparisonOptions.declarations`, so a new option is one entry there
/// (Documentation/ExperimentFiles.md, "Adding an option").
public struct OptionDeclaration: Sendable {
    /// The JSON type an experiment file gives the value in, and how it reaches `read` as text.
    public enum Kind: Sendable, Equatable {
        /// A flag without a value (`--quiet`); `true` or `false` in a file.
        case `switch`
        /// A string, read as the flag's text.
        case text
        /// An integer (no fraction or exponent), read as its digits.
        case integer
        /// A number, read as written.
        case number
        /// A number, or a string (`--min-rating 3.5|none`).
        case numberOrText
        /// An array of strings; the flag gives them comma-separated.
        case list
        /// An object of objects, `{"MODEL": {"KEY": VALUE}}`; the flag gives one `MODEL.KEY=VALUE`.
        case settings

        /// What a file must hold, in error messages.
        var expectedJSON: String {
            switch self {
            case .switch: return "true or false"
            case .text: return "a string"
            case .integer: return "an integer"
            case .number: return "a number"
            case .numberOrText: return "a number or a string"
            case .list: return "an array of strings"
            case .settings: return #"an object {"MODEL": {"KEY": value}}"#
            }
        }
    }

    /// Where the option may be given and whether a results file records it.
    public enum Scope: Sendable, Equatable {
        /// What the experiment is (data, models, settings, seeds): a results file records it, so
        /// `--config results.json` runs the same experiment.
        case experiment
        /// Where results go and what is printed: an experiment file may hold it, a results file
        /// does not record it (re-running a results file must not overwrite it).
        case output
        /// Command line only (`--help`, `--config`).
        case commandLine
    }

    /// The value did not fit: what was expected (the caller names the flag or key and the value).
    public struct InvalidValue: Error, Equatable {
        public var expected: String
        /// A value that was expected to be `expected`.
        public init(expected: String) { self.expected = expected }
    }

    /// The flag (`--epochs`).
    public var flag: String
    /// Another spelling of the flag (`-h`), or nil.
    public var alias: String?
    /// The key in an experiment file and in a results file's `configuration`; nil for `.commandLine`.
    public var key: String?
    /// The value's placeholder in `--help` (`N`, `PATH|NAME`); empty for a switch.
    public var valueName: String
    /// The value's type.
    public var kind: Kind
    /// Where it may be given.
    public var scope: Scope
    /// The help text, lines separated by `\n`, without indentation; `{models}` and `{tasks}` stand
    /// for the zoo's model names and the task names, `{keys}` for the experiment-file keys.
    public var help: String
    /// Reads the value (as the flag's text; `"true"` for a switch) into the options, given the task names.
    public var read: @Sendable (_ options: inout ComparisonOptions, _ text: String, _ tasks: [String]) throws -> Void
    /// The option's value in the experiment-file layout, or nil where it is unset (left at its default).
    public var write: @Sendable (ComparisonOptions) -> ConfigurationValue?

    /// A declaration with the given parts.
    public init(_ flag: String, alias: String? = nil, key: String?, valueName: String = "", kind: Kind, scope: Scope,
                help: String, read: @escaping @Sendable (inout ComparisonOptions, String, [String]) throws -> Void,
                write: @escaping @Sendable (ComparisonOptions) -> ConfigurationValue? = { _ in nil }) {
        (self.flag, self.alias, self.key, self.valueName, self.kind, self.scope) = (flag, alias, key, valueName, kind, scope)
        (self.help, self.read, self.write) = (help, read, write)
    }
}
