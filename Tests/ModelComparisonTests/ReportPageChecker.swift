import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import RecCore
@testable import ModelComparison

/// Reads a report page as XML and checks every value it marks (`data-source`, `data-format`)
/// against the results file and its significance twin, recomputing every statistic here, apart
/// from the page's code; and that no digit is shown unmarked outside headings and notes.
final class ReportPageChecker: NSObject, XMLParserDelegate {
    /// One marked value: its source, format and the text shown.
    struct Shown { let source: String, format: String, text: String }

    private struct Frame { let name: String, attributes: [String: String], marked: Bool; var text = "" }
    private var stack: [Frame] = []
    private(set) var shown: [Shown] = []
    /// Unmarked texts with a digit, outside `style`, `h2` and `p class="note"`.
    private(set) var unmarkedDigits: [String] = []
    private(set) var elementCounts: [String: Int] = [:]

    /// Parses `page`; nil with the parser's error when it is not well-formed XML.
    static func parse(_ page: String) -> (ReportPageChecker?, String?) {
        let checker = ReportPageChecker()
        let parser = XMLParser(data: Data(page.utf8))
        parser.delegate = checker
        guard parser.parse() else {
            return (nil, "line \(parser.lineNumber), column \(parser.columnNumber): \(parser.parserError.map { "\($0)" } ?? "?")")
        }
        return (checker, nil)
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elementCounts[name, default: 0] += 1
        stack.append(Frame(name: name, attributes: attributes, marked: attributes["data-source"] != nil))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let index = stack.lastIndex(where: \.marked) { stack[index].text += string; return }
        let exempt = stack.contains { $0.name == "style" || $0.name == "h2" || ($0.name == "p" && $0.attributes["class"] == "note") }
        if !exempt && string.contains(where: \.isNumber) { unmarkedDigits.append(string) }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        guard let frame = stack.popLast() else { return }
        if frame.marked, let source = frame.attributes["data-source"] {
            shown.append(Shown(source: source, format: frame.attributes["data-format"] ?? "", text: frame.text))
        }
    }

    // MARK: checking against the files

    /// Every mismatch between the shown values and `results` (JSON object) and `significance`.
    func mismatches(results: Any, significance: Any?) -> [String] {
        var problems: [String] = []
        for value in shown {
            if let problem = Self.check(value, results: results, significance: significance) { problems.append(problem) }
        }
        return problems
    }

    static func check(_ value: Shown, results: Any, significance: Any?) -> String? {
        let source = value.source
        switch source {
        case "none": return nil
        case "axis": return Double(value.text).map { $0.isFinite ? nil : "axis label \(value.text)" } ?? "axis label '\(value.text)' is not a number"
        default: break
        }
        if source.hasPrefix("metric:") {
            let key = String(source.dropFirst("metric:".count))
            let names = TaskCatalog.standard.tasks.flatMap(\.metrics).filter { $0.key == key }.map(\.name)
            return names.contains(value.text) ? nil : "metric \(key) shown as '\(value.text)'"
        }
        let expected: Any?
        if source.hasPrefix("significance:") {
            guard let significance else { return "\(source) shown without a significance file" }
            expected = resolve(String(source.dropFirst("significance:".count)), in: significance).first
        } else {
            expected = evaluate(source, in: results)
        }
        guard let expected else { return "\(source): no such value in the files" }
        let printed: String
        switch value.format {
        case "text":
            // Control characters, which XML forbids, are shown as U+FFFD.
            let scalars = (expected as? String ?? "\(expected)").unicodeScalars.map { scalar -> Unicode.Scalar in
                let control = (scalar.value < 0x20 && !["\t", "\n", "\r"].contains(scalar)) || (0x7F...0x9F).contains(scalar.value)
                    || (0xFFFE...0xFFFF).contains(scalar.value)
                return control ? "\u{FFFD}" : scalar
            }
            printed = String(String.UnicodeScalarView(scalars))
        case "int":
            guard let number = expected as? NSNumber else { return "\(source): \(expected) is not a number" }
            printed = grouped(number.int64Value)
        case "uint":
            guard let number = expected as? NSNumber else { return "\(source): \(expected) is not a number" }
            printed = "\(number.uint64Value)"
        default:
            if expected is NSNull { printed = "n/a"; break }
            guard let number = expected as? NSNumber else { return "\(source): \(expected) is not a number" }
            printed = String(format: value.format, number.doubleValue)
        }
        return printed == value.text ? nil : "\(source) (\(value.format)): page shows '\(value.text)', the files give '\(printed)'"
    }

    /// `1234567` as `1,234,567`.
    static func grouped(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var result = value < 0 ? "-" : ""
        for (offset, character) in digits.enumerated() {
            if offset > 0 && (digits.count - offset) % 3 == 0 { result += "," }
            result.append(character)
        }
        return result
    }

    /// The 0.975 quantile of Student's t with 1…9 degrees of freedom (scipy.stats.t.ppf).
    static let studentQuantiles: [Double] = [12.706204736174694, 4.302652729749462, 3.1824463052837078, 2.7764451051977934,
                                             2.5705818356363146, 2.4469118511449786, 2.364624251592784, 2.306004135204166,
                                             2.262157162798205]

    /// A source: a path, or `mean|sd|median|count(path)`, or `ci95low|ci95high(results[i].KEY)`.
    static func evaluate(_ source: String, in root: Any) -> Any? {
        guard let open = source.firstIndex(of: "("), source.hasSuffix(")") else { return resolve(source, in: root).first }
        let function = String(source[..<open])
        let argument = String(source[source.index(after: open)..<source.index(before: source.endIndex)])
        if function == "count" { return (resolve(argument, in: root).first as? [Any]).map { NSNumber(value: $0.count) } }
        if function == "ci95low" || function == "ci95high" {
            guard let dot = argument.lastIndex(of: ".") else { return nil }
            let (model, key) = (String(argument[..<dot]), String(argument[argument.index(after: dot)...]))
            let means = resolve("\(model).runs[*].metrics.\(key).mean", in: root).compactMap { ($0 as? NSNumber)?.doubleValue }
            let mean = means.reduce(0, +) / Double(means.count)
            let half: Double
            if means.count == 1 {
                guard let error = (resolve("\(model).runs[0].metrics.\(key).standardError", in: root).first as? NSNumber)?.doubleValue
                else { return NSNull() }
                half = 1.959963984540054 * error
            } else {
                let sd = (means.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(means.count - 1)).squareRoot()
                half = studentQuantiles[means.count - 2] * sd / Double(means.count).squareRoot()
            }
            return NSNumber(value: function == "ci95low" ? mean - half : mean + half)
        }
        let values = resolve(argument, in: root).compactMap { ($0 as? NSNumber)?.doubleValue }
        guard !values.isEmpty else { return nil }
        let mean = values.reduce(0, +) / Double(values.count)
        switch function {
        case "mean": return NSNumber(value: mean)
        case "sd": return NSNumber(value: (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(1, values.count - 1))).squareRoot())
        case "median":
            let sorted = values.sorted()
            return NSNumber(value: sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2)
        default: return nil
        }
    }

    /// Every value `path` (`a.b[0].c`, `[*]` for every element) reaches in `root`.
    static func resolve(_ path: String, in root: Any) -> [Any] {
        var current: [Any] = [root]
        for component in path.split(separator: ".") {
            var name = Substring(component), indices: [String] = []
            while let open = name.lastIndex(of: "["), name.hasSuffix("]") {
                indices.insert(String(name[name.index(after: open)..<name.index(before: name.endIndex)]), at: 0)
                name = name[..<open]
            }
            if !name.isEmpty { current = current.compactMap { ($0 as? [String: Any])?[String(name)] } }
            for index in indices {
                current = current.flatMap { value -> [Any] in
                    guard let array = value as? [Any] else { return [] }
                    if index == "*" { return array }
                    return Int(index).flatMap { array.indices.contains($0) ? [array[$0]] : nil } ?? []
                }
            }
        }
        return current
    }
}
