import TensorCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Flush-to-zero for subnormal floats (|x| < `Float.leastNormalMagnitude` ≈ 1.2e-38).
///
/// x86 cores take a microcode assist for every operation on a subnormal operand or result: an
/// OpenBLAS SGEMM fed mostly-subnormal gradients ran at 1.3 GFLOP/s instead of 171 (measured on
/// [3497 × 1000]ᵀ·[1000 × 600]). Training produces such values — the VampPrior's far-away mixture
/// components back-propagate gradients of 1e-40 through the pseudo-input encoder pass, which made
/// a VampPrior epoch on ML-1M ~10× slower than its arithmetic. Like `torch.set_flush_denormal(True)`,
/// we set the FTZ and DAZ bits (x86 MXCSR; FZ in arm64 FPCR) for the current thread before the BLAS
/// library starts its worker threads, which inherit them. The numbers change only below 1.2e-38.
/// `AUTOENCODERZOO_SUBNORMALS=keep` leaves IEEE gradual underflow on.
public enum SubnormalMode {
    /// The environment variable that opts out (`keep`).
    public static let environmentVariable = RuntimeOptions.Variable.subnormals

    /// Whether this process flushes subnormals (decided once, applied to the first calling thread).
    public static let flushesToZero: Bool = {
        if RuntimeOptions.current.keepsSubnormals { return false }
        return setFlushToZero()
    }()

    /// Sets FTZ/DAZ for the calling thread; false where the platform offers no way.
    @discardableResult
    public static func setFlushToZero() -> Bool {
        #if arch(x86_64) && (canImport(Glibc) || canImport(Darwin))
        var environment = fenv_t()
        guard fegetenv(&environment) == 0 else { return false }
        environment.__mxcsr |= 0x8040                       // bit 15 FTZ (results), bit 6 DAZ (inputs)
        return fesetenv(&environment) == 0
        #elseif arch(arm64) && canImport(Glibc)
        var environment = fenv_t()
        guard fegetenv(&environment) == 0 else { return false }
        environment.__fpcr |= 1 << 24                       // FPCR.FZ
        return fesetenv(&environment) == 0
        #else
        return false
        #endif
    }
}
