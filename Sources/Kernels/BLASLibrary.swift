import TensorCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A system BLAS opened at run time with `dlopen` (OpenBLAS on Linux, Accelerate on macOS).
///
/// Nothing is linked at build time: when no library can be opened the package still builds and
/// runs on the built-in kernels. The library is never closed once chosen (only reopened while
/// loading, see `BLASCoreType`), so its function pointers stay valid for the life of the process;
/// every stored property is immutable, which is what makes the unchecked `Sendable` sound.
public final class BLASLibrary: @unchecked Sendable, CustomStringConvertible {
    /// `cblas_sgemm` with 32-bit integer arguments (LP64 builds, Accelerate).
    typealias Sgemm32 = @convention(c) (Int32, Int32, Int32, Int32, Int32, Int32, Float,
                                        UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32,
                                        Float, UnsafeMutablePointer<Float>?, Int32) -> Void
    /// `cblas_sgemm` with 64-bit integer arguments (OpenBLAS built with `USE64BITINT`).
    typealias Sgemm64 = @convention(c) (Int32, Int32, Int32, Int64, Int64, Int64, Float,
                                        UnsafePointer<Float>?, Int64, UnsafePointer<Float>?, Int64,
                                        Float, UnsafeMutablePointer<Float>?, Int64) -> Void
    typealias SetThreads = @convention(c) (Int32) -> Void
    typealias GetConfig = @convention(c) () -> UnsafePointer<CChar>?

    /// The library's name and version, e.g. `OpenBLAS 0.3.21` or `Accelerate`.
    public let name: String
    /// The file that was opened, e.g. `libopenblas.so.0`.
    public let path: String
    /// The thread count handed to the library (nil when it offers no way to set one).
    public let threads: Int?
    /// When set, the library runs single-threaded and each large product is split into this many
    /// independent calls on our worker threads (`GEMMPartition`); nil: the library threads itself.
    public let partitionParts: Int?
    /// OpenBLAS's kernel family (`openblas_get_corename`, e.g. `SkylakeX`); nil for other libraries.
    public let coreName: String?
    /// Set when the kernel family was not the library's own choice, or a bad choice could not be
    /// repaired (see `BLASCoreType`); printed in the description.
    public let coreNote: String?
    let sgemm32: Sgemm32?
    let sgemm64: Sgemm64?
    /// `openblas_set_num_threads`, kept for `withLibraryThreading` (nil for other libraries).
    let setThreads: SetThreads?
    /// LAPACK's Cholesky factorisation and inverse (`spotrf_`, `spotri_`) when the library exports
    /// them (Debian's OpenBLAS does); nil otherwise (`BLASLibrary+LAPACK.swift`).
    let lapack: LAPACKRoutines?

    /// One line such as `OpenBLAS 0.3.21 (SkylakeX kernels) via libopenblas.so.0 (2 threads)`.
    public var description: String {
        var threadText = threads.map { "\($0) thread\($0 == 1 ? "" : "s")" } ?? "library-managed threads"
        if let partitionParts {
            threadText = "\(partitionParts) threads: products split into single-threaded calls"
        }
        let core = coreName.map { " (\($0) kernels)" } ?? ""
        return "\(name)\(core) via \(path) (\(threadText)" + (coreNote.map { "; \($0)" } ?? "") + ")"
    }

    init(name: String, path: String, threads: Int?, partitionParts: Int? = nil, coreName: String? = nil,
         coreNote: String? = nil, sgemm32: Sgemm32?, sgemm64: Sgemm64?, setThreads: SetThreads? = nil,
         lapack: LAPACKRoutines? = nil) {
        (self.name, self.path, self.threads) = (name, path, threads)
        (self.partitionParts, self.coreName, self.coreNote) = (partitionParts, coreName, coreNote)
        (self.sgemm32, self.sgemm64, self.setThreads, self.lapack) = (sgemm32, sgemm64, setThreads, lapack)
    }

    /// Why no system BLAS could be used.
    public struct LoadError: Error, CustomStringConvertible, Sendable {
        /// What was tried and what failed, on one line.
        public let description: String
    }

    /// The candidate files, in the order they are tried on this platform.
    public static var candidatePaths: [String] {
        #if os(macOS)
        return ["/System/Library/Frameworks/Accelerate.framework/Accelerate"]
        #else
        return ["libopenblas.so.0", "libopenblas.so", "libblas.so.3"]
        #endif
    }

    /// Opens the first candidate that exports `cblas_sgemm` and sets its thread count to `threads`.
    /// An OpenBLAS whose CPU detection fell back to kernels without AVX on a CPU with AVX2 or
    /// AVX-512 is closed and opened again with `OPENBLAS_CORETYPE` set (see `BLASCoreType`).
    public static func load(threads: Int) -> Result<BLASLibrary, LoadError> {
        _ = SubnormalMode.flushesToZero   // before dlopen: the library's worker threads inherit the mode
        BLASThreadWaiting.setDefaultUnlessSet()   // before dlopen: OpenBLAS reads it when loaded
        var failures: [String] = []
        for path in candidatePaths {
            guard var opened = open(path, failures: &failures) else { continue }
            var coreNote: String?
            if let detected = opened.coreName, let core = BLASCoreType.replacement(
                detected: detected, cpuFlags: BLASCoreType.currentCPUFlags(), userValue: BLASCoreType.userValue()) {
                _ = setenv(BLASCoreType.environmentVariable, core, 0)   // 0: never overwrite
                dlclose(opened.handle)
                var reopenFailures: [String] = []
                guard let again = open(path, failures: &reopenFailures) else {
                    failures.append("\(path): reopening with \(BLASCoreType.environmentVariable)=\(core) failed ("
                                    + reopenFailures.joined(separator: "; ") + ")")
                    continue
                }
                opened = again
                coreNote = opened.coreName.map { BLASCoreType.tier(ofCore: $0) == .baseline } == true
                    ? "its detection chose \(detected) kernels and \(BLASCoreType.environmentVariable)=\(core) did not take effect"
                    : "\(BLASCoreType.environmentVariable)=\(core) set: its own detection chose \(detected) on this CPU"
            }
            var threadsSet: Int?
            var partitionParts: Int?
            var setThreads: SetThreads?
            if let symbol = dlsym(opened.handle, "openblas_set_num_threads") {
                // OpenBLAS: one thread per call and our own split of each product (see
                // `GEMMPartition`), unless AUTOENCODERZOO_BLAS_PARTITION=0 asks for its threading.
                partitionParts = threads > 1 && RuntimeOptions.current.partitionsProducts
                    ? threads : nil
                let libraryThreads = partitionParts == nil ? threads : 1
                setThreads = unsafeBitCast(symbol, to: SetThreads.self)
                setThreads?(Int32(clamping: libraryThreads))
                threadsSet = libraryThreads
            }
            let config = opened.config
            let words = config.split(separator: " ")
            let name: String
            if words.count >= 2, words[0] == "OpenBLAS" {
                name = "OpenBLAS \(words[1])"
            } else if path.contains("Accelerate") {
                name = "Accelerate"
            } else {
                name = config.isEmpty ? "CBLAS" : String(words.first ?? "CBLAS")
            }
            // ILP64 OpenBLAS builds report USE64BITINT; their integer arguments are 64-bit.
            let wide = config.contains("USE64BITINT")
            return .success(BLASLibrary(
                name: name, path: path, threads: threadsSet, partitionParts: partitionParts,
                coreName: opened.coreName, coreNote: coreNote,
                sgemm32: wide ? nil : unsafeBitCast(opened.sgemm, to: Sgemm32.self),
                sgemm64: wide ? unsafeBitCast(opened.sgemm, to: Sgemm64.self) : nil, setThreads: setThreads,
                lapack: LAPACKRoutines(handle: opened.handle, wideIntegers: wide)))
        }
        return .failure(LoadError(description: "no system BLAS (" + failures.joined(separator: "; ") + ")"))
    }

    /// The switch back to OpenBLAS's own threading (for A/B runs): `AUTOENCODERZOO_BLAS_PARTITION=0`.
    public static let partitionVariable = RuntimeOptions.Variable.blasPartition

    /// A library opened with its `cblas_sgemm`, its configuration text and (OpenBLAS) kernel family.
    private struct Opened {
        let handle: UnsafeMutableRawPointer
        let sgemm: UnsafeMutableRawPointer
        let config: String
        let coreName: String?
    }

    /// `dlopen`s `path` and looks up what `load` needs; nil (with the reason in `failures`) when
    /// the file cannot be opened or has no `cblas_sgemm`.
    private static func open(_ path: String, failures: inout [String]) -> Opened? {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            failures.append("\(path): not found")
            return nil
        }
        guard let sgemm = dlsym(handle, "cblas_sgemm") else {
            failures.append("\(path): no cblas_sgemm")
            dlclose(handle)
            return nil
        }
        var config = ""
        if let symbol = dlsym(handle, "openblas_get_config"), let text = unsafeBitCast(symbol, to: GetConfig.self)() {
            config = String(cString: text)
        }
        var coreName: String?
        if let symbol = dlsym(handle, "openblas_get_corename"), let text = unsafeBitCast(symbol, to: GetConfig.self)() {
            coreName = String(cString: text)
        }
        return Opened(handle: handle, sgemm: sgemm, config: config, coreName: coreName)
    }

    /// Row-major `cblas_sgemm`: C = α·op(A)·op(B) + β·C. Returns false when a dimension does not
    /// fit the library's integer type, so the caller can fall back to the built-in kernel.
    func sgemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
               a: UnsafePointer<Float>?, lda: Int, b: UnsafePointer<Float>?, ldb: Int,
               beta: Float, c: UnsafeMutablePointer<Float>?, ldc: Int) -> Bool {
        let rowMajor: Int32 = 101, noTranspose: Int32 = 111, transpose: Int32 = 112
        let ta = transposeA ? transpose : noTranspose, tb = transposeB ? transpose : noTranspose
        if let sgemm64 {
            sgemm64(rowMajor, ta, tb, Int64(m), Int64(n), Int64(k), alpha, a, Int64(lda), b, Int64(ldb),
                    beta, c, Int64(ldc))
            return true
        }
        guard let sgemm32, accepts(m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc),
              let m32 = Int32(exactly: m), let n32 = Int32(exactly: n), let k32 = Int32(exactly: k),
              let lda32 = Int32(exactly: lda), let ldb32 = Int32(exactly: ldb), let ldc32 = Int32(exactly: ldc)
        else { return false }
        sgemm32(rowMajor, ta, tb, m32, n32, k32, alpha, a, lda32, b, ldb32, beta, c, ldc32)
        return true
    }

    /// Whether every dimension fits the library's integer type (always, for an ILP64 build).
    func accepts(m: Int, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int) -> Bool {
        if sgemm64 != nil { return true }
        return [m, n, k, lda, ldb, ldc].allSatisfy { Int32(exactly: $0) != nil }
    }

    /// Runs `body` with the library threading each call itself over `partitionParts` threads, then
    /// sets it back to one: the other side of the A/B runs in `Benchmarks kernels`. Not for use
    /// while other threads call the library.
    public func withLibraryThreading<T>(_ body: () throws -> T) rethrows -> T {
        guard let partitionParts, let setThreads else { return try body() }
        setThreads(Int32(clamping: partitionParts))
        defer { setThreads(1) }
        return try body()
    }
}
