#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A source of bytes read in blocks (a plain file, or a gzip file inflated on the fly).
protocol ByteReader: AnyObject {
    /// Fills up to `buffer.count` bytes; returns how many, 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// A plain file read with POSIX `read` in large blocks.
final class FileReader: ByteReader, @unchecked Sendable {
    private let descriptor: Int32
    let path: String
    var descriptorForRanges: Int32 { descriptor }

    /// Opens `path` for reading, or throws `DataError.cannotOpen` with the system's reason, or with
    /// "is a directory" / "is not a regular file" for folders, devices (`/dev/zero`), FIFOs and
    /// sockets: data files are read in parallel ranges, and a device or FIFO might never end.
    init(path: String) throws {
        self.path = path
        // O_NONBLOCK: opening a FIFO without a writer would otherwise wait for one.
        descriptor = open(path, O_RDONLY | O_NONBLOCK)
        guard descriptor >= 0 else {
            throw DataError.cannotOpen(file: path, reason: String(cString: strerror(errno)))
        }
        var status = stat()
        let kind = fstat(descriptor, &status) == 0 ? status.st_mode & S_IFMT : 0
        guard kind == S_IFREG else {
            close(descriptor)
            throw DataError.cannotOpen(file: path, reason: kind == S_IFDIR ? "is a directory" : "is not a regular file")
        }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
    }

    deinit { close(descriptor) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        while true {
            let count = Glibc_read(descriptor, base, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw DataError.cannotOpen(file: path, reason: String(cString: strerror(errno)))
        }
    }
}

/// One byte range of a plain file, read with `pread` so several ranges can be read at once.
final class FileRangeReader: ByteReader {
    private let file: FileReader
    private var position: Int
    private let end: Int

    /// Reads `range` of the already opened `file`.
    init(file: FileReader, range: Range<Int>) {
        self.file = file
        position = range.lowerBound
        end = range.upperBound
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let wanted = min(buffer.count, end - position)
        guard wanted > 0 else { return 0 }
        let count = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<wanted]), at: position)
        position += count
        return count
    }
}

extension FileReader {
    /// Reads up to `buffer.count` bytes at byte `offset` (POSIX `pread`); 0 at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        while true {
            let count = pread(descriptorForRanges, base, buffer.count, off_t(offset))
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw DataError.cannotOpen(file: path, reason: String(cString: strerror(errno)))
        }
    }

    /// The size of the file in bytes (nil when `fstat` fails).
    var size: Int? {
        var status = stat()
        return fstat(descriptorForRanges, &status) == 0 ? Int(status.st_size) : nil
    }

    /// Counts the newlines in bytes `0..<end` (used to turn a segment's line numbers into the file's).
    func newlines(before end: Int) throws -> Int {
        var lines = 0, offset = 0
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { block.deallocate() }
        while offset < end {
            let count = try read(into: UnsafeMutableRawBufferPointer(rebasing: block[0..<min(block.count, end - offset)]),
                                 at: offset)
            if count == 0 { break }
            for byte in UnsafeRawBufferPointer(rebasing: block[0..<count]) where byte == 0x0A { lines += 1 }
            offset += count
        }
        return lines
    }
}

@inline(__always) private func Glibc_read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.read(fd, buffer, count)
    #else
    return Darwin.read(fd, buffer, count)
    #endif
}

/// Splits a byte stream into lines without building a `String` per line: each line is handed to
/// the caller as a buffer into one reused block (valid only during the call), with its 1-based
/// number. `\n` and `\r\n` endings are accepted; a last line without a newline is still read.
/// A line longer than `maximumLineBytes` throws `DataError.lineTooLong`, so memory stays at one
/// 4 MiB block and every byte is scanned once: the cost is linear in the input whatever it holds.
struct LineReader {
    /// The longest line accepted, in bytes (1 MiB; ratings lines are under 100 bytes).
    static let maximumLineBytes = 1 << 20
    /// The block lines are read into (four times the longest line).
    static let blockBytes = 1 << 22
    /// The path shown in errors.
    let path: String
    private let reader: ByteReader

    /// Opens `path`, transparently inflating it when the name ends in `.gz`.
    init(path: String) throws {
        self.path = path
        reader = path.hasSuffix(".gz") ? try GzipReader(path: path) : try FileReader(path: path)
    }

    /// Lines of an already opened byte source (`path` is only shown in errors).
    init(path: String, reader: ByteReader) {
        self.path = path
        self.reader = reader
    }

    /// Calls `body(line, lineNumber)` for every line; `body` may throw to stop early.
    func forEachLine(_ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        let capacity = Self.blockBytes, limit = Self.maximumLineBytes
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        defer { block.deallocate() }
        guard let base = block.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var filled = 0        // bytes in the block; [0, filled) is the start of the current line
        var scanned = 0       // bytes of the current line already searched for a newline
        var lineNumber = 0
        while true {
            let count: Int
            do {
                count = try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: block[filled..<capacity]))
            } catch let failure as GzipFailure {
                switch failure {
                case .truncated:
                    let pending = UnsafeBufferPointer(start: base, count: filled)
                    throw DataError.truncatedGzip(file: path, line: lineNumber + 1, text: DataError.excerpt(pending))
                case let .corrupt(reason):
                    throw DataError.corruptGzip(file: path, line: lineNumber + 1, reason: reason)
                }
            }
            filled += count
            var start = 0
            var searchFrom = scanned
            while searchFrom < filled, let found = memchr(base + searchFrom, 0x0A, filled - searchFrom) {
                let end = UnsafeMutableRawPointer(found).assumingMemoryBound(to: UInt8.self) - base
                lineNumber += 1
                if end - start > limit { throw DataError.lineTooLong(file: path, line: lineNumber, limit: limit) }
                var lineEnd = end
                if lineEnd > start && base[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                try body(UnsafeBufferPointer(start: base + start, count: lineEnd - start), lineNumber)
                start = end + 1
                searchFrom = start
            }
            let leftover = filled - start
            if leftover > limit { throw DataError.lineTooLong(file: path, line: lineNumber + 1, limit: limit) }
            if count == 0 {
                if leftover > 0 {
                    lineNumber += 1
                    var lineEnd = filled
                    if base[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                    try body(UnsafeBufferPointer(start: base + start, count: lineEnd - start), lineNumber)
                }
                return
            }
            if leftover > 0 && start > 0 { memmove(base, base + start, leftover) }
            filled = leftover
            scanned = leftover
        }
    }
}
