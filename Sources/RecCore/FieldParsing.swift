/// Allocation-free parsing of numeric fields straight from the bytes of a line.
enum FieldParsing {
    /// Trims ASCII spaces and tabs from both ends of `field`.
    @inline(__always)
    static func trimmed(_ field: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var start = 0, end = field.count
        while start < end && (field[start] == 0x20 || field[start] == 0x09) { start += 1 }
        while end > start && (field[end - 1] == 0x20 || field[end - 1] == 0x09) { end -= 1 }
        return UnsafeBufferPointer(rebasing: field[start..<end])
    }

    /// Whether `field` starts with `-`, and where its digits begin (after an optional `+`/`-`).
    @inline(__always)
    static func sign(_ field: UnsafeBufferPointer<UInt8>) -> (negative: Bool, digitsStart: Int) {
        guard let first = field.first, first == 0x2D || first == 0x2B else { return (false, 0) }
        return (first == 0x2D, 1)
    }

    /// A signed decimal integer (optional leading `+`/`-`), or nil for anything else or an overflow.
    @inline(__always)
    static func integer(_ raw: UnsafeBufferPointer<UInt8>) -> Int64? {
        let field = trimmed(raw)
        var (negative, index) = sign(field)
        guard index < field.count else { return nil }
        if field.count - index > 18 { return slowInteger(field) }
        var value: Int64 = 0
        while index < field.count {
            let digit = field[index] &- 0x30
            guard digit < 10 else { return nil }
            value = value * 10 + Int64(digit)
            index += 1
        }
        return negative ? -value : value
    }

    private static func slowInteger(_ field: UnsafeBufferPointer<UInt8>) -> Int64? {
        Int64(String(decoding: field, as: UTF8.self))
    }

    /// A finite decimal number such as `4`, `3.5`, `-0.25`, `1e-3`; nil for text, NaN or infinity.
    /// The result is the correctly rounded `Float`, the same as `Float(text)` gives.
    @inline(__always)
    static func number(_ raw: UnsafeBufferPointer<UInt8>) -> Float? {
        let field = trimmed(raw)
        var (negative, index) = sign(field)
        var mantissa: Int64 = 0
        var digits = 0
        var scale = 0
        var sawDigit = false
        while index < field.count, field[index] &- 0x30 < 10 {
            mantissa = mantissa &* 10 &+ Int64(field[index] &- 0x30)
            digits += 1
            index += 1
        }
        sawDigit = digits > 0
        if index < field.count && field[index] == 0x2E {
            index += 1
            while index < field.count, field[index] &- 0x30 < 10 {
                mantissa = mantissa &* 10 &+ Int64(field[index] &- 0x30)
                digits += 1
                scale -= 1
                index += 1
            }
            sawDigit = sawDigit || scale < 0
        }
        guard sawDigit else { return nil }
        var hasExponent = false
        if index < field.count && (field[index] == 0x65 || field[index] == 0x45) {
            guard integer(UnsafeBufferPointer(rebasing: field[(index + 1)...])) != nil else { return nil }
            hasExponent = true
            index = field.count
        }
        guard index == field.count else { return nil }
        // Exact fast path (Clinger): an integer mantissa below 2^24 and a power of ten up to 10^10
        // are both exact Floats, so one multiplication or division rounds correctly.
        if !hasExponent && mantissa < 1 << 24 && digits <= 8 && scale >= -10 {
            var value = Float(mantissa)
            if scale < 0 { value /= exactPowersOfTen[-scale] }
            return negative ? -value : value
        }
        // Anything longer: the checked decimal text through the standard library's correctly rounded parser.
        guard let value = Float(String(decoding: field, as: UTF8.self)), value.isFinite else { return nil }
        return value
    }

    /// 10^0 … 10^10, all exactly representable as `Float`.
    static let exactPowersOfTen: [Float] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10]

    /// Seconds since 1970-01-01 for an integer timestamp or a `YYYY-MM-DD` date (midnight UTC).
    @inline(__always)
    static func timestamp(_ raw: UnsafeBufferPointer<UInt8>) -> Int64? {
        let field = trimmed(raw)
        if field.count == 10 && field[4] == 0x2D && field[7] == 0x2D {
            guard let year = integer(UnsafeBufferPointer(rebasing: field[0..<4])),
                  let month = integer(UnsafeBufferPointer(rebasing: field[5..<7])),
                  let day = integer(UnsafeBufferPointer(rebasing: field[8..<10])),
                  (1...12).contains(month), (1...31).contains(day) else { return nil }
            return daysFromCivil(year: year, month: month, day: day) * 86_400
        }
        return integer(field)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
