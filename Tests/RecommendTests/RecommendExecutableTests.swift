import Foundation
import Testing
import Checkpoints
#if canImport(Glibc)
import Glibc
#endif

/// The built `Recommend` executable, run as a child process: --help, a table, JSON lines with an
/// unknown item reported on stderr, and a save killed with SIGKILL that leaves the old checkpoint intact.
@Suite(.serialized) struct RecommendExecutableTests {
    /// The `Recommend` binary beside the test bundle (SwiftPM builds it: the test target depends on it).
    static func executable() throws -> URL {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("Recommend")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        throw CheckpointError.cannotRead(file: "Recommend", reason: "not found near \(CommandLine.arguments[0])")
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile(), err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    @Test func helpTableAndJSONLines() throws {
        let folder = try ToyCheckpoint.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = try ToyCheckpoint.ranking(in: folder)
        let help = try Self.run(["--help"])
        #expect(help.status == 0 && help.output.contains("--checkpoint FILE"))

        let user = ToyCheckpoint.split.trainUserIDs[0]
        let table = try Self.run(["--checkpoint", path, "--user", String(user), "--format", "table"])
        #expect(table.status == 0)
        #expect(table.output.split(separator: "\n").count == 12)                // title, header, 10 items

        let json = try Self.run(["--checkpoint", path, "--items", "7,12345", "--format", "jsonl", "-k", "5"])
        #expect(json.status == 0 && json.errors.contains("unknown item ids ignored: 12345"))
        #expect(json.output.split(separator: "\n").count == 1 && json.output.contains("\"unknown_items\":[12345]"))

        let strict = try Self.run(["--checkpoint", path, "--items", "7,12345", "--strict"])
        #expect(strict.status == 1 && strict.errors.contains("unknown item ids: 12345"))
    }

    /// The environment variable that makes `slowSaveChild` run: "SOURCE\nTARGET".
    static let slowSaveVariable = "AUTOENCODERZOO_TESTS_SLOW_SAVE"

    /// Runs only as the child process of `aSaveKilledMidWriteLeavesThePreviousCheckpoint` (this
    /// test binary started again with a filter): saves SOURCE over TARGET in 1 KiB chunks 20 ms
    /// apart, so the parent can kill it mid-write. A test hook, not an option of any program.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[slowSaveVariable] != nil,
                   "runs only as the child process of aSaveKilledMidWriteLeavesThePreviousCheckpoint"))
    func slowSaveChild() throws {
        let paths = (ProcessInfo.processInfo.environment[Self.slowSaveVariable] ?? "").components(separatedBy: "\n")
        try #require(paths.count == 2)
        try Checkpoint.load(from: paths[0]).save(to: paths[1], chunkBytes: 1_024, pauseBetweenChunks: .milliseconds(20))
    }

    @Test func aSaveKilledMidWriteLeavesThePreviousCheckpoint() throws {
        let folder = try ToyCheckpoint.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (first, second) = (ToyCheckpoint.rankingNames[0], ToyCheckpoint.rankingNames[1])
        let previous = try ToyCheckpoint.ranking(in: folder, name: first)
        let other = try ToyCheckpoint.ranking(in: folder, name: second)     // a different model to save over it
        let before = try Data(contentsOf: URL(fileURLWithPath: previous))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])   // this test binary
        process.arguments = ["--testing-library", "swift-testing", "--filter", "slowSaveChild"]
        process.environment = ProcessInfo.processInfo.environment.merging([Self.slowSaveVariable: other + "\n" + previous]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until the temporary file beside the target holds some bytes, then kill the writer.
        var temporary: String? = nil
        for _ in 0..<4_000 where temporary == nil && process.isRunning {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            if let name = names.first(where: { $0.hasPrefix(".\(first).safetensors.tmp-") }),
               let size = (try? FileManager.default.attributesOfItem(atPath: folder + "/" + name))?[.size] as? Int, size >= 4_096 {
                temporary = name
            } else {
                usleep(5_000)
            }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(temporary != nil, "the slow save never started")
        #expect(process.terminationReason == .uncaughtSignal)

        #expect(try Data(contentsOf: URL(fileURLWithPath: previous)) == before)
        let loaded = try Checkpoint.load(from: previous, expecting: first)
        let original = try Checkpoint(SafeTensors.decode(before, path: previous), path: previous)
        #expect(loaded.parameters == original.parameters)

        // The killed save's temporary file is still there; the next save into the folder removes it.
        let leftover = try #require(temporary)
        #expect(FileManager.default.fileExists(atPath: folder + "/" + leftover))
        try loaded.save(to: folder + "/again.safetensors")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(!names.contains { $0.contains(".tmp-") }, "\(names)")
    }

    /// The slow re-save used to be a hidden `Recommend --debug-slow-save PATH` option that wrote
    /// anywhere; it is no option of the program any more.
    @Test func theSlowSaveHookIsNotAnOption() throws {
        let folder = try ToyCheckpoint.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = try ToyCheckpoint.ranking(in: folder)
        let result = try Self.run(["--checkpoint", path, "--debug-slow-save", folder + "/copy.safetensors"])
        #expect(result.status == 1 && result.errors.contains("--debug-slow-save"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/copy.safetensors"))
    }
}
