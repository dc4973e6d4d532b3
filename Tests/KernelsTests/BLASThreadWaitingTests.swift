import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@testable import Kernels

/// `BLASThreadWaiting`: OpenBLAS is asked to put its workers to sleep at once unless the user chose.
@Suite struct BLASThreadWaitingTests {
    /// Once the system BLAS is loaded, the variable holds a value: ours when the process started
    /// without one, the user's otherwise (`setDefaultUnlessSet` must not overwrite it).
    @Test func theVariableIsSetBeforeTheLibraryLoads() throws {
        guard Kernels.blasLibrary != nil else { return }   // no BLAS: `blasAvailability` reports it (fails on CI)
        let value = try #require(getenv(BLASThreadWaiting.environmentVariable), "OPENBLAS_THREAD_TIMEOUT not set")
        #expect(!String(cString: value).isEmpty)
    }

    /// The decision alone (the process environment is not changed here: tests run in parallel).
    @Test func aValueTheUserSetIsKept() {
        #expect(BLASThreadWaiting.valueToSet(current: "12") == nil)
        #expect(BLASThreadWaiting.valueToSet(current: "") == nil)
        #expect(BLASThreadWaiting.valueToSet(current: nil) == BLASThreadWaiting.defaultTimeoutExponent)
    }
}
