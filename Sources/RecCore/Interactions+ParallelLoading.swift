import Kernels

/// The parallel path for plain (uncompressed) delimited files: the file is cut into segments at
/// line boundaries, every segment is parsed on its own thread into compact columns, and the
/// columns are merged in file order, so the result (and every duplicate decision) is the same as
/// reading the file line by line. Errors carry the file's line numbers: a segment counts lines
/// locally, and only on the error path are the newlines before it counted.
extension Interactions {
    /// Outcome of the parallel path.
    enum ParallelOutcome {
        case table(Interactions)
        /// A rejected duplicate pair (original ids); the caller names its lines.
        case duplicate(userID: Int64, itemID: Int64)
        /// Ids or timestamps beyond 32 bits, or a layout the parallel path does not handle.
        case needsGeneralPath
    }

    /// Segments per thread (more than one evens out threads slowed by other work).
    static let segmentsPerThread = 4
    /// Files smaller than this are read as one segment.
    static let smallFileBytes = 1 << 22

    /// Loads `path` in parallel, or says why it cannot.
    static func loadInParallel(path: String, format: DelimitedFormat, segments requested: Int? = nil) throws -> ParallelOutcome {
        let file = try FileReader(path: path)
        guard let size = file.size else { return .needsGeneralPath }
        let parser = DelimitedLineParser(format: format, path: path)
        guard let dataStart = try headerEnd(file: file, size: size, parser: parser, hasHeader: format.hasHeader) else {
            return .needsGeneralPath
        }
        let count = requested ?? (size < smallFileBytes ? 1 : Kernels.threadCount * segmentsPerThread)
        let bounds = try segmentBounds(file: file, range: dataStart..<size, count: max(1, count))
        let timed = format.timestampColumn != nil
        let parts = (0..<(bounds.count - 1)).map { _ in ParsedSegment(timed: timed) }
        let fast = parser.allowsFastParse
        Kernels.parallelFor(chunks: parts.count) { segment in
            let part = parts[segment]
            let reader = LineReader(path: path, reader: FileRangeReader(file: file, range: bounds[segment]..<bounds[segment + 1]))
            // The segment's own columns (already holding their first block): a fresh value here
            // would drop that block unreleased, 64 KiB per segment per load.
            var columns = part.columns
            do {
                try reader.forEachLine { line, number in
                    let row: DelimitedLineParser.Row
                    if fast, let quick = parser.parseFast(line) {
                        row = quick
                    } else {
                        if DelimitedLineParser.isBlank(line) { return }
                        row = try parser.parse(line, number: number)
                    }
                    if !columns.append(user: row.user, item: row.item, rating: row.rating, timestamp: row.timestamp) {
                        throw StopReading()
                    }
                }
            } catch let error as DataError {
                part.failure = error
            } catch {
                part.needsGeneralPath = true
            }
            columns.finish()
            part.columns = columns
        }
        if parts.contains(where: { $0.needsGeneralPath }) { return .needsGeneralPath }
        if let segment = parts.firstIndex(where: { $0.failure != nil }), let failure = parts[segment].failure {
            throw failure.shiftingLines(by: try file.newlines(before: bounds[segment]))
        }
        if parts.allSatisfy({ $0.columns.count == 0 }) { throw DataError.emptyFile(file: path) }
        switch try ColumnBuilder(parts: parts, timed: timed).build(file: path, policy: format.duplicates) {
        case let .table(table): return .table(table)
        case let .duplicate(userID, itemID): return .duplicate(userID: userID, itemID: itemID)
        }
    }

    /// Thrown inside a segment to stop at a value the compact columns cannot hold.
    private struct StopReading: Error {}

    /// The byte offset where data lines start: after the header line (checked) when there is one,
    /// else 0. Nil when the header is not within the first 1 MiB (left to the general path).
    private static func headerEnd(file: FileReader, size: Int, parser: DelimitedLineParser,
                                  hasHeader: Bool) throws -> Int? {
        guard hasHeader else { return 0 }
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: min(size, 1 << 20), alignment: 16)
        defer { block.deallocate() }
        let filled = try file.read(into: block, at: 0)
        let bytes = UnsafeBufferPointer(start: block.baseAddress?.assumingMemoryBound(to: UInt8.self), count: filled)
        var start = 0, number = 0
        while start < filled {
            number += 1
            var end = start
            while end < filled && bytes[end] != 0x0A { end += 1 }
            if end == filled && filled < size { return nil }
            var lineEnd = end
            if lineEnd > start && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let line = UnsafeBufferPointer(rebasing: bytes[start..<lineEnd])
            if !DelimitedLineParser.isBlank(line) {
                // A first line with integer ids is data: read from the start of the file.
                guard parser.isHeader(line) else { return 0 }
                try parser.checkHeader(line, number: number)
                return min(end + 1, size)
            }
            start = end + 1
        }
        return filled == size ? size : nil
    }

    /// `count + 1` ascending offsets cutting `range` into pieces that each start at a line start.
    private static func segmentBounds(file: FileReader, range: Range<Int>, count: Int) throws -> [Int] {
        var bounds = [range.lowerBound]
        let probe = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { probe.deallocate() }
        for k in 1..<count {
            var cut = max(bounds[bounds.count - 1], range.lowerBound + range.count / count * k)
            // Move the cut just past the next newline at or after byte `cut - 1` (a cut at the
            // start of the range already starts a line, and stays: a range shorter than `count`
            // bytes gives empty segments, never a bound before the previous one).
            if cut > range.lowerBound {
                var searching = true
                var offset = cut - 1
                while searching && offset < range.upperBound {
                    let got = try file.read(into: probe, at: offset)
                    if got == 0 { offset = range.upperBound; break }
                    let bytes = UnsafeRawBufferPointer(rebasing: probe[0..<min(got, range.upperBound - offset)])
                    if let found = bytes.firstIndex(of: 0x0A) {
                        offset += found + 1
                        searching = false
                    } else {
                        offset += bytes.count
                    }
                }
                cut = searching ? range.upperBound : min(offset, range.upperBound)
            }
            bounds.append(cut)
        }
        bounds.append(range.upperBound)
        return bounds
    }
}
