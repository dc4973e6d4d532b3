/// How names typed by users are matched: case-insensitively, with the closest known name (by edit
/// distance) offered for a near miss.
public enum NameMatching {
    /// The Levenshtein distance between `first` and `second` (insertions, deletions, substitutions
    /// of characters), compared in lower case.
    public static func editDistance(_ first: String, _ second: String) -> Int {
        let a = Array(first.lowercased()), b = Array(second.lowercased())
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count), current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// The known name closest to `name`, when it is a near miss: at most 2 edits, or a third of the
    /// longer name's length; ties go to the earlier name in `known`.
    public static func closest(to name: String, in known: [String]) -> String? {
        let scored = known.map { ($0, editDistance(name, $0)) }
        guard let (best, distance) = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return distance <= max(2, max(name.count, best.count) / 3) ? best : nil
    }
}
