/// One zlib inflate stream (a `z_stream` on the heap) with its 256 KiB input buffer: what the gzip
/// reader and the zip entry reader share. The caller refills the input and hands out the output;
/// this type owns the stream's set-up, its raw fields and its tear-down.
final class InflateStream {
    /// zlib's own words for a failure (`msg`, or the status when it set none).
    struct Failure: Error { let reason: String }

    let zlib: Zlib
    /// Where the caller puts compressed bytes before `provideInput`.
    let input: UnsafeMutableRawBufferPointer
    private let stream: UnsafeMutableRawPointer
    private var initialised = false
    private var outputCapacity = 0

    /// A stream for `windowBits` as `inflateInit2_` takes them (15 + 32: gzip or zlib header
    /// detection; −15: raw deflate, as in a zip entry).
    init(windowBits: Int32) throws {
        switch Zlib.shared {
        case let .success(library): zlib = library
        case let .failure(error): throw error
        }
        stream = UnsafeMutableRawPointer.allocate(byteCount: Zlib.streamSize, alignment: 8)
        stream.initializeMemory(as: UInt8.self, repeating: 0, count: Zlib.streamSize)
        input = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 18, alignment: 8)
        let status = zlib.inflateInit2(stream, windowBits, zlib.version(), Int32(Zlib.streamSize))
        guard status == Zlib.okay else { throw Failure(reason: "inflateInit2_ returned \(status)") }
        initialised = true
    }

    deinit {
        if initialised { _ = zlib.inflateEnd(stream) }
        stream.deallocate()
        input.deallocate()
    }

    /// Compressed bytes not yet consumed.
    var availableInput: Int { Int(stream.load(fromByteOffset: Zlib.availInOffset, as: UInt32.self)) }

    /// The first `count` bytes of `input` are the next compressed bytes.
    func provideInput(_ count: Int) {
        stream.storeBytes(of: input.baseAddress, toByteOffset: Zlib.nextInOffset, as: UnsafeMutableRawPointer?.self)
        stream.storeBytes(of: UInt32(count), toByteOffset: Zlib.availInOffset, as: UInt32.self)
    }

    /// Inflated bytes go to `output`, at most `capacity` (≤ UInt32.max) of them.
    func setOutput(_ output: UnsafeMutableRawPointer, capacity: Int) {
        outputCapacity = capacity
        stream.storeBytes(of: output, toByteOffset: Zlib.nextOutOffset, as: UnsafeMutableRawPointer.self)
        stream.storeBytes(of: UInt32(capacity), toByteOffset: Zlib.availOutOffset, as: UInt32.self)
    }

    /// Bytes written to the output since `setOutput`.
    var produced: Int { outputCapacity - Int(stream.load(fromByteOffset: Zlib.availOutOffset, as: UInt32.self)) }

    /// One `inflate` call; true at the end of the (gzip member's or entry's) deflate stream.
    func inflate() throws -> Bool {
        let status = zlib.inflate(stream, 0)
        if status == Zlib.streamEnd { return true }
        guard status == Zlib.okay || status == Zlib.bufferError else {
            let message = stream.load(fromByteOffset: Zlib.messageOffset, as: UnsafePointer<CChar>?.self)
            throw Failure(reason: message.map { String(cString: $0) } ?? "zlib status \(status)")
        }
        return false
    }

    /// Ready for another stream (the next gzip member), keeping the input not yet consumed.
    func reset() { _ = zlib.inflateReset(stream) }
}
