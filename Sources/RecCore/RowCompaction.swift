#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sorts every CSR row by item and resolves repeated items by a `DuplicatePolicy`, compacting the
/// storage in place. Entries of a row arrive in file order, so that order breaks timestamp ties.
struct RowCompaction {
    let columns: UnsafeMutableBufferPointer<Int32>
    let values: UnsafeMutableBufferPointer<Float>
    let times: UnsafeMutableBufferPointer<UInt32>?
    let policy: DuplicatePolicy
    /// The (row, column) of the first duplicate met under `.reject`.
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
        var write = 0
        var keys: [UInt64] = []
        var scratchValues: [Float] = [], scratchTimes: [UInt32] = []
        let rows = pointers.count - 1
        var rowStart = pointers.first ?? 0
        for row in 0..<rows {
            let start = rowStart, end = pointers[row + 1]
            rowStart = end
            pointers[row] = write
            var ordered = true
            var k = start + 1
            while k < end { if columns[k] <= columns[k - 1] { ordered = false; break }; k += 1 }
            if ordered {
                if write != start { move(from: start, count: end - start, to: write) }
                write += end - start
                continue
            }
            // Sort by (column, arrival position) packed into one 64-bit key.
            keys.removeAll(keepingCapacity: true)
            for position in start..<end {
                keys.append(UInt64(UInt32(columns[position])) << 32 | UInt64(position - start))
            }
            keys.sort()
            scratchValues.removeAll(keepingCapacity: true)
            scratchTimes.removeAll(keepingCapacity: true)
            for position in start..<end {
                scratchValues.append(values[position])
                if let times { scratchTimes.append(times[position]) }
            }
            var group = 0
            while group < keys.count {
                let column = Int32(truncatingIfNeeded: keys[group] >> 32)
                var groupEnd = group + 1
                while groupEnd < keys.count && Int32(truncatingIfNeeded: keys[groupEnd] >> 32) == column { groupEnd += 1 }
                if groupEnd - group > 1 && policy == .reject {
                    rejected = (row, Int(column))
                    return write
                }
                var chosen = Int(keys[group] & 0xFFFF_FFFF)
                for candidate in (group + 1)..<groupEnd {
                    let arrival = Int(keys[candidate] & 0xFFFF_FFFF)
                    let time = times == nil ? 0 : scratchTimes[arrival]
                    let chosenTime = times == nil ? 0 : scratchTimes[chosen]
                    // Arrivals increase within a group, so ties go to the later line for keepLast.
                    switch policy {
                    case .keepLast: if time >= chosenTime { chosen = arrival }
                    case .keepFirst: if time < chosenTime { chosen = arrival }
                    case .reject: break
                    }
                }
                columns[write] = column
                values[write] = scratchValues[chosen]
                if let times { times[write] = scratchTimes[chosen] }
                write += 1
                group = groupEnd
            }
        }
        if rows >= 0 { pointers[rows] = write }
        return write
    }

    private func move(from source: Int, count: Int, to destination: Int) {
        guard let c = columns.baseAddress, let v = values.baseAddress else { return }
        memmove(c + destination, c + source, count * MemoryLayout<Int32>.stride)
        memmove(v + destination, v + source, count * MemoryLayout<Float>.stride)
        if let t = times?.baseAddress { memmove(t + destination, t + source, count * MemoryLayout<UInt32>.stride) }
    }
}
