import Foundation

/// A JSON value with the line it starts on, so an experiment file's errors can name the line.
/// Foundation's parsers keep no positions; this small reader (RFC 8259, UTF-8) does. Numbers keep
/// their literal text, so an integer setting can refuse `5.5` and a seed above 2⁶³ stays exact.
struct LineNumberedJSON: Equatable {
    indirect enum Value: Equatable {
        case null
        case bool(Bool)
        /// The number as written (`-1.5e3`).
        case number(String)
        case string(String)
        case array([LineNumberedJSON])
        /// Members in the file's order.
        case object([Member])
    }

    /// An object's member: its key, the key's line, and its value.
    struct Member: Equatable {
        var key: String
        var line: Int
        var value: LineNumberedJSON
    }

    var value: Value
    /// The line (from 1) where the value starts.
    var line: Int

    /// How the value is called in messages ("a string", "an array").
    var kindDescription: String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// The member called `key` of an object, or nil.
    func member(_ key: String) -> Member? {
        guard case .object(let members) = value else { return nil }
        return members.first { $0.key == key }
    }

    /// Parses `data`; a syntax error (or a key given twice in one object) throws naming the line.
    static func parse(_ data: Data) throws -> LineNumberedJSON {
        var reader = Reader(bytes: [UInt8](data))
        reader.skipSpace()
        let value = try reader.value(depth: 0)
        reader.skipSpace()
        guard reader.index == reader.bytes.count else { throw reader.fail("text after the JSON value") }
        return value
    }

    /// A syntax error: its line and what was wrong.
    struct SyntaxError: Error, Equatable {
        var line: Int
        var reason: String
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0
        var line = 1

        init(bytes: [UInt8]) { self.bytes = bytes }

        func fail(_ reason: String) -> SyntaxError { SyntaxError(line: line, reason: reason) }

        mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\n"): line += 1
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): break
                default: return
                }
                index += 1
            }
        }

        mutating func expect(_ literal: String) throws {
            for byte in literal.utf8 {
                guard index < bytes.count, bytes[index] == byte else { throw fail("expected \(literal)") }
                index += 1
            }
        }

        mutating func value(depth: Int) throws -> LineNumberedJSON {
            guard depth < 64 else { throw fail("nested deeper than 64 levels") }
            guard index < bytes.count else { throw fail("unexpected end of file") }
            let start = line
            switch bytes[index] {
            case UInt8(ascii: "{"): return LineNumberedJSON(value: .object(try members(depth: depth)), line: start)
            case UInt8(ascii: "["): return LineNumberedJSON(value: .array(try elements(depth: depth)), line: start)
            case UInt8(ascii: "\""): return LineNumberedJSON(value: .string(try string()), line: start)
            case UInt8(ascii: "t"): try expect("true"); return LineNumberedJSON(value: .bool(true), line: start)
            case UInt8(ascii: "f"): try expect("false"); return LineNumberedJSON(value: .bool(false), line: start)
            case UInt8(ascii: "n"): try expect("null"); return LineNumberedJSON(value: .null, line: start)
            default: return LineNumberedJSON(value: .number(try number()), line: start)
            }
        }

        mutating func members(depth: Int) throws -> [Member] {
            index += 1                                                  // {
            var members: [Member] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return members }
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a key in quotes") }
                let keyLine = line
                let key = try string()
                if let earlier = members.first(where: { $0.key == key }) {
                    throw fail("key '\(key)' given twice (lines \(earlier.line) and \(keyLine))")
                }
                skipSpace()
                try expect(":")
                skipSpace()
                members.append(Member(key: key, line: keyLine, value: try value(depth: depth + 1)))
                skipSpace()
                guard index < bytes.count else { throw fail("unexpected end of file in an object") }
                index += 1
                if bytes[index - 1] == UInt8(ascii: "}") { return members }
                guard bytes[index - 1] == UInt8(ascii: ",") else { throw fail("expected , or } in an object") }
            }
        }

        mutating func elements(depth: Int) throws -> [LineNumberedJSON] {
            index += 1                                                  // [
            var elements: [LineNumberedJSON] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return elements }
            while true {
                skipSpace()
                elements.append(try value(depth: depth + 1))
                skipSpace()
                guard index < bytes.count else { throw fail("unexpected end of file in an array") }
                index += 1
                if bytes[index - 1] == UInt8(ascii: "]") { return elements }
                guard bytes[index - 1] == UInt8(ascii: ",") else { throw fail("expected , or ] in an array") }
            }
        }

        mutating func string() throws -> String {
            index += 1                                                  // "
            var scalars: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    guard let text = String(validating: scalars, as: UTF8.self) else { throw fail("a string that is not UTF-8") }
                    return text
                case UInt8(ascii: "\\"):
                    guard index < bytes.count else { break }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escape)
                    case UInt8(ascii: "b"): scalars.append(8)
                    case UInt8(ascii: "f"): scalars.append(12)
                    case UInt8(ascii: "n"): scalars.append(10)
                    case UInt8(ascii: "r"): scalars.append(13)
                    case UInt8(ascii: "t"): scalars.append(9)
                    case UInt8(ascii: "u"): scalars.append(contentsOf: Array(String(try unicodeEscape()).utf8))
                    default: throw fail("unknown escape \\\(Character(Unicode.Scalar(escape)))")
                    }
                case 0..<0x20: throw fail(byte == 10 ? "a line break inside a string" : "a control character inside a string")
                default: scalars.append(byte)
                }
            }
            throw fail("unexpected end of file in a string")
        }

        /// The character of `\uXXXX` (a surrogate pair read whole).
        mutating func unicodeEscape() throws -> Character {
            func hex() throws -> UInt32 {
                guard index + 4 <= bytes.count, let text = String(bytes: bytes[index..<index + 4], encoding: .ascii),
                      let code = UInt32(text, radix: 16) else { throw fail("expected four hex digits after \\u") }
                index += 4
                return code
            }
            var code = try hex()
            if (0xD800..<0xDC00).contains(code) {
                try expect("\\u")
                let low = try hex()
                guard (0xDC00..<0xE000).contains(low) else { throw fail("an unpaired surrogate \\u escape") }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(code) else { throw fail("an unpaired surrogate \\u escape") }
            return Character(scalar)
        }

        mutating func number() throws -> String {
            let start = index
            func digits() -> Int {
                let first = index
                while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
                return index - first
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw fail("expected a value") }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard digits() > 0 else { throw fail("expected digits after the decimal point") }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { throw fail("expected digits in the exponent") }
            }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }
    }
}
