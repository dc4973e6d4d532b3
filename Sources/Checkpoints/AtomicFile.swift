import Foundation
import NeuralNet
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-safe replacement of a file: the bytes go to a temporary file in the same folder, which is
/// flushed to disk (`fsync`) and renamed over the target; the folder is then flushed so the rename
/// itself survives a power cut. A reader sees either the old file or the new one, never a mix; a
/// process killed mid-write leaves the old file intact and at worst a `.NAME.tmp-PID-RANDOM` file
/// beside it, which the next save into that folder removes once process PID has ended.
public enum AtomicFile {
    /// Writes `data` to `path` atomically. `chunkBytes` and `pauseBetweenChunks` slow the write down
    /// (tests kill a writer mid-save with them); by default the data is written in 1 MiB chunks.
    /// A target that is a folder, a device or a FIFO is refused (`CheckpointError.cannotWrite`).
    public static func write(_ data: Data, to path: String, chunkBytes: Int = 1 << 20,
                             pauseBetweenChunks: Duration? = nil) throws {
        try write(parts: [data], to: path, chunkBytes: chunkBytes, pauseBetweenChunks: pauseBetweenChunks)
    }

    /// Writes the concatenation of `parts` to `path` atomically, one part after another (no joined
    /// copy in memory); otherwise as `write(_:to:)`.
    public static func write(parts: [Data], to path: String, chunkBytes: Int = 1 << 20,
                             pauseBetweenChunks: Duration? = nil) throws {
        var existing = stat()
        if lstat(path, &existing) == 0, case let kind = FileKind(existing), kind != .regular, kind != .symbolicLink {
            throw CheckpointError.cannotWrite(file: path, reason: kind.refusal)
        }
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
            for (index, data) in parts.enumerated() {
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
                        if let pause = pauseBetweenChunks, offset < buffer.count || index < parts.count - 1 {
                            Thread.sleep(forTimeInterval: pause.inSeconds)
                        }
                    }
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
        removeStaleTemporaries(in: folder)
    }

    /// The bytes of the regular file at `path`. A missing file, a folder, a device (`/dev/zero`,
    /// `/dev/null`), a FIFO or a socket is `CheckpointError.cannotRead` with a plain reason;
    /// opening never waits for a FIFO's writer.
    public static func read(_ path: String) throws -> Data {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK)
        guard descriptor >= 0 else {
            throw CheckpointError.cannotRead(file: path, reason: errno == ENOENT ? "no such file" : errorText())
        }
        var status = stat()
        let statusRead = fstat(descriptor, &status) == 0
        close(descriptor)
        guard statusRead else { throw CheckpointError.cannotRead(file: path, reason: errorText()) }
        let kind = FileKind(status)
        if kind != .regular { throw CheckpointError.cannotRead(file: path, reason: kind.refusal) }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            // The file changed between the check and the read (rare); say so plainly, not in Cocoa's words.
            throw CheckpointError.cannotRead(file: path, reason: "the file could not be read (\(errorText()))")
        }
    }

    /// Removes the `.NAME.tmp-PID-RANDOM` files in `folder` that a save of this kind left behind
    /// when its process was killed: only names of exactly that form, and only when process PID no
    /// longer exists (a save still running in another process keeps its file; this process's own
    /// files are left alone too). Best effort: a file that cannot be removed stays.
    static func removeStaleTemporaries(in folder: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder) else { return }
        let ownProcess = getpid()
        for name in names {
            guard let pid = temporaryOwner(name), pid != ownProcess else { continue }
            if kill(pid, 0) == 0 || errno != ESRCH { continue }            // alive, or not ours to judge
            unlink((folder.isEmpty ? "." : folder) + "/" + name)
        }
    }

    /// The process id in a name `.NAME.tmp-PID-RANDOM` written by `write`, or nil for any other name.
    static func temporaryOwner(_ name: String) -> pid_t? {
        guard name.hasPrefix("."), let marker = name.range(of: ".tmp-", options: .backwards),
              marker.lowerBound > name.index(after: name.startIndex) else { return nil }
        let parts = name[marker.upperBound...].split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let pid = pid_t(parts[0]), pid > 0, UInt32(parts[1]) != nil else { return nil }
        return pid
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}

/// What a path is, for plain refusals of anything but a regular file.
enum FileKind: Equatable {
    case regular, directory, symbolicLink, other

    init(_ status: stat) {
        switch status.st_mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFDIR: self = .directory
        case S_IFLNK: self = .symbolicLink
        default: self = .other
        }
    }

    /// The reason a checkpoint cannot be this: "is a directory" or "is not a regular file".
    var refusal: String { self == .directory ? "is a directory" : "is not a regular file" }
}

#if canImport(Glibc)
@inline(__always) private func Glibc_write(_ fd: Int32, _ pointer: UnsafeRawPointer?, _ count: Int) -> Int { Glibc.write(fd, pointer, count) }
#elseif canImport(Darwin)
@inline(__always) private func Glibc_write(_ fd: Int32, _ pointer: UnsafeRawPointer?, _ count: Int) -> Int { Darwin.write(fd, pointer, count) }
#endif
