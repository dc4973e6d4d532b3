extension Kernels {
    /// One line naming the active kernel backend; every executable prints it first.
    /// (Only the built-in backend exists until the run-time BLAS loader lands.)
    public static var backendDescription: String { "kernels: built-in Swift (\(threadCount) threads)" }
}
