#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every run-time switch of the package, read from the environment once, in this one place.
///
/// Most switches change speed or diagnostics only. Those that pick the arithmetic can change the
/// last bits of results: the kernel backend, the product precision (`AUTOENCODERZOO_PRECISION`) and OpenBLAS's own threading (`AUTOENCODERZOO_KERNELS`,
/// `AUTOENCODERZOO_BLAS_PARTITION`: other summation orders), and `AUTOENCODERZOO_SUBNORMALS`;
/// `AUTOENCODERZOO_DATA` picks data. The table:
///
/// | variable | field | effect |
/// |---|---|---|
/// | `AUTOENCODERZOO_KERNELS` | `kernels` | `builtin` or `blas` forces the GEMM backend (default: BLAS when it loads) |
/// | `AUTOENCODERZOO_PRECISION` | `precision` | `bf16` rounds the operands of dense products to bfloat16 (default `fp32`) |
/// | `AUTOENCODERZOO_THREADS` | `threads` | threads of our kernels (default: the processors online) |
/// | `AUTOENCODERZOO_SUBNORMALS` | `keepsSubnormals` | `keep` leaves gradual underflow on (default: flush to zero) |
/// | `AUTOENCODERZOO_BLAS_PARTITION` | `partitionsProducts` | `0` gives OpenBLAS its own threading back |
/// | `AUTOENCODERZOO_HUGE_PAGES` | `hugePages` | `0` stops large matrices asking for 2 MiB pages |
/// | `AUTOENCODERZOO_DEFERRED_GRADIENTS` | `defersGradients` | `0` writes the sparse layer's weight gradient eagerly |
/// | `AUTOENCODERZOO_LBFGS_TRACE` | `tracesLineSearch` | `1` prints every L-BFGS iteration on stderr |
/// | `AUTOENCODERZOO_STEP_TRACE` | `tracesTrainingSteps` | `1` prints every mini-batch update's loss and gradient norm on stderr |
/// | `AUTOENCODERZOO_DATA` | `dataDirectory` | the folder of real data sets (tests, benchmarks) |
/// | `AUTOENCODERZOO_CACHE` | `cacheDirectory` | where named data sets are downloaded (default `$XDG_CACHE_HOME/autoencoderzoo`, else `~/.cache/autoencoderzoo`) |
/// | `AUTOENCODERZOO_DATA_MIRROR` | `dataMirror` | a base URL that replaces GroupLens's for named data sets (a local mirror, tests) |
/// | `XDG_CACHE_HOME`, `HOME` | `cacheDirectory` | the default cache folder |
/// | `OPENBLAS_CORETYPE` | `openBLASCoreType` | the user's choice of OpenBLAS kernels, left alone when set |
/// | `OPENBLAS_THREAD_TIMEOUT` | `openBLASThreadTimeout` | the user's OpenBLAS thread timeout, left alone when set |
///
/// Each field's parsing is a pure function of the text (`init(environment:)`), so tests check the
/// rules without touching the process environment; `current` is the process's value.
public struct RuntimeOptions: Sendable, Equatable {
    /// `AUTOENCODERZOO_KERNELS` as given (parsed by `KernelBackend.request`), or nil.
    public var kernels: String?
    /// `AUTOENCODERZOO_PRECISION` as given (parsed by `ProductPrecision(argument:)` in Kernels), or nil.
    public var precision: String?
    /// `AUTOENCODERZOO_THREADS` when a positive integer, else nil.
    public var threads: Int?
    /// `AUTOENCODERZOO_SUBNORMALS=keep`.
    public var keepsSubnormals: Bool
    /// Anything but `AUTOENCODERZOO_BLAS_PARTITION=0` (spaces ignored).
    public var partitionsProducts: Bool
    /// Anything but `AUTOENCODERZOO_HUGE_PAGES=0`, on Linux only.
    public var hugePages: Bool
    /// Anything but `AUTOENCODERZOO_DEFERRED_GRADIENTS=0`.
    public var defersGradients: Bool
    /// `AUTOENCODERZOO_LBFGS_TRACE` set to anything but empty or `0`.
    public var tracesLineSearch: Bool
    /// `AUTOENCODERZOO_STEP_TRACE` set to anything but empty or `0`.
    public var tracesTrainingSteps: Bool
    /// `AUTOENCODERZOO_DATA`, or nil.
    public var dataDirectory: String?
    /// The folder named data sets are cached in: `AUTOENCODERZOO_CACHE`, else
    /// `$XDG_CACHE_HOME/autoencoderzoo`, else `$HOME/.cache/autoencoderzoo`; nil without any of them.
    public var cacheDirectory: String?
    /// `AUTOENCODERZOO_DATA_MIRROR`: the base URL named data sets are fetched from instead of GroupLens's, or nil.
    public var dataMirror: String?
    /// `OPENBLAS_CORETYPE` as the user set it before the process started, or nil.
    public var openBLASCoreType: String?
    /// `OPENBLAS_THREAD_TIMEOUT` as the user set it before the process started, or nil.
    public var openBLASThreadTimeout: String?

    /// The variables read, by name.
    public enum Variable {
        public static let kernels = "AUTOENCODERZOO_KERNELS", threads = "AUTOENCODERZOO_THREADS"
        public static let precision = "AUTOENCODERZOO_PRECISION"
        public static let subnormals = "AUTOENCODERZOO_SUBNORMALS", blasPartition = "AUTOENCODERZOO_BLAS_PARTITION"
        public static let hugePages = "AUTOENCODERZOO_HUGE_PAGES", deferredGradients = "AUTOENCODERZOO_DEFERRED_GRADIENTS"
        public static let lineSearchTrace = "AUTOENCODERZOO_LBFGS_TRACE", data = "AUTOENCODERZOO_DATA"
        public static let stepTrace = "AUTOENCODERZOO_STEP_TRACE"
        public static let openBLASCoreType = "OPENBLAS_CORETYPE", openBLASThreadTimeout = "OPENBLAS_THREAD_TIMEOUT"
        public static let cache = "AUTOENCODERZOO_CACHE", dataMirror = "AUTOENCODERZOO_DATA_MIRROR"
        public static let xdgCacheHome = "XDG_CACHE_HOME", home = "HOME"
        /// Every name above.
        public static let all = [kernels, precision, threads, subnormals, blasPartition, hugePages, deferredGradients,
                                 lineSearchTrace, stepTrace, data, openBLASCoreType, openBLASThreadTimeout, cache, dataMirror,
                                 xdgCacheHome, home]
    }

    /// The switches for the given variables (absent ones take their defaults).
    public init(environment: [String: String]) {
        func trimmed(_ name: String) -> String? { environment[name].map { String($0.filter { !$0.isWhitespace }) } }
        kernels = environment[Variable.kernels]
        precision = environment[Variable.precision]
        threads = trimmed(Variable.threads).flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
        keepsSubnormals = environment[Variable.subnormals] == "keep"
        partitionsProducts = trimmed(Variable.blasPartition) != "0"
        #if os(Linux)
        hugePages = environment[Variable.hugePages] != "0"
        #else
        hugePages = false
        #endif
        defersGradients = environment[Variable.deferredGradients] != "0"
        func isOn(_ name: String) -> Bool { environment[name].map { !$0.isEmpty && $0 != "0" } ?? false }
        tracesLineSearch = isOn(Variable.lineSearchTrace)
        tracesTrainingSteps = isOn(Variable.stepTrace)
        dataDirectory = environment[Variable.data]
        func nonEmpty(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        cacheDirectory = nonEmpty(Variable.cache)
            ?? nonEmpty(Variable.xdgCacheHome).map { $0 + "/autoencoderzoo" }
            ?? nonEmpty(Variable.home).map { $0 + "/.cache/autoencoderzoo" }
        dataMirror = nonEmpty(Variable.dataMirror)
        openBLASCoreType = environment[Variable.openBLASCoreType]
        openBLASThreadTimeout = environment[Variable.openBLASThreadTimeout]
    }

    /// This process's switches, read once at first use (before the BLAS library is opened, which
    /// may itself set `OPENBLAS_CORETYPE` and `OPENBLAS_THREAD_TIMEOUT` for OpenBLAS to read).
    public static let current: RuntimeOptions = {
        var values: [String: String] = [:]
        for name in Variable.all {
            if let pointer = getenv(name) { values[name] = String(cString: pointer) }
        }
        return RuntimeOptions(environment: values)
    }()
}
