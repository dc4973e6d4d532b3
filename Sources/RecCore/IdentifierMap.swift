/// Maps original 64-bit ids to dense indices in order of first appearance while a file is read.
///
/// Small non-negative ids (the usual case: MovieLens, Netflix) go through a direct lookup table;
/// others through a dictionary. `finalRanks()` then renumbers the ids in ascending order, so the
/// dense index of an id never depends on the order of lines in the file.
struct IdentifierMap {
    /// Largest id kept in the direct table (2²⁴ entries, 64 MiB at most).
    static let directLimit: Int64 = 1 << 24
    private var table: [Int32] = []
    private var dictionary: [Int64: Int32] = [:]
    /// Original ids in order of first appearance.
    private(set) var ids: [Int64] = []

    var count: Int { ids.count }

    /// The first-appearance index of `id`, adding it when new.
    @inline(__always)
    mutating func index(for id: Int64) -> Int32 {
        if id >= 0 && id < Self.directLimit {
            let slot = Int(id)
            if slot < table.count {
                let found = table[slot]
                if found >= 0 { return found }
            } else {
                let newCount = Int(min(Self.directLimit, max(Int64(slot + 1), Int64(table.count * 2), 1024)))
                table.append(contentsOf: repeatElement(-1, count: newCount - table.count))
            }
            let next = Int32(ids.count)
            table[slot] = next
            ids.append(id)
            return next
        }
        if let found = dictionary[id] { return found }
        let next = Int32(ids.count)
        dictionary[id] = next
        ids.append(id)
        return next
    }

    /// The ids sorted ascending, and for every first-appearance index its rank in that order.
    func finalRanks() -> (sortedIDs: [Int64], rankOfIndex: [Int32]) {
        let order = ids.indices.sorted { ids[$0] < ids[$1] }
        var rank = [Int32](repeating: 0, count: ids.count)
        for (position, index) in order.enumerated() { rank[index] = Int32(position) }
        return (order.map { ids[$0] }, rank)
    }
}
