import Foundation
import Testing
@testable import RecCore

/// The zip reader against archives made by Info-ZIP's `zip` and by Python's `zipfile` (stored,
/// deflated, with data descriptors), and against broken archives: a typed error, never a crash.
@Suite struct ZipArchiveTests {
    /// A small ML-1M-shaped ratings file (`UserID::MovieID::Rating::Timestamp`).
    static let ratings = (0..<400).map { "\($0 % 37 + 1)::\($0 * 7 % 101 + 1)::\($0 % 5 + 1)::\(978_300_000 + $0)" }
        .joined(separator: "\n") + "\n"

    static func tool(_ name: String) -> String? {
        ["/usr/bin/\(name)", "/usr/local/bin/\(name)", "/bin/\(name)"].first { FileManager.default.isExecutableFile(atPath: $0) }
            ?? ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":")
                .map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func run(_ tool: String, _ arguments: [String], in folder: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(tool) \(arguments) exited with \(process.terminationStatus)")
    }

    /// Writes `ml-1m/ratings.dat` (and a README) into an archive made by Python's zipfile.
    /// `streamed` writes to a non-seekable stream, so every entry carries a data descriptor.
    static func pythonArchive(in folder: FixtureFolder, deflated: Bool, streamed: Bool, text: String = ratings) throws -> String {
        let source = folder.write("source/ratings.dat", text)
        let archive = (folder.path as NSString).appendingPathComponent("python-\(deflated)-\(streamed).zip")
        let script = """
        import io, sys, zipfile
        source, target, deflated, streamed = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4] == "1"
        class Unseekable(io.RawIOBase):
            def __init__(self, f): self.f = f
            def writable(self): return True
            def write(self, b): return self.f.write(b)
        with open(target, "wb") as raw:
            sink = Unseekable(raw) if streamed else raw
            with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED if deflated else zipfile.ZIP_STORED) as z:
                z.writestr("ml-1m/README", "MovieLens fixture\\n")
                with open(source, "rb") as f, z.open("ml-1m/ratings.dat", "w") as entry:
                    entry.write(f.read())
        """
        guard let python = tool("python3") else { throw SkipReason("python3 is absent") }
        try run(python, ["-c", script, source, archive, deflated ? "1" : "0", streamed ? "1" : "0"], in: folder.path)
        return archive
    }

    struct SkipReason: Error, CustomStringConvertible { let description: String; init(_ text: String) { description = text } }

    static func expectSameTable(archive: String, folder: FixtureFolder, text: String = ratings) throws {
        let plain = try Interactions.loadMovieLens(path: folder.write("plain/ratings.dat", text))
        let zipped = try Interactions.load(archivePath: archive, entry: "ml-1m/ratings.dat", format: .movieLensDat)
        #expect(zipped == plain)
        #expect(zipped.userIDs.count > 30, "the fixture has users")
    }

    @Test(.enabled(if: tool("zip") != nil, "the zip tool is absent (apt-get install zip)"), arguments: ["-6", "-0"])
    func archiveMadeByZip(level: String) throws {
        let folder = FixtureFolder()
        folder.write("ml-1m/ratings.dat", Self.ratings)
        folder.write("ml-1m/movies.dat", "1::Toy Story (1995)::Animation\n")
        try Self.run(try #require(Self.tool("zip")), ["-q", "-r", level, "ml-1m.zip", "ml-1m"], in: folder.path)
        let archive = (folder.path as NSString).appendingPathComponent("ml-1m.zip")
        let entry = try #require(ZipArchive(path: archive).entry(named: "ml-1m/ratings.dat"))
        #expect(entry.method == (level == "-0" ? 0 : 8))
        try Self.expectSameTable(archive: archive, folder: folder)
        #expect(try Interactions.movieLensRatingsEntry(in: archive)?.entry == "ml-1m/ratings.dat")
        #expect(try DataFormat.guess(archive) == .movielens1m)
    }

    @Test(.enabled(if: tool("python3") != nil, "python3 is absent"),
          arguments: [(false, false), (true, false), (false, true), (true, true)])
    func archiveMadeByPythonZipfile(deflated: Bool, streamed: Bool) throws {
        let folder = FixtureFolder()
        let archive = try Self.pythonArchive(in: folder, deflated: deflated, streamed: streamed)
        let entry = try #require(ZipArchive(path: archive).entry(named: "ml-1m/ratings.dat"))
        #expect(entry.method == (deflated ? 8 : 0))
        #expect((entry.flags & 8 != 0) == streamed, "a non-seekable stream makes zipfile write a data descriptor")
        try Self.expectSameTable(archive: archive, folder: folder)
    }

    /// An entry several times larger than the reader's blocks (4 MiB lines block, 256 KiB input).
    @Test(.enabled(if: tool("python3") != nil, "python3 is absent"))
    func largeDeflatedEntryStreams() throws {
        let folder = FixtureFolder()
        let text = (0..<300_000).map { "\($0 % 5_000 + 1)::\($0 % 3_001 + 1)::\($0 % 5 + 1)::\($0)" }.joined(separator: "\n")
        let archive = try Self.pythonArchive(in: folder, deflated: true, streamed: true, text: text)
        try Self.expectSameTable(archive: archive, folder: folder, text: text)
    }
}
