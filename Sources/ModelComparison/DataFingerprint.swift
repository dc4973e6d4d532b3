import DataSets
import Foundation
import RecCore

/// The SHA-256 of what a run read, recorded in its results file so that `--config results.json`
/// can tell whether it runs on the same data: a ratings file or archive (a named data set's
/// cached archive), each `.csv`/`.txt` file (`.gz` too) of a split folder in name order, or, for
/// the built-in data, the generator's settings.
public struct DataFingerprint: Sendable, Equatable, Codable {
    /// One input: a file's path as the run read it (or the built-in generator's settings) and its SHA-256.
    public struct Input: Sendable, Equatable, Codable {
        public var name: String
        public var sha256: String
        /// An input `name` with digest `sha256`.
        public init(name: String, sha256: String) { (self.name, self.sha256) = (name, sha256) }
    }

    /// The data as a whole: the one input's SHA-256, or for several the SHA-256 of their
    /// `file-name digest` lines (so moving the folder keeps it).
    public var sha256: String
    /// Each input, in a stable order.
    public var inputs: [Input]

    /// The fingerprint of `inputs`.
    public init(inputs: [Input]) {
        self.inputs = inputs
        if inputs.count == 1 {
            sha256 = inputs[0].sha256
        } else {
            var digest = SHA256()
            digest.update(Array(inputs.map { "\(Self.fileName($0.name)) \($0.sha256)\n" }.joined().utf8))
            sha256 = digest.hexDigest()
        }
    }

    /// The fingerprint of the data `path` names for `task` (nil: its built-in data).
    public static func of(path: String?, task: some Task) throws -> DataFingerprint {
        guard let path else {
            let settings = "built-in \(task.name) data: \(task.builtInDataSettings)"
            var digest = SHA256()
            digest.update(Array(settings.utf8))
            return DataFingerprint(inputs: [Input(name: settings, sha256: digest.hexDigest())])
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw DataError.cannotOpen(file: path, reason: "no such file or folder")
        }
        var files = [path]
        if isFolder.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            files = names.filter { name in
                let plain = name.hasSuffix(".gz") ? String(name.dropLast(3)) : name
                return plain.hasSuffix(".csv") || plain.hasSuffix(".txt")
            }.sorted().map { (path as NSString).appendingPathComponent($0) }
        }
        return DataFingerprint(inputs: try files.map { Input(name: $0, sha256: try SHA256.hexDigest(ofFile: $0)) })
    }

    /// One line per input that differs from `recorded` (both digests, or which side lacks it);
    /// empty when the data as a whole are the same.
    public func differences(from recorded: DataFingerprint) -> [String] {
        guard sha256 != recorded.sha256 else { return [] }
        if inputs.count == 1 && recorded.inputs.count == 1 {
            return ["\(inputs[0].name): sha256 \(inputs[0].sha256) now, \(recorded.inputs[0].sha256) recorded"
                    + (inputs[0].name == recorded.inputs[0].name ? "" : " (for \(recorded.inputs[0].name))")]
        }
        var lines: [String] = []
        for input in inputs {
            if let old = recorded.inputs.first(where: { Self.fileName($0.name) == Self.fileName(input.name) }) {
                if old.sha256 != input.sha256 { lines.append("\(input.name): sha256 \(input.sha256) now, \(old.sha256) recorded") }
            } else {
                lines.append("\(input.name): sha256 \(input.sha256) now, not read by the recorded run")
            }
        }
        for old in recorded.inputs where !inputs.contains(where: { Self.fileName($0.name) == Self.fileName(old.name) }) {
            lines.append("\(old.name): sha256 \(old.sha256) recorded, not read now")
        }
        if lines.isEmpty { lines.append("the data as a whole: sha256 \(sha256) now, \(recorded.sha256) recorded") }
        return lines
    }

    /// The last path component (the whole text for the built-in data's settings).
    static func fileName(_ name: String) -> String {
        name.hasPrefix("built-in ") ? name : (name as NSString).lastPathComponent
    }
}
