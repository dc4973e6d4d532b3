import Testing
@testable import RecCore

/// The direct id table grows by the pages that ids fall in, not by the largest id: one line with
/// id 16,000,000 used to allocate and fill a 64 MB table (issue 20: no file number sizes memory).
@Suite struct IdentifierMapTests {
    @Test func oneLargeIdCostsOnePage() {
        var map = IdentifierMap()
        #expect(map.index(for: 16_000_000) == 0)
        #expect(map.index(for: 5) == 1)
        #expect(map.tableSlots == 2 * IdentifierMap.pageSize)
    }

    @Test func indicesFollowFirstAppearanceAcrossPagesAndTheDictionary() {
        let ids: [Int64] = [4_095, 4_096, 0, -7, 1 << 24, 4_095, 12_345_678, -7, 4_096, 1 << 40, 0]
        var map = IdentifierMap()
        let indices = ids.map { map.index(for: $0) }
        #expect(indices == [0, 1, 2, 3, 4, 0, 5, 3, 1, 6, 2])
        #expect(map.ids == [4_095, 4_096, 0, -7, 1 << 24, 12_345_678, 1 << 40])
        let (sorted, rank) = map.finalRanks()
        #expect(sorted == [-7, 0, 4_095, 4_096, 12_345_678, 1 << 24, 1 << 40])
        #expect(rank == [2, 3, 1, 0, 5, 4, 6])
    }
}
