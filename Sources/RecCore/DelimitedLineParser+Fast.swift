/// A one-pass parser for the common line shape: a one-byte delimiter, ids and timestamps written
/// as plain digits, ratings as short decimals (`4`, `3.5`). It reads each field while finding its
/// end, and returns nil for anything else (signs, spaces, exponents, dates, long numbers, a wrong
/// field count, a rating off the format's scale), so that `parse` decides those lines: its values
/// and its errors are the reference.
extension DelimitedLineParser {
    /// Whether `parseFast` can be used with this format.
    var allowsFastParse: Bool {
        guard delimiterBytes.count == 1, let byte = delimiterBytes.first else { return false }
        let columns = [format.userColumn, format.itemColumn] + [format.ratingColumn, format.timestampColumn].compactMap { $0 }
        return Set(columns).count == columns.count && columns.allSatisfy { $0 >= 0 }
            && !(0x30...0x39).contains(byte) && byte != 0x2E && byte != 0x0A && byte != 0x0D
    }

    /// The row of a plainly written line, or nil when `parse` must look at it.
    @inline(__always)
    func parseFast(_ line: UnsafeBufferPointer<UInt8>) -> Row? {
        guard var p = line.baseAddress else { return nil }
        let end = p + line.count
        let delimiter = delimiterBytes[0]
        let userColumn = format.userColumn, itemColumn = format.itemColumn
        let ratingColumn = format.ratingColumn ?? -1, timeColumn = format.timestampColumn ?? -1
        var row = Row(user: 0, item: 0, rating: format.implicitRating, timestamp: 0)
        var field = 0
        while true {
            if field == userColumn || field == itemColumn || field == timeColumn {
                var value: Int64 = 0, digits = 0
                while p < end {
                    let digit = p.pointee &- 0x30
                    if digit >= 10 { break }
                    value = value &* 10 &+ Int64(digit)
                    digits += 1
                    p += 1
                }
                guard digits > 0 && digits <= 18 else { return nil }
                if field == userColumn { row.user = value } else if field == itemColumn { row.item = value } else { row.timestamp = value }
            } else if field == ratingColumn {
                var mantissa: Int32 = 0, digits = 0, scale = 0
                while p < end, p.pointee &- 0x30 < 10 {
                    mantissa = mantissa &* 10 &+ Int32(p.pointee &- 0x30)
                    digits += 1
                    p += 1
                }
                if p < end && p.pointee == 0x2E {
                    p += 1
                    while p < end, p.pointee &- 0x30 < 10 {
                        mantissa = mantissa &* 10 &+ Int32(p.pointee &- 0x30)
                        digits += 1
                        scale += 1
                        p += 1
                    }
                }
                // Up to 7 digits: below 2^24, so the Float and the power of ten are exact.
                guard digits > 0 && digits <= 7 else { return nil }
                var value = Float(mantissa)
                if scale > 0 { value /= FieldParsing.exactPowersOfTen[scale] }
                row.rating = value
            } else {
                while p < end && p.pointee != delimiter { p += 1 }
            }
            if p == end { break }
            guard p.pointee == delimiter else { return nil }
            p += 1
            field += 1
        }
        let fields = field + 1
        guard fields >= neededFields, format.fieldCount.map({ $0 == fields }) ?? true else { return nil }
        // A rating off the scale is left to `parse`, which names it (ids here are unsigned digits).
        guard ratingColumn < 0 || format.ratingScale.contains(row.rating) else { return nil }
        return row
    }
}
