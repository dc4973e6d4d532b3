import Foundation

/// Text and markup for the report's XHTML: every text from a file or a name is escaped, and every
/// number or text taken from the results is marked with where it came from (`ShownValue`).
enum XHTML {
    /// `text` with &, <, >, " and ' replaced by entities, and control characters (which XML 1.0
    /// forbids) by U+FFFD.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            default:
                let forbidden = scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) || (0x7F...0x9F).contains(scalar.value)
                result.unicodeScalars.append(forbidden ? "\u{FFFD}" : scalar)
            }
        }
        return result
    }

    /// `<name attributes>content</name>`; `content` must already be markup.
    static func element(_ name: String, _ attributes: [(String, String)] = [], _ content: String) -> String {
        "<\(name)\(attributeText(attributes))>\(content)</\(name)>"
    }

    /// `<name attributes/>`, for SVG shapes and HTML void elements.
    static func empty(_ name: String, _ attributes: [(String, String)] = []) -> String {
        "<\(name)\(attributeText(attributes))/>"
    }

    /// ` a="v" b="w"`, each value escaped.
    static func attributeText(_ attributes: [(String, String)]) -> String {
        attributes.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
    }

    /// A coordinate for SVG: two decimals, no exponent.
    static func coordinate(_ value: Double) -> String {
        value.isFinite ? String(format: "%.2f", value) : "0"
    }
}

/// A number or text the page shows, with where it came from, so that a reader (or a test) can
/// check it against the results file: `data-source` names it (`ShownValue.Source`) and
/// `data-format` how it was printed (a printf format, `int` for an integer with thousands
/// separators, `uint` for a seed, `text`).
struct ShownValue {
    /// What is shown.
    enum Content { case number(Double, format: String), integer(Int), unsigned(UInt64), text(String) }

    let content: Content
    /// The path into the results file (`results[0].runs[1].metrics.ndcg100.mean`), into the
    /// significance file (`significance:pairs[3].tTestPHolm`), a statistic of such paths
    /// (`mean(results[0].runs[*].metrics.ndcg100.mean)`), `metric:KEY` for a metric's name, `axis`
    /// for a chart's gridline label, or `none` for a fixed text of the page.
    let source: String

    /// A number printed with the printf `format`.
    static func number(_ value: Double, _ format: String, source: String) -> ShownValue {
        ShownValue(content: .number(value, format: format), source: source)
    }

    /// An integer printed with thousands separators.
    static func integer(_ value: Int, source: String) -> ShownValue { ShownValue(content: .integer(value), source: source) }

    /// A seed, printed plainly.
    static func seed(_ value: UInt64, source: String) -> ShownValue { ShownValue(content: .unsigned(value), source: source) }

    /// A text shown as it is in the file.
    static func text(_ value: String, source: String) -> ShownValue { ShownValue(content: .text(value), source: source) }

    /// The printed form.
    var printed: String {
        switch content {
        case let .number(value, format): return value.isFinite ? String(format: format, value) : "n/a"
        case let .integer(value): return ResultsTable.groupedInteger(value)
        case let .unsigned(value): return String(value)
        case let .text(value): return value
        }
    }

    /// The `data-format` attribute.
    var format: String {
        switch content {
        case let .number(_, format): return format
        case .integer: return "int"
        case .unsigned: return "uint"
        case .text: return "text"
        }
    }

    /// The marking attributes.
    var attributes: [(String, String)] { [("data-source", source), ("data-format", format)] }

    /// As an HTML span.
    var html: String { XHTML.element("span", [("class", "shown")] + attributes, XHTML.escape(printed)) }

    /// As an SVG `<tspan>`, inside a `<text>`.
    var tspan: String { XHTML.element("tspan", attributes, XHTML.escape(printed)) }

    /// As SVG text at (x, y) with more `attributes`.
    func svg(x: Double, y: Double, _ attributes: [(String, String)] = []) -> String {
        XHTML.element("text", [("x", XHTML.coordinate(x)), ("y", XHTML.coordinate(y))] + attributes + self.attributes,
                      XHTML.escape(printed))
    }
}
