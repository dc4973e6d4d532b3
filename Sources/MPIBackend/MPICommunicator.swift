import NeuralNet
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// MPI_COMM_WORLD of a process started by an MPI launcher, as the trainer's `DataParallelGroup`.
///
/// `start` initialises MPI once and sets MPI_ERRORS_RETURN on the world communicator, so a failed
/// call comes back as a thrown `MPIError` (naming the call and the library's message) rather than
/// an abort; a rank that dies is reported by the launcher, which stops the job. `finish` must run
/// before the process exits normally (MPI_Finalize).
public final class MPICommunicator: DataParallelGroup, @unchecked Sendable {
    /// The opened library.
    public let library: MPILibrary
    public let rank: Int
    public let size: Int
    /// "MPI: rank r of N (Open MPI v4.1.4 via libmpi.so.40)": the first line a program prints on rank 0.
    public var banner: String {
        "MPI: rank \(rank) of \(size) (\(library.versionText()) via \(library.path))"
    }
    /// Seconds spent inside collective calls so far (waiting for slower ranks included), their
    /// count and the bytes this rank contributed: the communication share a benchmark reports.
    public private(set) var traffic = (seconds: 0.0, calls: 0, bytes: 0)
    /// Elements per MPI call: counts are C ints.
    static let chunk = 1 << 28

    /// MPI for this process: nil when it was not started by a launcher (`MPILaunch.detect`),
    /// the initialised world otherwise; throws when a launch is seen but MPI cannot be used.
    public static func start(environment: [String: String]) throws -> MPICommunicator? {
        guard let launch = MPILaunch.detect(in: environment) else { return nil }
        return try MPICommunicator(library: MPILibrary.load(environment: environment, launch: launch))
    }

    /// Initialises MPI through `library` (once per process) and reads the rank and size.
    public init(library: MPILibrary) throws {
        self.library = library
        var flag: Int32 = 0
        try library.check(library.initialized(&flag), "MPI_Initialized")
        if flag == 0 { try library.check(library.initialize(nil, nil), "MPI_Init") }
        try library.check(library.setErrorHandler(library.world, library.errorsReturn), "MPI_Comm_set_errhandler")
        var value: Int32 = 0
        try library.check(library.commRank(library.world, &value), "MPI_Comm_rank")
        rank = Int(value)
        try library.check(library.commSize(library.world, &value), "MPI_Comm_size")
        size = Int(value)
    }

    public func allReduceSum(_ values: inout [Float]) throws {
        try sumInPlace(&values, type: library.float)
    }

    public func allReduceSum(_ values: inout [Double]) throws {
        try sumInPlace(&values, type: library.double)
    }

    private func sumInPlace<T>(_ values: inout [T], type: MPILibrary.Handle) throws {
        try timed(bytes: values.count * MemoryLayout<T>.stride) { try sumInPlaceUntimed(&values, type: type) }
    }

    /// `body`, its time and `bytes` added to `traffic`.
    private func timed(bytes: Int, _ body: () throws -> Void) rethrows {
        let clock = ContinuousClock(), started = clock.now
        defer {
            let elapsed = clock.now - started
            traffic.seconds += elapsed.inSeconds
            traffic.calls += 1
            traffic.bytes += bytes
        }
        try body()
    }

    private func sumInPlaceUntimed<T>(_ values: inout [T], type: MPILibrary.Handle) throws {
        try values.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            for start in stride(from: 0, to: buffer.count, by: Self.chunk) {
                let count = min(Self.chunk, buffer.count - start)
                try library.check(library.allreduce(library.inPlace, base + start, Int32(count), type, library.sum, library.world),
                                  "MPI_Allreduce")
            }
        }
    }

    public func allGather(_ bytes: [UInt8]) throws -> [[UInt8]] {
        let length = bytes.count
        guard length * size <= Int(Int32.max) else {
            throw MPIError.callFailed(function: "MPI_Allgather", code: -1,
                                      message: "\(length) bytes from each of \(size) ranks exceed the \(Int32.max) an int count holds")
        }
        var gathered = [UInt8](repeating: 0, count: length * size)
        try timed(bytes: length) { try bytes.withUnsafeBytes { send in
            try gathered.withUnsafeMutableBytes { receive in
                try library.check(library.allgather(send.baseAddress, Int32(length), library.byte, receive.baseAddress,
                                                    Int32(length), library.byte, library.world), "MPI_Allgather")
            }
        } }
        return (0..<size).map { Array(gathered[($0 * length)..<(($0 + 1) * length)]) }
    }

    /// MPI_Finalize, unless already done; call once, after the last collective operation.
    public func finish() {
        var flag: Int32 = 0
        if library.finalized(&flag) == 0 && flag == 0 { _ = library.finalize() }
    }

    /// Ends every rank of the job with `code` (MPI_Abort): for an error seen by some ranks only,
    /// where the others would wait for them forever.
    public func abortJob(code: Int32) -> Never {
        _ = library.abort(library.world, code)
        exit(code)                                                            // MPI_Abort does not return
    }
}
