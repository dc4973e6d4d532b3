import Foundation
import Testing
@testable import RecCore
#if canImport(Glibc)
import Glibc
#endif

/// Issue 20, finding 5: a line has a documented length cap, every reader is linear in its input,
/// and devices, FIFOs and folders get plain messages.
@Suite struct UnboundedInputTests {
    @Test(arguments: [("u.data", "1\t2\t3\t4\n"), ("ratings.dat", "1::2::3::4\n"),
                      ("ratings.csv", "userId,movieId,rating,timestamp\n1,2,3,4\n")])
    func aLineLongerThanTheCapIsAnErrorNamingIt(name: String, start: String) throws {
        let folder = FixtureFolder()
        let limit = LineReader.maximumLineBytes
        let path = folder.write(name, start + String(repeating: "7", count: limit + 1) + "\n1\t2\t3\t4\n")
        let number = start.split(separator: "\n").count + 1
        #expect(throws: DataError.lineTooLong(file: path, line: number, limit: limit)) {
            try Interactions.loadMovieLens(path: path)
        }
    }

    @Test func aLineOfExactlyTheCapIsRead() throws {
        let folder = FixtureFolder()
        let padding = String(repeating: " ", count: LineReader.maximumLineBytes - "1\t2\t3\t4".utf8.count)
        let path = folder.write("u.data", "1\t2\t3\t4" + padding + "\n5\t6\t2\t9\n")
        let table = try Interactions.loadMovieLens(path: path)
        #expect(table.count == 2)
    }

    /// The issue's case: 512 MiB of zeros without a newline, gzip-compressed to ≈ 0.5 MB. Reading
    /// stops at the cap (one 4 MiB block) instead of growing a buffer to the whole stream.
    @Test func aHugeGzipLineWithoutNewlineFailsAtTheCap() throws {
        let folder = FixtureFolder()
        let path = folder.path + "/u.data.gz"
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", "head -c 536870912 /dev/zero | gzip -1 -c > '\(path)'"]
        try shell.run()
        shell.waitUntilExit()
        try #require(shell.terminationStatus == 0)
        #expect(throws: DataError.lineTooLong(file: path, line: 1, limit: LineReader.maximumLineBytes)) {
            try Interactions.loadMovieLens(path: path)
        }
    }

    @Test func manyShortReadsAreScannedOnce() throws {
        // A reader that hands out 7 bytes at a time: every line is still found, in order.
        final class Trickle: ByteReader {
            var bytes: [UInt8], position = 0
            init(_ text: String) { bytes = Array(text.utf8) }
            func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
                let count = min(7, buffer.count, bytes.count - position)
                for k in 0..<count { buffer[k] = bytes[position + k] }
                position += count
                return count
            }
        }
        let text = (1...500).map { "\($0),\($0 * 3),\(String(repeating: "x", count: $0 % 40))" }.joined(separator: "\r\n")
        var seen: [String] = []
        try LineReader(path: "trickle", reader: Trickle(text)).forEachLine { line, number in
            seen.append(String(decoding: line, as: UTF8.self))
            #expect(number == seen.count)
        }
        #expect(seen == text.components(separatedBy: "\r\n"))
    }

    @Test(arguments: ["/dev/zero", "/dev/null"])
    func devicesAreNotRegularFiles(device: String) throws {
        let folder = FixtureFolder()
        let path = folder.path + "/u.data"
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: device)
        #expect(throws: DataError.cannotOpen(file: path, reason: "is not a regular file")) {
            try Interactions.loadMovieLens(path: path)
        }
        let gzip = folder.path + "/ratings.dat.gz"
        try FileManager.default.createSymbolicLink(atPath: gzip, withDestinationPath: device)
        #expect(throws: DataError.cannotOpen(file: gzip, reason: "is not a regular file")) {
            try Interactions.loadMovieLens(path: gzip)
        }
    }

    @Test func aFIFOIsNotARegularFileAndOpeningItDoesNotWait() throws {
        let folder = FixtureFolder()
        let path = folder.path + "/u.data"
        try #require(mkfifo(path, 0o600) == 0)
        // Keep a writer open, so that even a blocking open would return.
        let writer = open(path, O_RDWR | O_NONBLOCK)
        defer { close(writer) }
        #expect(throws: DataError.cannotOpen(file: path, reason: "is not a regular file")) {
            try Interactions.loadMovieLens(path: path)
        }
    }

    @Test func aFolderIsADirectory() throws {
        let folder = FixtureFolder()
        let path = folder.path + "/ratings.csv"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        #expect(throws: DataError.cannotOpen(file: path, reason: "is a directory")) {
            try Interactions.loadMovieLens(path: path)
        }
    }
}
