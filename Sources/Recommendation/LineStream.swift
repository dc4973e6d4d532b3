import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a text file line by line in 64 KiB chunks, calling `body` with each line (without its
/// `\n` / `\r\n`) and its 1-based number; `body` returns false to stop early. Memory is one block
/// of `maximumLineBytes` + 64 KiB and every byte is searched for a newline once, so the cost is
/// linear in the input whatever it holds; a longer line is `RecommendError.lineTooLong`. A regular
/// file or a pipe/FIFO may be read (a FIFO is opened as `cat` would, waiting for its writer);
/// a folder is refused as "is a directory", a device or socket as "is not a regular file or a pipe".
struct LineStream {
    /// The longest line accepted, in bytes (1 MiB).
    static let maximumLineBytes = 1 << 20
    static let chunkBytes = 1 << 16
    let path: String

    func forEachLine(encoding: String.Encoding = .utf8, _ body: (String, Int) throws -> Bool) throws {
        let descriptor = try openChecked()
        defer { close(descriptor) }
        let limit = Self.maximumLineBytes, capacity = limit + Self.chunkBytes
        let block = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { block.deallocate() }
        var filled = 0, scanned = 0, number = 0
        func emit(_ start: Int, _ end: Int) throws -> Bool {
            number += 1
            var end = end
            if end > start && block[end - 1] == 0x0D { end -= 1 }
            let bytes = UnsafeBufferPointer(start: block + start, count: end - start)
            let text = String(bytes: bytes, encoding: encoding) ?? String(decoding: bytes, as: UTF8.self)
            return try body(text, number)
        }
        while true {
            let count = Self.readSome(descriptor, block + filled, min(Self.chunkBytes, capacity - filled))
            guard count >= 0 else { throw RecommendError.cannotRead(file: path, reason: String(cString: strerror(errno))) }
            filled += count
            var start = 0
            while scanned < filled, let found = memchr(block + scanned, 0x0A, filled - scanned) {
                let end = UnsafeMutableRawPointer(found).assumingMemoryBound(to: UInt8.self) - block
                if end - start > limit { throw RecommendError.lineTooLong(file: path, line: number + 1, limit: limit) }
                guard try emit(start, end) else { return }
                start = end + 1
                scanned = start
            }
            let leftover = filled - start
            if leftover > limit { throw RecommendError.lineTooLong(file: path, line: number + 1, limit: limit) }
            if count == 0 {
                if leftover > 0 { _ = try emit(start, filled) }
                return
            }
            if start > 0 && leftover > 0 { memmove(block, block + start, leftover) }
            filled = leftover
            scanned = leftover
        }
    }

    /// Opens `path` for reading after checking what it is (without waiting on a FIFO to do so).
    private func openChecked() throws -> Int32 {
        let probe = open(path, O_RDONLY | O_NONBLOCK)
        guard probe >= 0 else {
            throw RecommendError.cannotRead(file: path, reason: errno == ENOENT ? "no such file" : String(cString: strerror(errno)))
        }
        var status = stat()
        let kind = fstat(probe, &status) == 0 ? status.st_mode & S_IFMT : 0
        switch kind {
        case S_IFREG:
            _ = fcntl(probe, F_SETFL, fcntl(probe, F_GETFL) & ~O_NONBLOCK)
            return probe
        case S_IFIFO:
            // Keep the probe: closing it and reopening would lose what a writer that connected in
            // between wrote and closed (then the reopen waited for a writer forever). Reads block;
            // the first waits in poll until a writer has connected, as `cat` does, since a read
            // on a FIFO that no writer has opened yet returns end of file at once.
            _ = fcntl(probe, F_SETFL, fcntl(probe, F_GETFL) & ~O_NONBLOCK)
            var waiting = pollfd(fd: probe, events: Int16(POLLIN), revents: 0)
            while poll(&waiting, 1, -1) < 0 && errno == EINTR {}
            return probe
        default:
            close(probe)
            throw RecommendError.cannotRead(file: path, reason: kind == S_IFDIR ? "is a directory" : "is not a regular file or a pipe")
        }
    }

    private static func readSome(_ descriptor: Int32, _ buffer: UnsafeMutablePointer<UInt8>, _ count: Int) -> Int {
        while true {
            let got = read(descriptor, buffer, count)
            if got >= 0 || errno != EINTR { return got }
        }
    }
}
