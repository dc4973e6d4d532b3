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

    /// Opens `path` for reading, or throws `DataError.cannotOpen` with the system's reason.
    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw DataError.cannotOpen(file: path, reason: String(cString: strerror(errno)))
        }
        var status = stat()
        if fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR {
            close(descriptor)
            throw DataError.cannotOpen(file: path, reason: "is a directory")
        }
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
struct LineReader {
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
        var capacity = 1 << 22
        var block = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        defer { block.deallocate() }
        var filled = 0
        var lineNumber = 0
        while true {
            let count: Int
            do {
                count = try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: block[filled..<capacity]))
            } catch let failure as GzipFailure {
                let pending = UnsafeBufferPointer(start: block.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                                  count: filled)
                switch failure {
                case .truncated:
                    throw DataError.truncatedGzip(file: path, line: lineNumber + 1, text: DataError.excerpt(pending))
                case let .corrupt(reason):
                    throw DataError.corruptGzip(file: path, line: lineNumber + 1, reason: reason)
                }
            }
            filled += count
            guard let base = block.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            var start = 0
            while start < filled,
                  let found = memchr(base + start, 0x0A, filled - start) {
                let end = UnsafeMutableRawPointer(found).assumingMemoryBound(to: UInt8.self) - base
                lineNumber += 1
                var lineEnd = end
                if lineEnd > start && base[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                try body(UnsafeBufferPointer(start: base + start, count: lineEnd - start), lineNumber)
                start = end + 1
            }
            if count == 0 {
                if start < filled {
                    lineNumber += 1
                    var lineEnd = filled
                    if base[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                    try body(UnsafeBufferPointer(start: base + start, count: lineEnd - start), lineNumber)
                }
                return
            }
            let leftover = filled - start
            if leftover > 0 && start > 0 { memmove(base, base + start, leftover) }
            filled = leftover
            if filled == capacity {
                // One line longer than the block: grow it.
                let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity * 2, alignment: 16)
                if let source = block.baseAddress { bigger.baseAddress?.copyMemory(from: source, byteCount: filled) }
                block.deallocate()
                block = bigger
                capacity *= 2
            }
        }
    }
}
