/// Rows parsed from one segment of a file, in file order, held as compact columns in fixed-size
/// blocks (no large reallocation while reading): raw ids as `UInt32`, ratings, and timestamps as
/// `UInt32` seconds. Rows whose ids or timestamps do not fit are flagged instead of stored, and the
/// caller then falls back to the general (sequential, 64-bit) path.
final class ParsedColumns: @unchecked Sendable {
    /// Rows per block.
    static let blockSize = 1 << 18

    /// One block of columns (raw storage, freed by `release`).
    struct Block {
        let users: UnsafeMutablePointer<UInt32>, items: UnsafeMutablePointer<UInt32>
        let ratings: UnsafeMutablePointer<Float>, times: UnsafeMutablePointer<UInt32>?
        var count = 0

        init(timed: Bool) {
            users = .allocate(capacity: ParsedColumns.blockSize)
            items = .allocate(capacity: ParsedColumns.blockSize)
            ratings = .allocate(capacity: ParsedColumns.blockSize)
            times = timed ? .allocate(capacity: ParsedColumns.blockSize) : nil
        }

        func release() {
            users.deallocate(); items.deallocate(); ratings.deallocate(); times?.deallocate()
        }
    }

    let timed: Bool
    private(set) var blocks: [Block] = []
    private var current: Block?
    /// Rows stored.
    private(set) var count = 0
    /// Largest raw user and item id seen.
    private(set) var maximumUser: UInt32 = 0, maximumItem: UInt32 = 0
    /// Smallest and largest timestamp seen.
    private(set) var minimumTime = UInt32.max, maximumTime: UInt32 = 0
    /// Set when a row had an id or timestamp outside `0...UInt32.max`; the segment is then incomplete.
    var needsGeneralPath = false
    /// The first bad-input error met in this segment, with line numbers local to the segment.
    var failure: DataError?
    /// Lines (newlines, plus a final unterminated line) read in this segment.
    var lines = 0

    init(timed: Bool) { self.timed = timed }

    deinit { releaseAll() }

    /// Adds one row; returns false (and flags the segment) when a value does not fit in 32 bits.
    @inline(__always)
    func append(user: Int64, item: Int64, rating: Float, timestamp: Int64) -> Bool {
        guard let user32 = UInt32(exactly: user), let item32 = UInt32(exactly: item) else {
            needsGeneralPath = true
            return false
        }
        var time32: UInt32 = 0
        if timed {
            guard let converted = UInt32(exactly: timestamp) else { needsGeneralPath = true; return false }
            time32 = converted
        }
        if current == nil || current?.count == Self.blockSize {
            if let full = current { blocks.append(full) }
            current = Block(timed: timed)
        }
        guard var block = current else { return false }
        let k = block.count
        block.users[k] = user32
        block.items[k] = item32
        block.ratings[k] = rating
        block.times?[k] = time32
        block.count = k + 1
        current = block
        count += 1
        maximumUser = max(maximumUser, user32)
        maximumItem = max(maximumItem, item32)
        if timed {
            minimumTime = min(minimumTime, time32)
            maximumTime = max(maximumTime, time32)
        }
        return true
    }

    /// Moves the block being filled into `blocks` (call once parsing is over).
    func finish() {
        if let last = current, last.count > 0 { blocks.append(last) } else { current?.release() }
        current = nil
    }

    /// Frees block `index` (its storage must not be used afterwards).
    func release(block index: Int) {
        blocks[index].release()
        blocks[index].count = 0
    }

    /// Frees every block.
    func releaseAll() {
        for index in blocks.indices where blocks[index].count > 0 { release(block: index) }
        blocks.removeAll()
        current?.release()
        current = nil
    }
}
