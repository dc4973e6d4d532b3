/// Maps original 64-bit ids to dense indices in order of first appearance while a file is read.
///
/// Small non-negative ids (the usual case: MovieLens, Netflix) go through a direct lookup table
/// kept in pages of 4,096 slots, allocated only where ids occur, so the memory follows the ids
/// actually seen (at most one page per row), never the size of one id; other ids go through a
/// dictionary. `finalRanks()` then renumbers the ids in ascending order, so the dense index of an
/// id never depends on the order of lines in the file.
struct IdentifierMap {
    /// Largest id kept in the direct table (2²⁴ slots, 64 MiB at most when every page is used).
    static let directLimit: Int64 = 1 << 24
    static let pageBits = 12
    static let pageSize = 1 << pageBits
    /// The page holding each block of 4,096 ids (-1: none yet); at most 4,096 entries.
    private var pageOf: [Int32] = []
    /// The pages, one after another: the index of every id seen, -1 for the others.
    private var slots: [Int32] = []
    private var dictionary: [Int64: Int32] = [:]
    /// Original ids in order of first appearance.
    private(set) var ids: [Int64] = []

    var count: Int { ids.count }
    /// Slots of the direct table allocated so far (4,096 per page in use).
    var tableSlots: Int { slots.count }

    /// The first-appearance index of `id`, adding it when new.
    @inline(__always)
    mutating func index(for id: Int64) -> Int32 {
        if id >= 0 && id < Self.directLimit {
            let block = Int(id >> Self.pageBits), offset = Int(id) & (Self.pageSize - 1)
            if block < pageOf.count, pageOf[block] >= 0 {
                let slot = Int(pageOf[block]) << Self.pageBits | offset
                let found = slots[slot]
                if found >= 0 { return found }
                return add(id, slot: slot)
            }
            if block >= pageOf.count { pageOf.append(contentsOf: repeatElement(-1, count: block + 1 - pageOf.count)) }
            pageOf[block] = Int32(slots.count >> Self.pageBits)
            slots.append(contentsOf: repeatElement(-1, count: Self.pageSize))
            return add(id, slot: Int(pageOf[block]) << Self.pageBits | offset)
        }
        if let found = dictionary[id] { return found }
        let next = Int32(ids.count)
        dictionary[id] = next
        ids.append(id)
        return next
    }

    /// Records a new direct-table id at `slot`.
    @inline(__always)
    private mutating func add(_ id: Int64, slot: Int) -> Int32 {
        let next = Int32(ids.count)
        slots[slot] = next
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
