import Foundation
import Testing
import TensorCore
import RecCore
import NeuralNet
import Checkpoints
@testable import Recommendation
#if canImport(Glibc)
import Glibc
#endif

/// Issue 20 (Recommend): request and titles files are read in linear time with a line cap;
/// folders, devices and special checkpoint paths get plain messages; text from files is printed
/// with its control characters escaped; corrupt numbers in a checkpoint are errors, not crashes.
@Suite struct UntrustedRequestTests {
    @Test func aTenMegabyteRequestLineStopsAtTheCap() throws {
        let folder = try ToyCheckpoint.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let checkpoint = try ToyCheckpoint.ranking(in: folder)
        let batch = folder + "/requests.txt"
        let line = Array(repeating: "7", count: 5_000_000).joined(separator: ",")      // 10 MB, no newline
        try ("user:\(ToyCheckpoint.split.trainUserIDs[0])\n" + line).write(toFile: batch, atomically: false, encoding: .utf8)
        #expect(throws: RecommendError.lineTooLong(file: batch, line: 2, limit: LineStream.maximumLineBytes)) {
            _ = try ToyCheckpoint.run(["--checkpoint", checkpoint, "--batch", batch])
        }
    }

    @Test func linesSplitAcrossChunksAreAllRead() throws {
        let folder = try ToyCheckpoint.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/lines.txt"
        let lines = (0..<20_000).map { "line \($0) " + String(repeating: "x", count: $0 % 97) }
        try lines.joined(separator: "\r\n").write(toFile: path, atomically: false, encoding: .utf8)
        var seen: [String] = []
        try LineStream(path: path).forEachLine { text, number in
            seen.append(text)
            return number == seen.count
        }
        #expect(seen == lines)
    }

    @Test func foldersAndDevicesGetPlainMessages() throws {
        let folder = try ToyCheckpoint.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let checkpoint = try ToyCheckpoint.ranking(in: folder)
        #expect(throws: RecommendError.cannotRead(file: folder, reason: "is a directory")) {
            _ = try ToyCheckpoint.run(["--checkpoint", checkpoint, "--batch", folder])
        }
        #expect(throws: RecommendError.cannotRead(file: "/dev/zero", reason: "is not a regular file or a pipe")) {
            _ = try ToyCheckpoint.run(["--checkpoint", checkpoint, "--user", "1000", "--movies", "/dev/zero"])
        }
        for (path, reason) in [(folder, "is a directory"), ("/dev/null", "is not a regular file")] {
            #expect(throws: CheckpointError.cannotRead(file: path, reason: reason)) {
                _ = try ToyCheckpoint.run(["--checkpoint", path, "--user", "1000"])
            }
        }
    }

    /// A FIFO is a stream of requests (e.g. `--batch <(generate)`): read to its end, as a file.
    /// Here the writer has connected, written and closed before Recommend opens the path (another
    /// reader keeps the pipe's contents), as a fast generator can while Recommend looks at the
    /// path: the requests must be read, not lost (Recommend used to close its look and reopen,
    /// then wait for a second writer for ever).
    @Test(.timeLimit(.minutes(1))) func requestsCanComeFromAFIFO() throws {
        let folder = try ToyCheckpoint.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let checkpoint = try ToyCheckpoint.ranking(in: folder)
        let fifo = folder + "/requests"
        try #require(mkfifo(fifo, 0o600) == 0)
        let user = ToyCheckpoint.split.trainUserIDs[1]
        let text = "# two requests\nuser:\(user)\n17,27\n"
        let keeper = open(fifo, O_RDONLY | O_NONBLOCK)
        try #require(keeper >= 0)
        defer { close(keeper) }
        let writer = open(fifo, O_WRONLY | O_NONBLOCK)
        try #require(writer >= 0)
        _ = text.withCString { write(writer, $0, strlen($0)) }
        close(writer)
        let output = try ToyCheckpoint.run(["--checkpoint", checkpoint, "--batch", fifo, "--format", "jsonl"]).output
        #expect(output.count == 2 && output[0].contains("\"user\":\(user)"))
    }

    @Test func titlesAndPathsArePrintedWithControlCharactersEscaped() throws {
        let folder = try ToyCheckpoint.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let checkpoint = try ToyCheckpoint.ranking(in: folder)
        let movies = folder + "/movies.dat"
        let titles = ToyCheckpoint.split.itemIDs.map { "\($0)::Film\u{1B}[2J\u{7}\t\($0)::Drama" }
        try titles.joined(separator: "\n").write(toFile: movies, atomically: false, encoding: .isoLatin1)
        let output = try ToyCheckpoint.run(["--checkpoint", checkpoint, "--user", "\(ToyCheckpoint.split.trainUserIDs[0])",
                                            "--movies", movies]).output
        let rows = output.dropFirst(2)
        #expect(rows.count == 10)
        #expect(rows.allSatisfy { $0.contains("Film\\u{1B}[2J\\u{7}\\t") && $0.split(separator: "\t").count == 4 })
        #expect(!output.joined().unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
        let error = RecommendError.malformedRequest(source: "r\u{1B}.txt", line: 2, text: "\u{9B}31m", reason: "bad")
        #expect(error.description == "r\\u{1B}.txt:2: '\\u{9B}31m': bad")
    }

    /// A training state whose best epoch is Int.max used to overflow when printed 1-based.
    @Test func aHugeBestEpochIsAHeaderErrorNotAnOverflow() throws {
        let folder = try ToyCheckpoint.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var state = try Checkpoint.load(from: ToyCheckpoint.ranking(in: folder))
        state.training = TrainingState(nextEpoch: 6, updates: 1, optimizerSteps: 1, generator: RandomGenerator(seed: 1),
                                       bestEpoch: .max, bestMetric: 0.5, bestValues: state.parameters)
        let path = folder + "/state.safetensors"
        try state.save(to: path)
        #expect {
            _ = try ToyCheckpoint.run(["--checkpoint", path, "--user", "\(ToyCheckpoint.split.trainUserIDs[0])"])
        } throws: { error in
            guard case let CheckpointError.badMetadata(file, key, _, _)? = error as? CheckpointError else { return false }
            return file == path && key == "training.best_epoch"
        }
    }

    /// NaN weights made NaN-scored items lead every list; the checkpoint is refused, naming the tensor.
    @Test func aNaNWeightIsRefusedBeforeAnyRecommendation() throws {
        let folder = try ToyCheckpoint.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var checkpoint = try Checkpoint.load(from: ToyCheckpoint.ranking(in: folder))
        let name = try #require(checkpoint.parameters.keys.sorted().last)
        checkpoint.parameters[name]?.storage[0] = .nan
        let path = folder + "/nan.safetensors"
        try checkpoint.save(to: path)
        #expect(throws: CheckpointError.nonFiniteValue(file: path, tensor: name, index: 0, value: "nan")) {
            _ = try ToyCheckpoint.run(["--checkpoint", path, "--items", "17,27"])
        }
    }
}
