import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-safe replacement of a file: the bytes go to a temporary file in the same folder, which is
/// flushed to disk (`fsync`) and renamed over the target; the folder is then flushed so the rename
/// itself survives a power cut. A reader sees either the old file or the new one, never a mix; a
/// process killed mid-write leaves the old file intact and at worst a `.NAME.tmp-*` file beside it.
public enum AtomicFile {
    /// Writes `data` to `path` atomically. `chunkBytes` and `pauseBetweenChunks` slow the write down
    /// (tests kill a writer mid-save with them); by default the data is written in 1 MiB chunks.
    public static func write(_ data: Data, to path: String, chunkBytes: Int = 1 << 20,
                             pauseBetweenChunks: Duration? = nil) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard descriptor >= 0 else { throw CheckpointError.cannotWrite(file: path, reason: "cannot create \(temporary): \(errorText())") }
        var succeeded = false
        defer {
            if !succeeded { unlink(temporary) }
        }
        do {
            defer { close(descriptor) }
            try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
                var offset = 0
                while offset < buffer.count {
                    let length = min(max(1, chunkBytes), buffer.count - offset)
                    let written = Glibc_write(descriptor, buffer.baseAddress.map { $0 + offset }, length)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw CheckpointError.cannotWrite(file: path, reason: "write failed: \(errorText())")
                    }
                    offset += written
                    if let pause = pauseBetweenChunks, offset < buffer.count { Thread.sleep(forTimeInterval: seconds(pause)) }
                }
            }
            guard fsync(descriptor) == 0 else { throw CheckpointError.cannotWrite(file: path, reason: "fsync failed: \(errorText())") }
        }
        guard rename(temporary, path) == 0 else {
            throw CheckpointError.cannotWrite(file: path, reason: "cannot rename \(temporary) over it: \(errorText())")
        }
        succeeded = true
        let folderDescriptor = open(folder.isEmpty ? "." : folder, O_RDONLY)
        if folderDescriptor >= 0 {
            _ = fsync(folderDescriptor)              // make the rename durable; best effort on file systems that refuse
            close(folderDescriptor)
        }
    }

    /// The bytes of the file at `path`.
    public static func read(_ path: String) throws -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            throw CheckpointError.cannotRead(file: path, reason: FileManager.default.fileExists(atPath: path)
                                             ? error.localizedDescription : "no such file")
        }
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}

#if canImport(Glibc)
@inline(__always) private func Glibc_write(_ fd: Int32, _ pointer: UnsafeRawPointer?, _ count: Int) -> Int { Glibc.write(fd, pointer, count) }
#elseif canImport(Darwin)
@inline(__always) private func Glibc_write(_ fd: Int32, _ pointer: UnsafeRawPointer?, _ count: Int) -> Int { Darwin.write(fd, pointer, count) }
#endif
