extension StringProtocol {
    /// The text with every character that would steer a terminal written out visibly, so text from
    /// a data file, a checkpoint or a titles file can be printed safely: `\t`, `\n`, `\r` as those
    /// escapes; the other C0 controls, DEL, the C1 controls (U+0080–U+009F) and the bidirectional
    /// overrides and isolates (U+202A–U+202E, U+2066–U+2069) as `\u{XX}`. Everything else,
    /// including a backslash, is kept as it is.
    public var escapingControlCharacters: String {
        guard unicodeScalars.contains(where: Self.needsEscape) else { return String(self) }
        var result = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\t": result += "\\t"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case _ where Self.needsEscape(scalar):
                result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Whether `scalar` is a control character or a bidirectional override/isolate.
    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }
}
