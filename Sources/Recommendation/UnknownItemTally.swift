/// How request lines that name item ids the checkpoint does not know are treated: `--strict`
/// refuses the first one; a batch by default tolerates them up to `allowedShare` of its lines (a
/// few new or retired items) and refuses the batch past that (the ids are of another id space,
/// e.g. a vae_cf split's row numbers instead of the ids of `unique_sid.txt`); `--lenient` (and a
/// single `--items` request without `--strict`) only warns.
struct UnknownItemTally {
    /// The share of request lines with unknown ids a batch tolerates by default (1 %).
    static let allowedShare = 0.01

    enum Mode { case strict, limitedShare, lenient }

    let mode: Mode
    /// Request lines counted so far, and those that named an unknown item id.
    private(set) var lines = 0, unknownLines = 0
    /// The first request line with unknown ids, and those ids.
    private var first: (line: Int, ids: [Int64])?

    init(mode: Mode) { self.mode = mode }

    /// Counts one scored chunk of requests (before any of it is printed) and throws
    /// `RecommendError.unknownItems` (strict) or `.tooManyUnknownItems` when the chunk takes the
    /// lines read so far past the allowed share, naming the first line with unknown ids.
    mutating func count(_ results: [Recommendation], lines numbers: [Int], source: String) throws {
        for (result, line) in zip(results, numbers) {
            lines += 1
            guard !result.unknownItems.isEmpty else { continue }
            if mode == .strict {
                throw RecommendError.unknownItems(source: source, line: line, ids: result.unknownItems.map(String.init))
            }
            unknownLines += 1
            if first == nil { first = (line, result.unknownItems) }
        }
        if mode == .limitedShare, Double(unknownLines) > Self.allowedShare * Double(lines), let first {
            throw RecommendError.tooManyUnknownItems(source: source, line: first.line, ids: first.ids.map(String.init),
                                                     unknownLines: unknownLines, lines: lines)
        }
    }
}
