#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Kernels

/// Sorts every CSR row by item and resolves repeated items by a `DuplicatePolicy`, compacting the
/// storage in place. Entries of a row arrive in file order, so that order breaks timestamp ties.
/// Rows are sorted in parallel (each within its own storage), then closed up in one pass.
struct RowCompaction {
    let columns: UnsafeMutableBufferPointer<Int32>
    let values: UnsafeMutableBufferPointer<Float>
    let times: UnsafeMutableBufferPointer<UInt32>?
    let policy: DuplicatePolicy
    /// The (row, column) of the first duplicate met under `.reject` (lowest row, then lowest column).
    private(set) var rejected: (Int, Int)?

    init(columns: UnsafeMutableBufferPointer<Int32>, values: UnsafeMutableBufferPointer<Float>,
         times: UnsafeMutableBufferPointer<UInt32>?, policy: DuplicatePolicy) {
        self.columns = columns
        self.values = values
        self.times = times
        self.policy = policy
    }

    /// Sorts and de-duplicates every row, rewrites `pointers`, returns the number of entries kept.
    mutating func run(pointers: inout [Int]) -> Int {
        let rows = pointers.count - 1
        guard rows > 0, let c = columns.baseAddress, let v = values.baseAddress else { return 0 }
        let storage = RowStorage(columns: SharedMutablePointer(c), values: SharedMutablePointer(v),
                                 times: times?.baseAddress.map { SharedMutablePointer($0) })
        let kept = UnsafeMutableBufferPointer<Int>.allocate(capacity: rows)
        defer { kept.deallocate() }
        let ranges = Self.balancedRanges(pointers: pointers, pieces: Kernels.threadCount * 4)
        let rejections = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(1, ranges.count * 2))
        defer { rejections.deallocate() }
        rejections.initialize(repeating: -1)
        // Both buffers have capacity ≥ 1, so they always have an address.
        guard let keptBase = kept.baseAddress, let rejectBase = rejections.baseAddress else {
            preconditionFailure("RowCompaction: allocation of \(rows) row counters returned no storage")
        }
        let keptShared = SharedMutablePointer(keptBase)
        let rejectShared = SharedMutablePointer(rejectBase)
        let policy = self.policy
        pointers.withUnsafeBufferPointer { rowPointers in
            let starts = SharedPointer(rowPointers.baseAddress ?? UnsafePointer(keptShared.base))
            Kernels.parallelFor(chunks: ranges.count) { piece in
                var scratch = RowScratch()
                for row in ranges[piece] {
                    let start = starts.base[row], end = starts.base[row + 1]
                    let result = storage.compactRow(start: start, end: end, policy: policy, scratch: &scratch)
                    keptShared.base[row] = result.kept
                    if let column = result.rejectedColumn {
                        rejectShared.base[2 * piece] = row
                        rejectShared.base[2 * piece + 1] = Int(column)
                        return
                    }
                }
            }
        }
        for piece in ranges.indices where rejections[2 * piece] >= 0 {
            rejected = (rejections[2 * piece], rejections[2 * piece + 1])
            return 0
        }
        // Close up the gaps left by dropped duplicates (no moves when there were none).
        var write = 0
        for row in 0..<rows {
            let start = pointers[row], count = kept[row]
            if write != start { storage.move(from: start, count: count, to: write) }
            pointers[row] = write
            write += count
        }
        pointers[rows] = write
        return write
    }

    /// Up to `pieces` consecutive row ranges holding about the same number of entries.
    static func balancedRanges(pointers: [Int], pieces: Int) -> [Range<Int>] {
        let rows = pointers.count - 1, total = pointers[rows] - pointers[0]
        var ranges: [Range<Int>] = [], start = 0
        for piece in 1...max(1, pieces) {
            let target = pointers[0] + total / max(1, pieces) * piece
            var end = start
            while end < rows && (piece == pieces || pointers[end] < target) { end += 1 }
            if end > start { ranges.append(start..<end) }
            start = end
        }
        if start < rows { ranges.append(start..<rows) }
        return ranges
    }
}

/// Reused per-thread buffers for sorting one row.
struct RowScratch {
    var keys: [UInt64] = [], values: [Float] = [], times: [UInt32] = []
}

/// The CSR storage being compacted, shareable across the threads that each own some rows.
struct RowStorage: Sendable {
    let columns: SharedMutablePointer<Int32>
    let values: SharedMutablePointer<Float>
    let times: SharedMutablePointer<UInt32>?

    /// Sorts row `start..<end` by column and resolves duplicates, writing the kept entries from
    /// `start` on; returns how many were kept, or the duplicated column under `.reject`.
    func compactRow(start: Int, end: Int, policy: DuplicatePolicy,
                    scratch: inout RowScratch) -> (kept: Int, rejectedColumn: Int32?) {
        let c = columns.base, v = values.base, t = times?.base
        var k = start + 1
        while k < end && c[k] > c[k - 1] { k += 1 }
        if k >= end { return (end - start, nil) }
        // Sort by (column, arrival position) packed into one 64-bit key.
        scratch.keys.removeAll(keepingCapacity: true)
        scratch.values.removeAll(keepingCapacity: true)
        scratch.times.removeAll(keepingCapacity: true)
        for position in start..<end {
            scratch.keys.append(UInt64(UInt32(bitPattern: c[position])) << 32 | UInt64(position - start))
            scratch.values.append(v[position])
            if let t { scratch.times.append(t[position]) }
        }
        scratch.keys.sort()
        var write = start
        var group = 0
        let keys = scratch.keys
        while group < keys.count {
            let column = Int32(truncatingIfNeeded: keys[group] >> 32)
            var groupEnd = group + 1
            while groupEnd < keys.count && Int32(truncatingIfNeeded: keys[groupEnd] >> 32) == column { groupEnd += 1 }
            if groupEnd - group > 1 && policy == .reject { return (0, column) }
            var chosen = Int(keys[group] & 0xFFFF_FFFF)
            for candidate in (group + 1)..<groupEnd {
                let arrival = Int(keys[candidate] & 0xFFFF_FFFF)
                let time = t == nil ? 0 : scratch.times[arrival]
                let chosenTime = t == nil ? 0 : scratch.times[chosen]
                // Arrivals increase within a group, so ties go to the later line for keepLast.
                switch policy {
                case .keepLast: if time >= chosenTime { chosen = arrival }
                case .keepFirst: if time < chosenTime { chosen = arrival }
                case .reject: break
                }
            }
            c[write] = column
            v[write] = scratch.values[chosen]
            if let t { t[write] = scratch.times[chosen] }
            write += 1
            group = groupEnd
        }
        return (write - start, nil)
    }

    /// Moves `count` entries from `source` to `destination` (overlap allowed).
    func move(from source: Int, count: Int, to destination: Int) {
        memmove(columns.base + destination, columns.base + source, count * MemoryLayout<Int32>.stride)
        memmove(values.base + destination, values.base + source, count * MemoryLayout<Float>.stride)
        if let t = times?.base { memmove(t + destination, t + source, count * MemoryLayout<UInt32>.stride) }
    }
}
