/// The program that wrote a results file: its name and version.
public struct ProgramInfo: Sendable, Equatable, Codable, CustomStringConvertible {
    public var name: String
    public var version: String

    /// A program `name` at `version`.
    public init(name: String, version: String) { (self.name, self.version) = (name, version) }

    /// This program. Bump `version` when a change alters what a run computes or writes (numbers,
    /// the results layout, an option's meaning), so that a results file says which code made it
    /// (Documentation/ExperimentFiles.md).
    public static let current = ProgramInfo(name: "CompareModels", version: "0.22.0")

    public var description: String { "\(name) \(version)" }
}
