import TensorCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// LAPACK's single-precision Cholesky factorisation (`spotrf_`) and inverse from it (`spotri_`),
/// looked up with `dlsym` in the opened BLAS library (Debian's OpenBLAS exports both; a plain
/// reference BLAS does not, and then the built-in inverse runs). Fortran calling convention: every
/// argument by address, column-major storage, and one hidden length per character argument.
struct LAPACKRoutines: @unchecked Sendable {
    typealias Routine32 = @convention(c) (UnsafePointer<CChar>?, UnsafePointer<Int32>?, UnsafeMutablePointer<Float>?,
                                          UnsafePointer<Int32>?, UnsafeMutablePointer<Int32>?, Int) -> Void
    typealias Routine64 = @convention(c) (UnsafePointer<CChar>?, UnsafePointer<Int64>?, UnsafeMutablePointer<Float>?,
                                          UnsafePointer<Int64>?, UnsafeMutablePointer<Int64>?, Int) -> Void
    let factor: UnsafeMutableRawPointer     // spotrf_
    let invert: UnsafeMutableRawPointer     // spotri_
    /// Whether the library's integers are 64-bit (an OpenBLAS built with `USE64BITINT`).
    let wideIntegers: Bool

    /// Both routines from `handle`, or nil when either is missing.
    init?(handle: UnsafeMutableRawPointer, wideIntegers: Bool) {
        guard let factor = dlsym(handle, "spotrf_"), let invert = dlsym(handle, "spotri_") else { return nil }
        (self.factor, self.invert, self.wideIntegers) = (factor, invert, wideIntegers)
    }

    /// Calls `routine` on the column-major lower triangle of the n×n matrix at `a` (which is the
    /// row-major upper triangle); returns LAPACK's `info`, or nil when n does not fit the integer type.
    func call(_ routine: UnsafeMutableRawPointer, n: Int, a: UnsafeMutablePointer<Float>) -> Int? {
        var lower: CChar = 0x4C                                                  // "L"
        if wideIntegers {
            var (size, leading, info) = (Int64(n), Int64(max(1, n)), Int64(0))
            unsafeBitCast(routine, to: Routine64.self)(&lower, &size, a, &leading, &info, 1)
            return Int(info)
        }
        guard var size = Int32(exactly: n), var leading = Int32(exactly: max(1, n)) else { return nil }
        var info: Int32 = 0
        unsafeBitCast(routine, to: Routine32.self)(&lower, &size, a, &leading, &info, 1)
        return Int(info)
    }
}

extension BLASLibrary {
    /// Whether the library exports LAPACK's `spotrf_` and `spotri_` (the fast symmetric inverse).
    public var hasSymmetricInverse: Bool { lapack != nil }
}
