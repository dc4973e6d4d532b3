#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// zlib's inflate API, loaded at run time with `dlopen` (nothing is linked at build time).
struct Zlib: @unchecked Sendable {
    typealias InflateInit2 = @convention(c) (UnsafeMutableRawPointer, Int32, UnsafePointer<CChar>, Int32) -> Int32
    typealias Inflate = @convention(c) (UnsafeMutableRawPointer, Int32) -> Int32
    typealias InflateEnd = @convention(c) (UnsafeMutableRawPointer) -> Int32
    typealias Version = @convention(c) () -> UnsafePointer<CChar>
    typealias CRC32 = @convention(c) (UInt, UnsafePointer<UInt8>?, UInt32) -> UInt

    let inflateInit2: InflateInit2
    let inflate: Inflate
    let inflateEnd: InflateEnd
    let inflateReset: InflateEnd
    let version: Version
    /// `crc32(crc, bytes, count)`: the running CRC-32 a zip entry's header records.
    let crc32: CRC32

    #if os(macOS)
    static let libraryNames = ["libz.dylib", "libz.1.dylib", "/usr/lib/libz.dylib"]
    #else
    static let libraryNames = ["libz.so.1", "libz.so"]
    #endif

    /// The loaded library, or the error saying it could not be loaded (resolved once, immutable).
    static let shared: Result<Zlib, DataError> = load()

    private static func load() -> Result<Zlib, DataError> {
        for name in libraryNames {
            guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else { continue }
            guard let a = dlsym(handle, "inflateInit2_"), let b = dlsym(handle, "inflate"),
                  let c = dlsym(handle, "inflateEnd"), let d = dlsym(handle, "inflateReset"),
                  let e = dlsym(handle, "zlibVersion"), let f = dlsym(handle, "crc32") else { continue }
            return .success(Zlib(inflateInit2: unsafeBitCast(a, to: InflateInit2.self),
                                 inflate: unsafeBitCast(b, to: Inflate.self),
                                 inflateEnd: unsafeBitCast(c, to: InflateEnd.self),
                                 inflateReset: unsafeBitCast(d, to: InflateEnd.self),
                                 version: unsafeBitCast(e, to: Version.self),
                                 crc32: unsafeBitCast(f, to: CRC32.self)))
        }
        return .failure(.zlibUnavailable(triedLibraries: libraryNames))
    }

    // z_stream on LP64 (Linux and macOS, where uInt is 32 bits and uLong 64 bits):
    //   0 next_in, 8 avail_in, 16 total_in, 24 next_out, 32 avail_out, 40 total_out, 48 msg,
    //   56 state, 64 zalloc, 72 zfree, 80 opaque, 88 data_type, 96 adler, 104 reserved; 112 bytes.
    // Written through raw offsets so the layout never depends on how Swift lays out a struct.
    static let streamSize = 112
    static let nextInOffset = 0, availInOffset = 8, nextOutOffset = 24, availOutOffset = 32, messageOffset = 48
    static let okay: Int32 = 0, streamEnd: Int32 = 1, bufferError: Int32 = -5
}

/// A gzip file inflated on the fly: reads compressed bytes from a `FileReader`, returns plain bytes.
/// Concatenated gzip members (as `cat a.gz b.gz` makes) are read one after another.
final class GzipReader: ByteReader {
    private var file: FileReader
    private let inflater: InflateStream
    private var inputEnded = false
    private var streamEnded = false

    /// Opens `path` and prepares zlib to inflate gzip (windowBits 15 + 32: gzip or zlib header detection).
    init(path: String) throws {
        file = try FileReader(path: path)
        do { inflater = try InflateStream(windowBits: 15 + 32) } catch let failure as InflateStream.Failure {
            throw GzipFailure.corrupt(failure.reason)
        }
    }

    /// Reads compressed bytes into the inflater; false at the end of the file.
    private func refill() throws -> Bool {
        let count = try file.read(into: inflater.input)
        if count > 0 { inflater.provideInput(count) }
        return count > 0
    }

    /// Inflates up to `buffer.count` bytes into `buffer`; 0 means the end of the last gzip member.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let outBase = buffer.baseAddress, buffer.count > 0, !streamEnded else { return 0 }
        inflater.setOutput(outBase, capacity: min(buffer.count, Int(UInt32.max)))
        while true {
            if inflater.availableInput == 0, !inputEnded, !(try refill()) { inputEnded = true }
            let memberEnded: Bool
            do { memberEnded = try inflater.inflate() } catch let failure as InflateStream.Failure {
                throw GzipFailure.corrupt(failure.reason)
            }
            let produced = inflater.produced
            if memberEnded {
                // Another member may follow; otherwise the file is done.
                if inflater.availableInput == 0, !(try refill()) { streamEnded = true; return produced }
                inflater.reset()
                if produced > 0 { return produced }
                continue
            }
            if produced > 0 { return produced }
            if inputEnded && inflater.availableInput == 0 { throw GzipFailure.truncated }
        }
    }
}

/// Internal gzip failures; `LineReader` turns them into `DataError` with the line and text.
enum GzipFailure: Error {
    case truncated
    case corrupt(String)
}
