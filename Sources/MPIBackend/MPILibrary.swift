#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The system MPI opened at run time with `dlopen` (nothing is linked at build time), with the
/// functions and handles this backend calls.
///
/// Handles differ between implementations: Open MPI's `MPI_COMM_WORLD`, `MPI_FLOAT`, `MPI_SUM` …
/// are addresses of exported objects (`ompi_mpi_comm_world`, `ompi_mpi_float`, `ompi_mpi_op_sum`),
/// found with `dlsym`; MPICH's are 32-bit integer constants from its `mpi.h`, passed here in a
/// pointer-sized argument (the C calling conventions of x86-64 and arm64 read the low 32 bits).
/// Every stored property is immutable and the library is never closed, hence `@unchecked Sendable`.
public final class MPILibrary: @unchecked Sendable {
    typealias Handle = UnsafeMutableRawPointer?
    typealias Init = @convention(c) (UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> Int32
    typealias NoArguments = @convention(c) () -> Int32
    typealias IntQuery = @convention(c) (UnsafeMutablePointer<Int32>?) -> Int32
    typealias CommQuery = @convention(c) (Handle, UnsafeMutablePointer<Int32>?) -> Int32
    typealias Allreduce = @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32, Handle, Handle, Handle) -> Int32
    typealias Allgather = @convention(c) (UnsafeRawPointer?, Int32, Handle, UnsafeMutableRawPointer?, Int32, Handle, Handle) -> Int32
    typealias TextQuery = @convention(c) (UnsafeMutablePointer<CChar>?, UnsafeMutablePointer<Int32>?) -> Int32
    typealias ErrorString = @convention(c) (Int32, UnsafeMutablePointer<CChar>?, UnsafeMutablePointer<Int32>?) -> Int32
    typealias SetErrorHandler = @convention(c) (Handle, Handle) -> Int32
    typealias Abort = @convention(c) (Handle, Int32) -> Int32

    /// Which family of handles the library uses.
    public enum Implementation: String, Sendable { case openMPI = "Open MPI", mpich = "MPICH" }

    /// The file that was opened, e.g. `libmpi.so.40`.
    public let path: String
    /// Open MPI or MPICH.
    public let implementation: Implementation
    let initialize: Init, initialized: IntQuery, finalized: IntQuery, finalize: NoArguments
    let commRank: CommQuery, commSize: CommQuery
    let allreduce: Allreduce, allgather: Allgather
    let libraryVersion: TextQuery, errorString: ErrorString, setErrorHandler: SetErrorHandler, abort: Abort
    /// MPI_COMM_WORLD, MPI_FLOAT, MPI_DOUBLE, MPI_BYTE, MPI_SUM, MPI_ERRORS_RETURN, MPI_IN_PLACE.
    let world: Handle, float: Handle, double: Handle, byte: Handle, sum: Handle, errorsReturn: Handle, inPlace: Handle

    /// Files tried in order: the one `AUTOENCODERZOO_MPI_LIBRARY` names, alone, when set; else
    /// Open MPI's and MPICH's sonames.
    public static func candidatePaths(environment: [String: String]) -> [String] {
        if let chosen = environment["AUTOENCODERZOO_MPI_LIBRARY"], !chosen.isEmpty { return [chosen] }
        return ["libmpi.so.40", "libmpi.so", "libmpich.so.12", "libmpi.so.12", "libmpi.dylib", "libmpich.dylib"]
    }

    /// Opens the first candidate that loads (with `RTLD_GLOBAL`: Open MPI's own plug-ins resolve
    /// their symbols against it); throws `MPIError.libraryNotFound` naming each failure.
    public static func load(environment: [String: String], launch: MPILaunch) throws -> MPILibrary {
        var reasons: [String] = []
        let candidates = candidatePaths(environment: environment)
        for path in candidates {
            guard let handle = dlopen(path, RTLD_NOW | RTLD_GLOBAL) else {
                reasons.append(dlerror().map { String(cString: $0) } ?? "\(path): not found")
                continue
            }
            return try MPILibrary(handle: handle, path: path)
        }
        throw MPIError.libraryNotFound(launchEvidence: launch.evidence, tried: candidates, reasons: reasons)
    }

    private init(handle: UnsafeMutableRawPointer, path: String) throws {
        self.path = path
        func symbol<T>(_ name: String, as type: T.Type) throws -> T {
            guard let address = dlsym(handle, name) else { throw MPIError.missingSymbol(library: path, symbol: name) }
            return unsafeBitCast(address, to: type)
        }
        func object(_ name: String) throws -> Handle {
            guard let address = dlsym(handle, name) else { throw MPIError.missingSymbol(library: path, symbol: name) }
            return address
        }
        if dlsym(handle, "ompi_mpi_comm_world") != nil {
            implementation = .openMPI
            (world, float, double) = (try object("ompi_mpi_comm_world"), try object("ompi_mpi_float"), try object("ompi_mpi_double"))
            (byte, sum, errorsReturn) = (try object("ompi_mpi_byte"), try object("ompi_mpi_op_sum"), try object("ompi_mpi_errors_return"))
            inPlace = UnsafeMutableRawPointer(bitPattern: 1)                    // mpi.h: ((void *) 1)
        } else {
            implementation = .mpich                                          // mpi.h of MPICH 3–4
            (world, float, double) = (.init(bitPattern: 0x4400_0000), .init(bitPattern: 0x4c00_040a), .init(bitPattern: 0x4c00_080b))
            (byte, sum, errorsReturn) = (.init(bitPattern: 0x4c00_010d), .init(bitPattern: 0x5800_0003), .init(bitPattern: 0x5400_0001))
            inPlace = UnsafeMutableRawPointer(bitPattern: -1)                   // ((void *) -1)
        }
        initialize = try symbol("MPI_Init", as: Init.self)
        initialized = try symbol("MPI_Initialized", as: IntQuery.self)
        finalized = try symbol("MPI_Finalized", as: IntQuery.self)
        finalize = try symbol("MPI_Finalize", as: NoArguments.self)
        commRank = try symbol("MPI_Comm_rank", as: CommQuery.self)
        commSize = try symbol("MPI_Comm_size", as: CommQuery.self)
        allreduce = try symbol("MPI_Allreduce", as: Allreduce.self)
        allgather = try symbol("MPI_Allgather", as: Allgather.self)
        libraryVersion = try symbol("MPI_Get_library_version", as: TextQuery.self)
        errorString = try symbol("MPI_Error_string", as: ErrorString.self)
        setErrorHandler = try symbol("MPI_Comm_set_errhandler", as: SetErrorHandler.self)
        abort = try symbol("MPI_Abort", as: Abort.self)
    }

    /// Throws `MPIError.callFailed` with the library's message unless `code` is MPI_SUCCESS (0).
    func check(_ code: Int32, _ function: String) throws {
        guard code != 0 else { return }
        var buffer = [CChar](repeating: 0, count: 1024)
        var length: Int32 = 0
        let message = errorString(code, &buffer, &length) == 0
            ? String(decoding: buffer.prefix(Int(max(0, min(length, 1023)))).map { UInt8(bitPattern: $0) }, as: UTF8.self) : "no message"
        throw MPIError.callFailed(function: function, code: Int(code), message: message)
    }

    /// The library's own version text, first line (MPI_Get_library_version).
    func versionText() -> String {
        var buffer = [CChar](repeating: 0, count: 8192)                      // ≥ MPI_MAX_LIBRARY_VERSION_STRING of both
        var length: Int32 = 0
        guard libraryVersion(&buffer, &length) == 0 else { return "version unknown" }
        let text = String(decoding: buffer.prefix(Int(max(0, min(length, 8191)))).prefix { $0 != 0 }.map { UInt8(bitPattern: $0) },
                          as: UTF8.self)
        return Self.versionLine(text)
    }

    /// The first line of a library's version text up to its first comma, runs of white space as
    /// one space ("Open MPI v4.1.4, package: …" → "Open MPI v4.1.4"; MPICH's
    /// "MPICH Version:\t4.0.2\n…" → "MPICH Version: 4.0.2"), or "version unknown".
    public static func versionLine(_ text: String) -> String {
        guard let line = text.split(whereSeparator: \.isNewline).first,
              let head = line.split(separator: ",", omittingEmptySubsequences: false).first else { return "version unknown" }
        let words = head.split(whereSeparator: \.isWhitespace)
        return words.isEmpty ? "version unknown" : words.joined(separator: " ")
    }
}
