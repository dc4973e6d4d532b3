import TensorCore

/// Where the kernels that have a BLAS equivalent (GEMM) run.
public enum KernelBackend: Sendable, CustomStringConvertible {
    /// The package's own Swift SIMD kernels; always available.
    case builtin
    /// A system BLAS loaded at run time.
    case blas(BLASLibrary)

    /// A short name for logs and test arguments: `builtin` or `blas(OpenBLAS 0.3.21)`.
    public var description: String {
        switch self {
        case .builtin: return "builtin"
        case .blas(let library): return "blas(\(library.name))"
        }
    }

    /// True for `.blas`.
    public var isBLAS: Bool {
        if case .blas = self { return true }
        return false
    }

    /// The environment variable that overrides the automatic choice (`builtin` or `blas`).
    public static let environmentVariable = RuntimeOptions.Variable.kernels

    /// What the environment variable asks for.
    public enum Request: Equatable, Sendable {
        /// Unset or empty: BLAS when it loads, else built-in.
        case automatic
        /// `builtin`: never load BLAS.
        case builtin
        /// `blas`: BLAS is wanted; a failure to load it is reported in the description.
        case blas
        /// Any other value (ignored, treated as automatic, and reported).
        case unrecognised(String)
    }

    /// Parses the value of `AUTOENCODERZOO_KERNELS` (case-insensitive, surrounding spaces ignored).
    public static func request(forEnvironmentValue value: String?) -> Request {
        guard let value else { return .automatic }
        let text = String(value.lowercased().filter { !$0.isWhitespace })
        switch text {
        case "": return .automatic
        case "auto", "automatic": return .automatic
        case "builtin", "built-in", "swift": return .builtin
        case "blas", "openblas", "accelerate": return .blas
        default: return .unrecognised(value)
        }
    }

    /// The outcome of backend selection: whether to use BLAS, and a note for the description line.
    public struct Decision: Equatable, Sendable {
        /// True when the BLAS library should be used.
        public let useBLAS: Bool
        /// Why, when it is not the plain automatic choice (appended to the description), else nil.
        public let note: String?
    }

    /// The pure selection rule: the request from the environment plus whether BLAS loaded
    /// (`blasFailure` is nil on success, else the reason it did not load).
    public static func decide(request: Request, blasFailure: String?) -> Decision {
        let variable = environmentVariable
        switch request {
        case .builtin:
            return Decision(useBLAS: false, note: "\(variable)=builtin")
        case .blas:
            if let blasFailure {
                return Decision(useBLAS: false, note: "\(variable)=blas requested but \(blasFailure)")
            }
            return Decision(useBLAS: true, note: "\(variable)=blas")
        case .automatic:
            if let blasFailure { return Decision(useBLAS: false, note: blasFailure) }
            return Decision(useBLAS: true, note: nil)
        case .unrecognised(let value):
            let ignored = "\(variable)=\(value) not recognised (use builtin or blas)"
            if let blasFailure { return Decision(useBLAS: false, note: "\(ignored); \(blasFailure)") }
            return Decision(useBLAS: true, note: ignored)
        }
    }
}

extension Kernels {
    /// The system BLAS, loaded once on first use (independent of the environment override, so
    /// tests can exercise it), or the reason it could not be loaded.
    public static let blasLoadResult: Result<BLASLibrary, BLASLibrary.LoadError> =
        BLASLibrary.load(threads: threadCount)

    /// The loaded system BLAS, or nil.
    public static var blasLibrary: BLASLibrary? { try? blasLoadResult.get() }

    /// The backend chosen once per process from `AUTOENCODERZOO_KERNELS` and what loads, with its log line.
    static let backendSelection: (backend: KernelBackend, description: String) = {
        _ = SubnormalMode.flushesToZero   // see SubnormalMode: subnormal operands slow SGEMM ~100×
        let request = KernelBackend.request(forEnvironmentValue: RuntimeOptions.current.kernels)
        // `builtin` never touches the library, so a broken BLAS cannot affect a forced built-in run.
        if request == .builtin {
            return (.builtin, builtinDescription(note: "\(KernelBackend.environmentVariable)=builtin"))
        }
        let failure: String?
        switch blasLoadResult {
        case .success: failure = nil
        case .failure(let error): failure = error.description
        }
        let decision = KernelBackend.decide(request: request, blasFailure: failure)
        if decision.useBLAS, let library = blasLibrary {
            let suffix = decision.note.map { "; \($0)" } ?? ""
            return (.blas(library), "kernels: \(library)\(suffix)")
        }
        return (.builtin, builtinDescription(note: decision.note))
    }()

    private static func builtinDescription(note: String?) -> String {
        let threads = "\(threadCount) thread\(threadCount == 1 ? "" : "s")"
        return "kernels: built-in Swift SIMD (\(threads)" + (note.map { "; \($0)" } ?? "") + ")"
    }

    /// The backend every kernel uses unless told otherwise; chosen once per process.
    public static var activeBackend: KernelBackend { backendSelection.backend }

    /// One line naming the active backend, e.g. `kernels: OpenBLAS 0.3.21 via libopenblas.so.0 (2 threads)`.
    /// Every executable prints it first.
    public static var backendDescription: String { backendSelection.description }

    /// Every backend that can run here: built-in, plus BLAS when it loads (tests and benchmarks).
    public static var availableBackends: [KernelBackend] {
        if let blasLibrary { return [.builtin, .blas(blasLibrary)] }
        return [.builtin]
    }
}
