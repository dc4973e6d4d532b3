import TensorCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How long OpenBLAS's worker threads busy-wait for the next call before they sleep.
///
/// After a GEMM returns, OpenBLAS keeps its workers spinning (`sched_yield` in a loop) for
/// 2^28 cycles (~0.1 s) by default, hoping for another call. Between our GEMMs the Dispatch
/// workers of the element-wise kernels (Adam, the multinomial NLL, the sparse layer) run, and on a
/// machine with as many cores as threads a spinning BLAS worker takes time slices from them and
/// shows up as system time. We ask OpenBLAS to sleep almost at once (`OPENBLAS_THREAD_TIMEOUT=4`,
/// its minimum: 2^4 cycles) — waking a worker costs microseconds, a GEMM of ours tens of
/// milliseconds. Measured on the ML-20M-shaped Mult-VAE epoch (BENCHMARKS.md §4): about 5 % less
/// time per epoch and less than half the system time. OpenBLAS reads the variable once, when it is
/// loaded, so it is set before `dlopen`; a value the user has set is left alone.
public enum BLASThreadWaiting {
    /// OpenBLAS's own variable; its value is an exponent of two, in cycles (4…30).
    public static let environmentVariable = RuntimeOptions.Variable.openBLASThreadTimeout
    /// The value set when the user has set none.
    public static let defaultTimeoutExponent = "4"

    /// The value to set given the current one: ours when there is none, nothing when the user set one.
    static func valueToSet(current: String?) -> String? {
        current == nil ? defaultTimeoutExponent : nil
    }

    /// Sets the variable for this process unless it is already set (call before `dlopen`, once).
    static func setDefaultUnlessSet() {
        if let value = valueToSet(current: RuntimeOptions.current.openBLASThreadTimeout) {
            _ = setenv(environmentVariable, value, 0)   // 0: never overwrite
        }
    }
}
