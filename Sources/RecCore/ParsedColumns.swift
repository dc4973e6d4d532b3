/// Rows parsed from one segment of a file, in file order, held as compact columns in blocks (no
/// large reallocation while reading): raw ids as `UInt32`, ratings, and timestamps as `UInt32`
/// seconds. A row whose ids or timestamp do not fit is refused, and the caller then falls back to
/// the general (sequential, 64-bit) path. A value type, so the hot loop pays no exclusivity checks.
struct ParsedColumns {
    /// Rows in every block after the first (the first is small, for small files cut finely).
    static let blockSize = 1 << 18
    static let firstBlockSize = 1 << 12

    /// One block of columns (raw storage, freed by `release`).
    struct Block {
        let users: UnsafeMutablePointer<UInt32>, items: UnsafeMutablePointer<UInt32>
        let ratings: UnsafeMutablePointer<Float>, times: UnsafeMutablePointer<UInt32>?
        let capacity: Int
        var count = 0

        init(timed: Bool, capacity: Int) {
            self.capacity = capacity
            users = .allocate(capacity: capacity)
            items = .allocate(capacity: capacity)
            ratings = .allocate(capacity: capacity)
            times = timed ? .allocate(capacity: capacity) : nil
        }

        func release() {
            users.deallocate(); items.deallocate(); ratings.deallocate(); times?.deallocate()
        }
    }

    let timed: Bool
    /// Filled blocks, then the one being filled (last).
    private(set) var blocks: [Block] = []
    private var current: Block
    /// Rows stored.
    private(set) var count = 0
    /// Largest raw user and item id seen.
    private(set) var maximumUser: UInt32 = 0, maximumItem: UInt32 = 0
    /// Smallest and largest timestamp seen.
    private(set) var minimumTime = UInt32.max, maximumTime: UInt32 = 0

    init(timed: Bool) {
        self.timed = timed
        current = Block(timed: timed, capacity: Self.firstBlockSize)
    }

    /// Adds one row; false when a value does not fit in 32 unsigned bits (nothing is stored).
    @inline(__always)
    mutating func append(user: Int64, item: Int64, rating: Float, timestamp: Int64) -> Bool {
        guard let user32 = UInt32(exactly: user), let item32 = UInt32(exactly: item),
              let time32 = UInt32(exactly: timed ? timestamp : 0) else { return false }
        if current.count == current.capacity {
            blocks.append(current)
            current = Block(timed: timed, capacity: Self.blockSize)
        }
        let k = current.count
        current.users[k] = user32
        current.items[k] = item32
        current.ratings[k] = rating
        current.times?[k] = time32
        current.count = k + 1
        count += 1
        maximumUser = max(maximumUser, user32)
        maximumItem = max(maximumItem, item32)
        minimumTime = min(minimumTime, time32)
        maximumTime = max(maximumTime, time32)
        return true
    }

    /// Whether `finish` has moved the block being filled into `blocks`.
    private var finished = false

    /// Moves the block being filled into `blocks` (call once, when parsing is over).
    mutating func finish() {
        guard !finished else { return }
        finished = true
        if current.count > 0 { blocks.append(current) } else { current.release() }
    }

    /// Frees block `index` (marked with count -1; its storage must not be used afterwards).
    mutating func release(block index: Int) {
        guard blocks[index].count >= 0 else { return }
        blocks[index].release()
        blocks[index].count = -1
    }

    /// Frees every block still held.
    mutating func releaseAll() {
        finish()
        for index in blocks.indices { release(block: index) }
        blocks.removeAll()
    }
}

/// One segment's result, written by the one thread that parses it: its columns, its first error
/// (line numbers local to the segment), or a note that it needs the general path.
final class ParsedSegment: @unchecked Sendable {
    var columns: ParsedColumns
    var failure: DataError?
    var needsGeneralPath = false

    init(timed: Bool) { columns = ParsedColumns(timed: timed) }

    deinit { columns.releaseAll() }
}
