import TensorCore

extension Kernels {
    /// The `k` highest-scoring columns of every row, best first, skipping the columns stored in the
    /// matching row of `excluded` (items the user has already seen). Ties break towards the lower
    /// column index, so results are deterministic; NaN scores rank below every number. Rows with
    /// fewer than `k` eligible columns return all of them.
    ///
    /// Each row keeps a size-k min-heap of the best candidates seen so far (O(I log k)); rows
    /// are split across threads.
    public static func topK(_ scores: Matrix, k: Int, excluding excluded: SparseMatrix? = nil) -> [[Int32]] {
        precondition(k >= 0, "topK: k must be non-negative, got \(k)")
        if let excluded {
            precondition(excluded.rows == scores.rows && excluded.columns == scores.columns,
                         "topK: scores \(scores.shapeDescription), exclusions \(excluded.rows)×\(excluded.columns)")
        }
        let rows = scores.rows, columns = scores.columns
        let keep = min(k, columns)
        let exclusions = excluded ?? SparseMatrix.empty(rows: rows, columns: columns)
        return [[Int32]](unsafeUninitializedCapacity: rows) { result, count in
            guard let resultBase = result.baseAddress else { count = 0; return }
            let out = SharedMutablePointer(resultBase)
            scores.withUnsafeBufferPointer { scoreBuffer in
                withCSR(exclusions) { rp, ip, _ in
                    let sp = scoreBuffer.baseAddress.map(SharedPointer.init)
                    parallelRanges(rows, minimumPerChunk: max(1, 8_192 / max(1, columns))) { range in
                        var skip = [Bool](repeating: false, count: columns)
                        var heap = TopKHeap(capacity: keep)
                        for r in range {
                            guard let sp, keep > 0 else { (out.base + r).initialize(to: []); continue }
                            for e in rp.base[r]..<rp.base[r + 1] { skip[Int(ip.base[e])] = true }
                            let row = sp.base + r * columns
                            heap.removeAll()
                            for c in 0..<columns where !skip[c] {
                                let value = row[c]
                                heap.offer(value.isNaN ? -.infinity : value, column: Int32(c), isNaN: value.isNaN)
                            }
                            (out.base + r).initialize(to: heap.sortedColumns())
                            for e in rp.base[r]..<rp.base[r + 1] { skip[Int(ip.base[e])] = false }
                        }
                    }
                }
            }
            count = rows
        }
    }
}

/// A bounded min-heap of (score, column): its root is the worst kept candidate, where worse means
/// a lower score, then NaN after −∞, then a higher column.
struct TopKHeap {
    private var scores: [Float] = []
    private var nanFlags: [Bool] = []
    private var columns: [Int32] = []
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        scores.reserveCapacity(capacity)
        nanFlags.reserveCapacity(capacity)
        columns.reserveCapacity(capacity)
    }

    mutating func removeAll() {
        scores.removeAll(keepingCapacity: true)
        nanFlags.removeAll(keepingCapacity: true)
        columns.removeAll(keepingCapacity: true)
    }

    /// True when candidate (a) ranks strictly better than (b).
    @inline(__always)
    static func better(_ scoreA: Float, _ nanA: Bool, _ columnA: Int32,
                       _ scoreB: Float, _ nanB: Bool, _ columnB: Int32) -> Bool {
        if scoreA != scoreB { return scoreA > scoreB }
        if nanA != nanB { return nanB }
        return columnA < columnB
    }

    @inline(__always)
    private func better(_ i: Int, _ j: Int) -> Bool {
        Self.better(scores[i], nanFlags[i], columns[i], scores[j], nanFlags[j], columns[j])
    }

    /// Adds the candidate if the heap has room or it beats the current worst.
    @inline(__always)
    mutating func offer(_ score: Float, column: Int32, isNaN: Bool) {
        if scores.count < capacity {
            scores.append(score); nanFlags.append(isNaN); columns.append(column)
            var child = scores.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard better(parent, child) else { break }
                swapAt(parent, child)
                child = parent
            }
            return
        }
        // Columns arrive in increasing order, so an equal score never beats the root.
        guard score > scores[0] || (score == scores[0] && !isNaN && nanFlags[0]) else { return }
        scores[0] = score; nanFlags[0] = isNaN; columns[0] = column
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var worst = parent
            if left < scores.count && better(worst, left) { worst = left }
            if right < scores.count && better(worst, right) { worst = right }
            if worst == parent { break }
            swapAt(parent, worst)
            parent = worst
        }
    }

    private mutating func swapAt(_ i: Int, _ j: Int) {
        scores.swapAt(i, j); nanFlags.swapAt(i, j); columns.swapAt(i, j)
    }

    /// The kept columns, best first.
    func sortedColumns() -> [Int32] {
        let order = (0..<scores.count).sorted { better($0, $1) }
        return order.map { columns[$0] }
    }
}
