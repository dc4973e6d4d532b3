extension Interactions {
    /// Loads the ratings file `entry` of the zip archive at `archivePath`, streamed straight from the
    /// archive (stored or deflated; nothing is unpacked to disk), in `format`. Errors name the
    /// entry as `archive.zip:entry` with its line numbers.
    public static func load(archivePath: String, entry name: String, format: DelimitedFormat) throws -> Interactions {
        let archive = try ZipArchive(path: archivePath)
        guard let entry = archive.entry(named: name) else {
            throw DataError.cannotOpen(file: "\(archivePath):\(name)", reason: "no such entry; the archive holds \(archive.entries.prefix(8).map(\.name).joined(separator: ", "))")
        }
        let label = archive.label(of: entry)
        let scan: (RowVisitor) throws -> Void = { visit in
            try scanDelimited(lines: LineReader(path: label, reader: archive.reader(for: entry)), format: format, visit)
        }
        return try assemble(timed: format.timestampColumn != nil, policy: format.duplicates, label: label, scan: scan)
    }

    /// The MovieLens ratings entry of a GroupLens archive (`ml-100k/u.data`, `ml-1m/ratings.dat`,
    /// `ml-20m/ratings.csv`, …: one folder, one ratings file) and its format, or nil when it holds none.
    public static func movieLensRatingsEntry(in archivePath: String) throws -> (entry: String, format: DelimitedFormat)? {
        let archive = try ZipArchive(path: archivePath)
        for entry in archive.entries {
            let parts = entry.name.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2, let last = parts.last, ["u.data", "ratings.dat", "ratings.csv"].contains(String(last)),
                  let format = DelimitedFormat.movieLens(fileName: String(last)) else { continue }
            return (entry.name, format)
        }
        return nil
    }
}
