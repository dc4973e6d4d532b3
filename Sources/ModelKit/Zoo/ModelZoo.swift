import RecCore

/// Options every zoo model accepts; model-specific settings go in `overrides` (`key=value`).
public struct ModelOptions: Sendable {
    /// Seed for the model's only random generator.
    public var seed: UInt64
    /// Number of training epochs; nil keeps the model's paper default.
    public var epochs: Int?
    /// Model-specific settings by name (e.g. `"dropout": "0.5"`); unknown keys are errors.
    public var overrides: [String: String]

    /// Options with a seed, optional epoch count and overrides.
    public init(seed: UInt64 = 0, epochs: Int? = nil, overrides: [String: String] = [:]) {
        (self.seed, self.epochs, self.overrides) = (seed, epochs, overrides)
    }
}

/// One model of the zoo: a unique name, a one-line summary, its task, and how to make it.
public struct ModelEntry: Sendable {
    /// The name used on the command line (e.g. `mult-vae`).
    public let name: String
    /// One line: what the model is and which paper it follows.
    public let summary: String
    /// The task the model does (`.ranking`, `.rating`).
    public let task: TaskName
    /// Settings `CompareModels` applies on its small built-in data set only (user `--set` values
    /// win). The papers size models for data sets with 100× more users; e.g. VampPrior's 1,000
    /// pseudo-inputs would outnumber a third of the built-in training users. Empty for most models.
    public let builtInDataOverrides: [String: String]
    /// Settings that make the model tiny for the test suites (a few seconds on toy data); every
    /// catalog-wide test builds the entry with them.
    public let testOverrides: [String: String]
    /// The settings `CompareModels --tune` varies, next to the defaults they start from (each key
    /// an option the configuration accepts; every catalog entry is built with its paper values and
    /// with sampled ones by the tests). Empty: the defaults are run once.
    public let searchSpace: SearchSpace
    /// The model's trainable scalars for data of `shape`, counted without building it; bad options
    /// or a shape the model cannot serve throw `ModelZooError`.
    public let parameterCount: @Sendable (_ shape: DataShape, _ options: ModelOptions) throws -> Int
    /// Makes a fresh, untrained model for data of `shape`; bad options throw `ModelZooError`.
    public let make: @Sendable (_ shape: DataShape, _ options: ModelOptions) throws -> any ZooModel

    /// An entry; `name` must be unique within a zoo.
    public init(name: String, summary: String, task: TaskName, builtInDataOverrides: [String: String] = [:],
                testOverrides: [String: String] = [:], searchSpace: SearchSpace = .none,
                parameterCount: @escaping @Sendable (_ shape: DataShape, _ options: ModelOptions) throws -> Int,
                make: @escaping @Sendable (_ shape: DataShape, _ options: ModelOptions) throws -> any ZooModel) {
        (self.name, self.summary, self.task, self.builtInDataOverrides) = (name, summary, task, builtInDataOverrides)
        (self.testOverrides, self.searchSpace, self.parameterCount, self.make) = (testOverrides, searchSpace, parameterCount, make)
    }
}

extension ModelEntry {
    /// An entry whose settings are one configuration value: `configuration` reads it from the
    /// options (bad options throw `ModelZooError`), and `parameterCount` and `make` are given it.
    public init<Configuration>(
        name: String, summary: String, task: TaskName, builtInDataOverrides: [String: String] = [:],
        testOverrides: [String: String] = [:], searchSpace: SearchSpace = .none,
        configuration: @escaping @Sendable (_ options: ModelOptions) throws -> Configuration,
        parameterCount: @escaping @Sendable (_ shape: DataShape, _ configuration: Configuration) throws -> Int,
        make: @escaping @Sendable (_ shape: DataShape, _ configuration: Configuration) throws -> any ZooModel
    ) {
        self.init(name: name, summary: summary, task: task, builtInDataOverrides: builtInDataOverrides,
                  testOverrides: testOverrides, searchSpace: searchSpace,
                  parameterCount: { shape, options in try parameterCount(shape, try configuration(options)) },
                  make: { shape, options in try make(shape, try configuration(options)) })
    }
}

/// Errors from looking models up in a zoo or configuring them.
public enum ModelZooError: Error, CustomStringConvertible, Equatable {
    /// No entry has this name; lists the known names.
    case unknownModel(String, known: [String])
    /// A model option has a value that cannot be used.
    case invalidOption(model: String, key: String, value: String, expected: String)
    /// A model option key that the model does not know.
    case unknownOption(model: String, key: String, known: [String])
    /// A model was asked for a task it does not do; `task` is the one it does.
    case wrongTask(model: String, task: TaskName)
    /// The model's settings or data shape give a size it cannot have (an overflow, no users or items).
    case tooLarge(model: String, detail: String)

    public var description: String {
        switch self {
        case let .unknownModel(name, known):
            let list = known.joined(separator: ", ")
            if let closest = NameMatching.closest(to: name, in: known) {
                return "unknown model '\(name)'; did you mean '\(closest)'? Known models: \(list)"
            }
            return "unknown model '\(name)'; known models: \(list)"
        case let .invalidOption(model, key, value, expected):
            return "model '\(model)': option \(key)=\(value) is invalid (expected \(expected))"
        case let .unknownOption(model, key, known):
            return "model '\(model)': unknown option '\(key)'; known options: \(known.joined(separator: ", "))"
        case let .wrongTask(model, task):
            return "model '\(model)' is a \(task) model; use it with --task \(task)"
        case let .tooLarge(model, detail):
            return "model '\(model)': \(detail)"
        }
    }
}

/// A catalog of models with unique names.
public struct ModelZoo: Sendable {
    /// The entries, in catalog order.
    public let entries: [ModelEntry]

    /// A zoo of `entries`; duplicate names, in any case, are a programmer error (names match ignoring case).
    public init(_ entries: [ModelEntry]) {
        var seen = Set<String>()
        for entry in entries {
            precondition(seen.insert(entry.name.lowercased()).inserted, "ModelZoo: duplicate model name '\(entry.name)'")
        }
        self.entries = entries
    }

    /// Every entry's name, in catalog order.
    public var names: [String] { entries.map(\.name) }

    /// The entry called `name`, ignoring case (`Mult-VAE` is `mult-vae`), or
    /// `ModelZooError.unknownModel` listing the known names (and the closest one for a near miss).
    public func entry(named name: String) throws -> ModelEntry {
        let lowered = name.lowercased()
        guard let entry = entries.first(where: { $0.name == name }) ?? entries.first(where: { $0.name.lowercased() == lowered }) else {
            throw ModelZooError.unknownModel(name, known: names)
        }
        return entry
    }
}
