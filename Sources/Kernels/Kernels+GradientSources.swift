import TensorCore

/// A weight gradient that has been described but not yet written out: what a layer's backward pass
/// hands its parameter when the optimizer can compute the gradient a block of rows at a time and
/// step on each block while it is still in cache (see `Kernels.adamUpdate(value:gradientSource:…)`).
///
/// Both ways of reading it give the same numbers: `accumulate(into:)` is the kernel an eager
/// backward pass would have called, and `write(rows:into:)` adds the same terms to zero in the same
/// order, so a step on a deferred gradient is bit-identical to a step on the materialised one.
///
/// (Tried and dropped for dense layers: the Mult-VAE decoder's hᵀ·dY formed by OpenBLAS a block of
/// 256–2,048 columns at a time and stepped on in cache took 1.10–1.58× the eager product plus
/// Adam's pass, and 1.09–1.27× with one single-threaded call per block — narrow GEMMs lose more
/// than the saved memory traffic; BENCHMARKS.md §1.)
public protocol GradientSource: Sendable {
    /// Rows of the gradient (= rows of the parameter).
    var rows: Int { get }
    /// Columns of the gradient.
    var columns: Int { get }
    /// G += this gradient: the eager kernel, for when the gradient must exist as a matrix.
    func accumulate(into g: inout Matrix)
    /// Writes rows `range` of the gradient into `buffer` (`range.count × columns`, row-major),
    /// overwriting it. Called from one thread per block; blocks may be written concurrently.
    func write(rows range: Range<Int>, into buffer: UnsafeMutablePointer<Float>)
}

/// ∂L/∂W = α·Sᵀ·D of a layer whose input is the CSR batch S [B, I] and whose output gradient is
/// D [B, H]: the weight gradient of the sparse first encoder layer, [I, H].
///
/// Eagerly (`Kernels.sparseTransposeDenseProduct`) every click scatters a row of D into a random row
/// of G, so all of G (48 MB for ML-20M's 20,108 items × 600) is zero-filled, read-modified-written
/// and read again by the optimizer. Here the batch is transposed once (a counting sort of its
/// clicks by item, users kept in ascending order), so the gradient row of item i is Σ over the
/// users who clicked i of α·S[r, i]·D[r, :], built in a small buffer while D stays in L2. The terms
/// are added to zero in the order the eager kernel adds them (users ascending), so the values are
/// identical bit for bit.
public struct SparseTransposeProductGradient: GradientSource {
    /// S, the layer's input batch [B, I].
    public let input: SparseMatrix
    /// D, the layer's output gradient [B, H].
    public let outputGradient: Matrix
    /// α (1 for a plain gradient).
    public let alpha: Float
    /// For item i, its clicks are entries itemStarts[i]..<itemStarts[i + 1] of `users` / `values`.
    let itemStarts: [Int]
    let users: [Int32]
    let values: [Float]

    /// The gradient α·Sᵀ·D; transposes S (O(clicks + items)).
    public init(input: SparseMatrix, outputGradient: Matrix, alpha: Float = 1) {
        precondition(input.rows == outputGradient.rows,
                     "SparseTransposeProductGradient: S is \(input.rows)×\(input.columns), D is \(outputGradient.shapeDescription)")
        self.input = input
        self.outputGradient = outputGradient
        self.alpha = alpha
        let items = input.columns, count = input.nonZeroCount
        var starts = [Int](repeating: 0, count: items + 1)
        for column in input.columnIndices { starts[Int(column) + 1] += 1 }
        for i in 0..<items { starts[i + 1] += starts[i] }
        var next = starts
        var users = [Int32](repeating: 0, count: count)
        var values = [Float](repeating: 0, count: count)
        for r in 0..<input.rows {                              // rows ascending: each item's users stay sorted
            for e in input.rowPointers[r]..<input.rowPointers[r + 1] {
                let i = Int(input.columnIndices[e])
                users[next[i]] = Int32(r)
                values[next[i]] = input.values[e]
                next[i] += 1
            }
        }
        itemStarts = starts
        self.users = users
        self.values = values
    }

    public var rows: Int { input.columns }
    public var columns: Int { outputGradient.columns }

    public func accumulate(into g: inout Matrix) {
        Kernels.sparseTransposeDenseProduct(input, outputGradient, alpha: alpha, accumulatingInto: &g)
    }

    public func write(rows range: Range<Int>, into buffer: UnsafeMutablePointer<Float>) {
        let h = columns
        buffer.update(repeating: 0, count: range.count * h)
        guard h > 0 else { return }
        outputGradient.withUnsafeBufferPointer { dBuffer in
            users.withUnsafeBufferPointer { userBuffer in
                values.withUnsafeBufferPointer { valueBuffer in
                    guard let d = dBuffer.baseAddress, let u = userBuffer.baseAddress, let v = valueBuffer.baseAddress
                    else { return }                            // no clicks: the zero rows are the gradient
                    for i in range {
                        let out = buffer + (i - range.lowerBound) * h
                        for e in itemStarts[i]..<itemStarts[i + 1] {
                            // ∂/∂G[i, :] of Σ_r S[r, i]·D[r, :], users ascending as in the eager kernel
                            Kernels.scaledAdd(alpha * v[e], d + Int(u[e]) * h, into: out, count: h)
                        }
                    }
                }
            }
        }
    }
}

extension Kernels {
    /// Floats per gradient block of `sourcePass` (256 KB: a block, D and the rows being stepped fit
    /// a 2 MiB-class L2 together).
    static let gradientBlockFloats = 65_536

    /// One Adam step (the formulas of `adamUpdate`) on the gradient `source` describes, computed a
    /// block of rows at a time and stepped on while in cache: no gradient matrix is read, written or
    /// zeroed. The same values as materialising the source into a zero gradient and calling
    /// `adamUpdateZeroingGradient`, bit for bit. Returns whether every gradient entry was finite.
    public static func adamUpdate(value: inout Matrix, gradientSource source: any GradientSource,
                                  firstMoment: inout Matrix, secondMoment: inout Matrix, learningRate: Float,
                                  beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float, step: Int) -> Bool {
        precondition(value.rows == source.rows && value.columns == source.columns
                     && value.count == firstMoment.count && value.count == secondMoment.count,
                     "adamUpdate: value \(value.shapeDescription), gradient \(source.rows)×\(source.columns), moments \(firstMoment.shapeDescription) / \(secondMoment.shapeDescription)")
        precondition(step >= 1, "adamUpdate: step must count from 1, got \(step)")
        return value.withUnsafeMutableBufferPointer { valueBuffer in
            firstMoment.withUnsafeMutableBufferPointer { firstBuffer in
                secondMoment.withUnsafeMutableBufferPointer { secondBuffer in
                    guard let pb = valueBuffer.baseAddress, let mb = firstBuffer.baseAddress,
                          let vb = secondBuffer.baseAddress else { return true }
                    let adam = AdamStep(value: pb, firstMoment: mb, secondMoment: vb, learningRate: learningRate,
                                        beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay,
                                        step: step, gradientScale: 1)
                    return sourcePass(source, step: adam)
                }
            }
        }
    }

    /// One SGD step (the formulas of `sgdUpdate`) on the gradient `source` describes, block by
    /// block as `adamUpdate(value:gradientSource:…)`. Returns whether every gradient entry was finite.
    public static func sgdUpdate(value: inout Matrix, gradientSource source: any GradientSource, velocity: inout Matrix,
                                 learningRate: Float, momentum: Float, weightDecay: Float) -> Bool {
        precondition(value.rows == source.rows && value.columns == source.columns && value.count == velocity.count,
                     "sgdUpdate: value \(value.shapeDescription), gradient \(source.rows)×\(source.columns), velocity \(velocity.shapeDescription)")
        return value.withUnsafeMutableBufferPointer { valueBuffer in
            velocity.withUnsafeMutableBufferPointer { velocityBuffer in
                guard let pb = valueBuffer.baseAddress, let bb = velocityBuffer.baseAddress else { return true }
                return sourcePass(source, step: SGDStep(value: pb, velocity: bb, learningRate: learningRate,
                                                        momentum: momentum, weightDecay: weightDecay))
            }
        }
    }

    /// The loop of the deferred-gradient steps: blocks of whole rows (about `gradientBlockFloats`
    /// entries each) are handed out to the worker threads as they free up (a block's cost follows
    /// how many clicks its items have); each thread writes a block into its own buffer, checks it for
    /// NaN/±∞ (as x·0) and steps the parameter entries it covers, eight lanes then a scalar tail,
    /// with the formulas `gradientPass` uses (so each entry gets the same bits). Blocks are
    /// independent, so the result does not depend on which thread takes which. Returns whether
    /// every gradient entry was finite.
    static func sourcePass<Step: GradientStep>(_ source: any GradientSource, step: Step) -> Bool {
        let rows = source.rows, columns = source.columns
        guard rows > 0, columns > 0 else { return true }
        let blockRows = max(1, min(rows, gradientBlockFloats / columns))
        let blocks = (rows + blockRows - 1) / blockRows
        let tasks = max(1, min(blocks, threadCount * 8))             // several per thread, for balance
        let finite = UnsafeMutablePointer<Bool>.allocate(capacity: tasks)
        defer { finite.deallocate() }
        finite.initialize(repeating: true, count: tasks)
        let fp = SharedMutablePointer(finite)
        parallelFor(chunks: tasks) { task in
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: blockRows * columns)
            defer { buffer.deallocate() }
            var allFinite = true
            for block in (task * blocks / tasks)..<((task + 1) * blocks / tasks) {
                let first = block * blockRows, last = min(rows, first + blockRows)
                source.write(rows: first..<last, into: buffer)
                allFinite = stepEntries(gradient: buffer, clearing: nil, count: (last - first) * columns,
                                        firstIndex: first * columns, step: step) && allFinite
            }
            fp.base[task] = allFinite
        }
        for task in 0..<tasks where !finite[task] { return false }
        return true
    }
}
