import Foundation
import Testing
@testable import Checkpoints
#if canImport(Glibc)
import Glibc
#endif

/// Issue 20, findings 5 and 7 (checkpoint files): folders, devices and FIFOs get plain messages,
/// and the temporary files of killed saves are removed by the next save into the folder.
@Suite struct AtomicFileTests {
    @Test func readingAFolderOrADeviceSaysWhatItIs() throws {
        let folder = try Toy.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(throws: CheckpointError.cannotRead(file: folder, reason: "is a directory")) { _ = try AtomicFile.read(folder) }
        for device in ["/dev/null", "/dev/zero"] {
            #expect(throws: CheckpointError.cannotRead(file: device, reason: "is not a regular file")) { _ = try AtomicFile.read(device) }
        }
        #expect(throws: CheckpointError.cannotRead(file: folder + "/absent", reason: "no such file")) {
            _ = try AtomicFile.read(folder + "/absent")
        }
    }

    /// A FIFO is refused without waiting for a writer; the writer thread started here (which would
    /// feed a reader that waited) is released at the end.
    @Test func readingAFIFOIsRefusedWithoutWaiting() throws {
        let folder = try Toy.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let fifo = folder + "/model.safetensors"
        try #require(mkfifo(fifo, 0o600) == 0)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let writer = open(fifo, O_WRONLY)
            if writer >= 0 { _ = write(writer, "abc", 3); close(writer) }
            done.signal()
        }
        #expect(throws: CheckpointError.cannotRead(file: fifo, reason: "is not a regular file")) { _ = try AtomicFile.read(fifo) }
        let release = open(fifo, O_RDONLY | O_NONBLOCK)
        #expect(done.wait(timeout: .now() + 10) == .success)
        close(release)
    }

    /// Parts are written one after another, whatever the chunk size (chunks never cross a part;
    /// empty parts add nothing), and a checkpoint saved in parts is the bytes `encode` gives.
    @Test func partsAreWrittenInOrderAsOneFile() throws {
        let folder = try Toy.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let parts = [Data([1, 2, 3, 4, 5]), Data(), Data([6]), Data((0..<300).map { UInt8($0 % 251) })]
        for chunk in [1, 2, 4, 1 << 20] {
            try AtomicFile.write(parts: parts, to: folder + "/p", chunkBytes: chunk)
            #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/p")) == parts.reduce(Data(), +), "chunk \(chunk)")
        }
        let (entry, model) = try Toy.make("mult-vae", epochs: 1)
        let checkpoint = Toy.checkpoint(model, entry: entry, epochs: 1)
        try checkpoint.save(to: folder + "/c.safetensors", chunkBytes: 7)
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/c.safetensors"))
                == SafeTensors.encode(checkpoint.safeTensorsFile()))
    }

    @Test func writingOverAFolderOrAFIFOIsRefused() throws {
        let folder = try Toy.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let target = folder + "/sub"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        #expect(throws: CheckpointError.cannotWrite(file: target, reason: "is a directory")) {
            try AtomicFile.write(Data([1, 2, 3]), to: target)
        }
        let fifo = folder + "/pipe.safetensors"
        try #require(mkfifo(fifo, 0o600) == 0)
        #expect(throws: CheckpointError.cannotWrite(file: fifo, reason: "is not a regular file")) {
            try AtomicFile.write(Data([1, 2, 3]), to: fifo)
        }
        var status = stat()
        #expect(lstat(fifo, &status) == 0 && status.st_mode & S_IFMT == S_IFIFO)     // still the FIFO
    }

    /// The process id of a child that has exited (and been reaped), so surely not running.
    static func endedProcess() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    @Test func theNextSaveRemovesTemporariesOfEndedProcesses() throws {
        let folder = try Toy.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ended = try Self.endedProcess(), running = getppid()
        let stale = [".a.safetensors.tmp-\(ended)-123", ".b.json.tmp-\(ended)-4294967295"]
        let kept = [".a.safetensors.tmp-\(running)-7", ".a.safetensors.tmp-\(getpid())-8", ".notes.tmp-abc", "a.tmp-\(ended)-1",
                    ".x.tmp-\(ended)-1-2", "model.safetensors.tmp-\(ended)-9"]
        for name in stale + kept { _ = FileManager.default.createFile(atPath: folder + "/" + name, contents: Data([0])) }
        try AtomicFile.write(Data([1, 2, 3]), to: folder + "/model.safetensors")
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: folder))
        #expect(names == Set(kept + ["model.safetensors"]))
    }

    @Test func temporaryNamesAreRecognisedExactly() {
        #expect(AtomicFile.temporaryOwner(".m.safetensors.tmp-123-456") == 123)
        #expect(AtomicFile.temporaryOwner(".m.tmp-1.tmp-77-0") == 77)
        for name in [".tmp-1-2", "m.tmp-1-2", ".m.tmp-1", ".m.tmp--2", ".m.tmp-1-", ".m.tmp-x-2", ".m.tmp-0-2", ".m.tmp-1-99999999999"] {
            #expect(AtomicFile.temporaryOwner(name) == nil, "\(name)")
        }
    }
}
