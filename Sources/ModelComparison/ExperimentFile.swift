import Foundation
import ModelKit

/// What a results file given to `--config` recorded of the run that wrote it.
public struct RecordedRun: Sendable, Equatable, Decodable {
    /// The program and version that wrote it, when recorded.
    public var program: ProgramInfo?
    /// The fingerprint of the data it ran on, when recorded.
    public var dataFingerprint: DataFingerprint?
}

/// `--config FILE.json`: an experiment file (a JSON object of options, keyed as
/// `ComparisonOptions.declarations` say) or a results file written by `--output` (its
/// `configuration` is such an object; its `program` and `dataFingerprint` are kept to check the data).
enum ExperimentFile {
    /// The options `path` holds; every problem names the file, the line and the key.
    static func read(_ path: String, tasks: [String]) throws -> ComparisonOptions {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ExperimentFileError.unreadable(file: path, reason: error.localizedDescription)
        }
        let root: LineNumberedJSON
        do { root = try LineNumberedJSON.parse(data) } catch let error as LineNumberedJSON.SyntaxError {
            throw ExperimentFileError.syntax(file: path, line: error.line, reason: error.reason)
        }
        var options = ComparisonOptions()
        var configuration = root, prefix = ""
        if let embedded = root.member("configuration") {
            (configuration, prefix) = (embedded.value, "configuration.")
            do { options.recorded = try JSONDecoder().decode(RecordedRun.self, from: data) } catch {
                throw ExperimentFileError.wrongType(file: path, line: embedded.line, key: "program and dataFingerprint",
                                                    expected: "what --output writes", found: ResultsFileError.describe(error))
            }
        } else if root.member("results") != nil {
            throw ExperimentFileError.noConfiguration(file: path)
        }
        guard case .object(let members) = configuration.value else {
            throw ExperimentFileError.wrongType(file: path, line: configuration.line, key: prefix.isEmpty ? "top level" : "configuration",
                                                expected: "an object of options", found: configuration.kindDescription)
        }
        let keys = ComparisonOptions.configurationKeys
        for member in members {
            let key = prefix + member.key
            guard let declaration = ComparisonOptions.declaration(key: member.key), declaration.scope != .commandLine else {
                throw ExperimentFileError.unknownKey(file: path, line: member.line, key: key,
                                                     closest: NameMatching.closest(to: member.key, in: keys), known: keys)
            }
            for (text, line, valueKey) in try texts(of: member.value, key: key, kind: declaration.kind, file: path) {
                do {
                    try declaration.read(&options, text, tasks)
                } catch let error as OptionDeclaration.InvalidValue {
                    throw ExperimentFileError.invalidValue(file: path, line: line, key: valueKey, value: text, expected: error.expected)
                }
                if declaration.kind == .settings, let (model, setting, _) = try? ComparisonOptions.modelKeyValue(text, expected: "") {
                    options.settingSources[ComparisonOptions.settingSourceKey(option: member.key, model: model, key: setting)]
                        = "\(path) line \(line)"
                }
            }
        }
        options.configPath = path
        return options
    }

    /// The value's text(s) as the flag would give them, each with its line and key path; a value of
    /// the wrong JSON type throws naming them.
    static func texts(of value: LineNumberedJSON, key: String, kind: OptionDeclaration.Kind,
                      file: String) throws -> [(text: String, line: Int, key: String)] {
        func wrongType(_ value: LineNumberedJSON, _ key: String, _ expected: String) -> ExperimentFileError {
            .wrongType(file: file, line: value.line, key: key, expected: expected, found: describe(value))
        }
        switch (kind, value.value) {
        case (.switch, .bool(let flag)): return [(flag ? "true" : "false", value.line, key)]
        case (.text, .string(let text)), (.numberOrText, .string(let text)): return [(text, value.line, key)]
        case (.number, .number(let literal)), (.numberOrText, .number(let literal)): return [(literal, value.line, key)]
        case (.integer, .number(let literal)) where !literal.contains(where: { ".eE".contains($0) }):
            return [(literal, value.line, key)]
        case (.list, .array(let elements)):
            let names = try elements.enumerated().map { index, element in
                guard case .string(let name) = element.value, !name.contains(",") else {
                    throw wrongType(element, "\(key)[\(index)]", "a string without commas")
                }
                return name
            }
            return [(names.joined(separator: ","), value.line, key)]
        case (.settings, .object(let models)):
            return try models.flatMap { model in
                guard case .object(let settings) = model.value.value else {
                    throw wrongType(model.value, "\(key).\(model.key)", #"an object {"KEY": value}"#)
                }
                return try settings.map { setting in
                    let path = "\(key).\(model.key).\(setting.key)"
                    switch setting.value.value {
                    case .string(let text), .number(let text): return ("\(model.key).\(setting.key)=\(text)", setting.line, path)
                    case .bool(let flag): return ("\(model.key).\(setting.key)=\(flag)", setting.line, path)
                    default: throw wrongType(setting.value, path, "a string, a number or a boolean")
                    }
                }
            }
        default: throw wrongType(value, key, kind.expectedJSON)
        }
    }

    /// A value as an error message shows it: its type, and its text when short.
    static func describe(_ value: LineNumberedJSON) -> String {
        switch value.value {
        case .string(let text): return "the string \"\(text.count > 40 ? String(text.prefix(40)) + "…" : text)\""
        case .number(let literal): return "the number \(literal)"
        case .bool(let flag): return "\(flag)"
        default: return value.kindDescription
        }
    }
}

/// An experiment file that cannot be used: each case names the file, and the line and key where
/// there is one.
public enum ExperimentFileError: Error, CustomStringConvertible, Equatable {
    case unreadable(file: String, reason: String)
    case syntax(file: String, line: Int, reason: String)
    case unknownKey(file: String, line: Int, key: String, closest: String?, known: [String])
    case wrongType(file: String, line: Int, key: String, expected: String, found: String)
    case invalidValue(file: String, line: Int, key: String, value: String, expected: String)
    /// A results file written before results files recorded their configuration.
    case noConfiguration(file: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason): return "cannot read \(file): \(reason)"
        case let .syntax(file, line, reason): return "\(file) line \(line): not JSON: \(reason)"
        case let .unknownKey(file, line, key, closest, known):
            let hint = closest.map { " (did you mean '\($0)'?)" } ?? ""
            return "\(file) line \(line): unknown key '\(key)'\(hint); an experiment file's keys are \(known.joined(separator: ", "))"
        case let .wrongType(file, line, key, expected, found):
            return "\(file) line \(line): \(key) must be \(expected), not \(found)"
        case let .invalidValue(file, line, key, value, expected):
            return "\(file) line \(line): \(key) \(value): expected \(expected)"
        case let .noConfiguration(file):
            return "\(file) is a results file without a configuration (written before results files recorded one); give the options as flags"
        }
    }
}
