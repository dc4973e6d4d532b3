import Foundation

/// Movie titles by original item id, from MovieLens files: ML-1M/10M `movies.dat`
/// (`id::title::genres`, latin-1), ML-20M/25M `movies.csv` (`movieId,title,genres` with a header,
/// quoted titles, UTF-8), or ML-100K `u.item` (`id|title|…`, latin-1).
public struct MovieTitles: Sendable {
    /// Titles by item id.
    public let titles: [Int64: String]

    /// Titles from `path`, the format chosen by the file name (`.csv`: CSV; `u.item`: `|`; otherwise `::`).
    public init(path: String) throws {
        let name = (path as NSString).lastPathComponent
        var titles: [Int64: String] = [:]
        let csv = name.hasSuffix(".csv"), pipe = name.hasPrefix("u.item")
        try LineStream(path: path).forEachLine(encoding: csv ? .utf8 : .isoLatin1) { line, number in
            if line.isEmpty || (csv && number == 1 && line.lowercased().hasPrefix("movieid")) { return true }
            let parsed: (String, String)?
            if csv {
                parsed = Self.csvIDAndTitle(line)
            } else {
                let fields = pipe ? line.components(separatedBy: "|") : line.components(separatedBy: "::")
                parsed = fields.count >= 2 ? (fields[0], fields[1]) : nil
            }
            guard let (idText, title) = parsed, let id = Int64(idText.trimmingCharacters(in: .whitespaces)) else {
                throw RecommendError.malformedTitles(file: path, line: number, text: line)
            }
            titles[id] = title
            return true
        }
        self.titles = titles
    }

    /// The first two fields of a CSV line (the second may be quoted with doubled quotes inside).
    static func csvIDAndTitle(_ line: String) -> (String, String)? {
        guard let comma = line.firstIndex(of: ",") else { return nil }
        let id = String(line[..<comma])
        var rest = line[line.index(after: comma)...]
        if rest.first == "\"" {
            rest = rest.dropFirst()
            var title = ""
            var iterator = rest.makeIterator()
            while let character = iterator.next() {
                if character == "\"" {
                    guard let next = iterator.next() else { return (id, title) }
                    if next == "\"" { title.append("\"") } else { return (id, title) }
                } else {
                    title.append(character)
                }
            }
            return nil
        }
        return (id, String(rest.prefix { $0 != "," }))
    }
}
