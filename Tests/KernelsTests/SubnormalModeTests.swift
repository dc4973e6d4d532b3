import Testing
import TensorCore
@testable import Kernels

/// Subnormal flushing (see `SubnormalMode`): on, per thread, and inherited by the BLAS workers.
@Suite struct SubnormalModeTests {
    /// Opaque to the optimiser, so the products below happen at run time on this thread.
    @inline(never) static func product(_ a: Float, _ b: Float) -> Float { a * b }

    @Test func theCallingThreadFlushesAfterSetting() throws {
        #if arch(x86_64) || arch(arm64)
        try #require(SubnormalMode.setFlushToZero(), "fesetenv failed")
        #expect(Self.product(1e-30, 1e-10) == 0)               // would be 1e-40, a subnormal
        #expect(Self.product(1e-20, 1e-10) == Float(1e-30))     // normal results are untouched
        #endif
    }

    /// [512 × 512] of 1e-40 times the identity through the system BLAS, which splits it over its
    /// worker threads: every output must be 0, so every worker inherited flush-to-zero.
    @Test func blasWorkerThreadsFlushToo() throws {
        guard let library = Kernels.blasLibrary else { return }   // no BLAS: `blasAvailability` reports it (fails on CI)
        #expect(SubnormalMode.flushesToZero)
        SubnormalMode.setFlushToZero()                          // the test's own thread computes a share too
        let n = 512
        let tiny = Matrix(rows: n, columns: n, repeating: 1e-40)
        var identity = Matrix(rows: n, columns: n)
        for i in 0..<n { identity[i, i] = 1 }
        let y = Kernels.gemm(tiny, identity, backend: .blas(library))
        #expect(y.storage.allSatisfy { $0 == 0 }, "\(y.storage.filter { $0 != 0 }.count) outputs kept a subnormal")
    }
}
