import Dispatch
import TensorCore

/// The namespace holding every numeric loop of the package.
///
/// Models and layers call these functions and never loop over numbers themselves, so that speed
/// work (threads, SIMD, the BLAS backend) happens in one place and is tested in one place.
public enum Kernels {
    /// Worker threads used by the built-in kernels (both cores of the reference machine).
    public static let threadCount: Int = max(1, min(ProcessInfoCores.activeCount, 64))

    /// Runs `body(chunk)` for chunks `0..<chunks` on the worker threads; returns when all finish.
    /// With one chunk it runs inline.
    @inlinable
    public static func parallelFor(chunks: Int, _ body: @Sendable (Int) -> Void) {
        if chunks <= 1 {
            if chunks == 1 { body(0) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: chunks, execute: body)
    }

    /// Splits `0..<count` into at most `threadCount` contiguous ranges of at least `minimumPerChunk`
    /// elements and runs `body` on each range in parallel. Under `withSumsIndependentOfThreads` the
    /// ranges start at multiples of 64, so an element-wise kernel's SIMD groups and scalar tail
    /// (whose bits may differ, e.g. the vectorised and the scalar exp) cover the same elements on
    /// any number of threads: only the last `count % width` elements go the scalar way.
    @inlinable
    public static func parallelRanges(_ count: Int, minimumPerChunk: Int = 1, _ body: @Sendable (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = max(1, min(threadCount, count / max(1, minimumPerChunk)))
        let even = (count + chunks - 1) / chunks
        let size = sumsIndependentOfThreads ? (even + 63) / 64 * 64 : even
        parallelFor(chunks: chunks) { chunk in
            let start = chunk * size
            let end = min(count, start + size)
            if start < end { body(start..<end) }
        }
    }
}

/// A pointer wrapper that may cross into `concurrentPerform` closures. Each chunk writes only its
/// own disjoint region, which is what makes the unchecked `Sendable` sound.
public struct SharedMutablePointer<T>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<T>
    @inlinable public init(_ base: UnsafeMutablePointer<T>) { self.base = base }
}

/// A read-only pointer wrapper for `concurrentPerform` closures.
public struct SharedPointer<T>: @unchecked Sendable {
    public let base: UnsafePointer<T>
    @inlinable public init(_ base: UnsafePointer<T>) { self.base = base }
}

/// The number of processors this process may use.
public enum ProcessInfoCores {
    /// Active processor count (honours `AUTOENCODERZOO_THREADS` when set to a positive integer).
    public static var activeCount: Int {
        if let n = RuntimeOptions.current.threads { return n }
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

