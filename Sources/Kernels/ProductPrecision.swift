import CBF16Kernels
import TensorCore

/// The number format of the operands of dense products (`Kernels.gemm`); accumulation is fp32 in both.
///
/// `.bfloat16` rounds both operands to bfloat16 (8 exponent bits, 8 significant bits; round to
/// nearest, ties to even) and accumulates their products in fp32: mixed precision. Parameters,
/// gradients and optimiser state stay `Float` storage; only the products' inputs lose bits.
public enum ProductPrecision: String, Sendable, CaseIterable, CustomStringConvertible {
    case float32 = "fp32"
    case bfloat16 = "bf16"

    public var description: String { rawValue }

    /// The environment variable naming the process's default (`fp32` or `bf16`).
    public static let environmentVariable = RuntimeOptions.Variable.precision

    /// `fp32` or `bf16` (case-insensitive, spaces ignored); nil for anything else.
    public init?(argument: String) {
        self.init(rawValue: String(argument.filter { !$0.isWhitespace }).lowercased())
    }

    /// The code stored in the C thread-local (`zoo_set_thread_product_precision`).
    var threadCode: Int32 { self == .float32 ? 0 : 1 }
}

extension Kernels {
    /// The process's default precision, from `AUTOENCODERZOO_PRECISION` (unset or unrecognised: fp32).
    public static let defaultProductPrecision: ProductPrecision =
        RuntimeOptions.current.precision.flatMap(ProductPrecision.init(argument:)) ?? .float32

    /// The precision `gemm` uses on this thread: the innermost `withProductPrecision` around the
    /// call, else the process's default.
    public static var productPrecision: ProductPrecision {
        switch zoo_thread_product_precision() {
        case 0: return .float32
        case 1: return .bfloat16
        default: return defaultProductPrecision
        }
    }

    /// Runs `body` with `precision` for the products this thread computes (a model's training and
    /// scoring run on the thread that calls them; the kernels' own worker threads only run pieces
    /// of products already decided). Other threads are unaffected; the previous value is restored.
    public static func withProductPrecision<T>(_ precision: ProductPrecision, _ body: () throws -> T) rethrows -> T {
        let previous = zoo_thread_product_precision()
        zoo_set_thread_product_precision(precision.threadCode)
        defer { zoo_set_thread_product_precision(previous) }
        return try body()
    }

    /// One line for the logs: the precision and, for bf16, which path computes it; for fp32 on a
    /// CPU with AMX-BF16, where bf16 is the faster choice (Documentation/Kernels.md, "Default"),
    /// the flag that turns it on.
    public static func productPrecisionDescription(_ precision: ProductPrecision = productPrecision) -> String {
        switch precision {
        case .float32:
            return BFloat16Path.cpuSupportsAMX
                ? "products: fp32 (this CPU has AMX-BF16: --precision bf16 runs the dense products faster; Documentation/Kernels.md)"
                : "products: fp32"
        case .bfloat16:
            return "products: bf16 operands, fp32 accumulation (\(BFloat16Path.fastest.description))"
        }
    }
}
