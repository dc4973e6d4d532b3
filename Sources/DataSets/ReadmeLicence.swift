import Foundation
import RecCore

/// The usage-licence section of a data set's README, read from the user's own downloaded archive
/// (nothing of it is kept in the repository): the text under the first heading that contains
/// "usage license" (or "licence", any case) up to the next heading.
///
/// Headings are those GroupLens's READMEs use: a line underlined by a line of `=` or `-` (3 or
/// more; `ml-100k/README`, `ml-1m/README`, the `README.txt` of ML-20M and later), a Markdown `#`
/// line, or in an HTML README (`ml-10M100K/README.html`) an `<h1>`…`<h6>` element, whose text is
/// first reduced to paragraphs (tags dropped, entities decoded, whitespace collapsed).
public enum ReadmeLicence {
    /// The section's lines (blank lines between paragraphs kept, runs of them made one, long lines
    /// wrapped at `width` columns, control characters escaped), or nil when no such heading is
    /// found or the section under it is empty.
    public static func section(in text: String, html: Bool, width: Int = 78) -> [String]? {
        let blocks = html ? htmlBlocks(text) : textBlocks(text)
        guard let start = blocks.firstIndex(where: { $0.isHeading && isLicenceHeading($0.text) }) else { return nil }
        var lines: [String] = []
        for block in blocks[(start + 1)...] {
            if block.isHeading { break }
            if block.text.trimmingCharacters(in: .whitespaces).isEmpty {
                if let last = lines.last, !last.isEmpty { lines.append("") }
                continue
            }
            lines += wrap(block.text, width: width)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.isEmpty ? nil : lines.map(\.escapingControlCharacters)
    }

    /// Reads `entry` of the archive at `archivePath` (at most 1 MiB, size and CRC-32 checked) and
    /// returns its licence section, or a reason why there is none.
    public static func section(archivePath: String, entry name: String) -> Result<[String], ReadmeLicenceMissing> {
        do {
            let archive = try ZipArchive(path: archivePath)
            guard let entry = archive.entry(named: name) else { return .failure(.init(reason: "the archive holds no \(name)")) }
            let text = String(decoding: try archive.contents(of: entry), as: UTF8.self)
            let html = name.lowercased().hasSuffix(".html") || name.lowercased().hasSuffix(".htm")
            guard let lines = section(in: text, html: html) else {
                return .failure(.init(reason: "\(name) has no \"Usage License\" heading with text under it"))
            }
            return .success(lines)
        } catch {
            return .failure(.init(reason: "\(name) could not be read (\(error))"))
        }
    }

    static func isLicenceHeading(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.contains("usage license") || lower.contains("usage licence")
    }

    /// A heading or one line of body text (an empty text is a paragraph break).
    struct Block: Equatable {
        var isHeading: Bool
        var text: String
    }

    /// Plain text: underlined and `#` headings; every other line as it is (tabs as 4 spaces).
    static func textBlocks(_ text: String) -> [Block] {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\t", with: "    ")
            .split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
        func isUnderline(_ line: String) -> Bool {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.count >= 3 && (trimmed.allSatisfy { $0 == "=" } || trimmed.allSatisfy { $0 == "-" })
        }
        var blocks: [Block] = []
        var index = 0
        while index < lines.count {
            let line = lines[index], trimmed = line.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty, !isUnderline(line), index + 1 < lines.count, isUnderline(lines[index + 1]) {
                blocks.append(Block(isHeading: true, text: trimmed))
                index += 2
                continue
            }
            if trimmed.hasPrefix("#") {
                let title = trimmed.drop { $0 == "#" }
                if title.first == " " {
                    blocks.append(Block(isHeading: true, text: title.trimmingCharacters(in: .whitespaces)))
                    index += 1
                    continue
                }
            }
            blocks.append(Block(isHeading: false, text: trimmed.isEmpty ? "" : String(line.reversed().drop { $0 == " " }.reversed())))
            index += 1
        }
        return blocks
    }

    /// HTML: `<h1>`…`<h6>` are headings; `<p>`, `<br>`, `<div>`, `<li>` (as "* "), table rows and
    /// the like end a paragraph; `<head>`, `<style>` and `<script>` are skipped whole; other tags dropped.
    static func htmlBlocks(_ html: String) -> [Block] {
        var blocks: [Block] = []
        var current = "", inHeading = false, skipping: String?
        func flush() {
            let text = current.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
            let decoded = decodeEntities(text).trimmingCharacters(in: .whitespaces)
            if !decoded.isEmpty {
                if !inHeading, let last = blocks.last, !last.isHeading, !last.text.isEmpty { blocks.append(Block(isHeading: false, text: "")) }
                blocks.append(Block(isHeading: inHeading, text: decoded))
            }
            current = ""
        }
        let breaking: Set<String> = ["p", "br", "div", "li", "ul", "ol", "tr", "table", "pre", "blockquote", "dl", "dt", "dd", "hr", "body", "section"]
        var rest = Substring(html)
        while let open = rest.firstIndex(of: "<") {
            if skipping == nil { current += rest[..<open] }
            guard let close = rest[open...].firstIndex(of: ">") else { rest = rest[rest.endIndex...]; break }
            let tag = rest[rest.index(after: open)..<close]
            rest = rest[rest.index(after: close)...]
            let closing = tag.hasPrefix("/")
            let name = tag.drop { $0 == "/" }.prefix { $0.isLetter || $0.isNumber }.lowercased()
            if let skipped = skipping {
                if closing && name == skipped { skipping = nil }
                continue
            }
            if !closing && ["head", "style", "script"].contains(name) { skipping = name; continue }
            if name.count == 2, name.first == "h", let level = name.last?.wholeNumberValue, (1...6).contains(level) {
                flush()
                inHeading = !closing
            } else if breaking.contains(name) {
                flush()
                if name == "li" && !closing { current = "* " }
            }
        }
        if skipping == nil { current += rest }
        flush()
        return blocks
    }

    /// `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`/`&#39;`, `&nbsp;` and numeric references.
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var output = "", rest = Substring(text)
        let named = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " "]
        while let ampersand = rest.firstIndex(of: "&") {
            output += rest[..<ampersand]
            let after = rest[rest.index(after: ampersand)...]
            if let semicolon = after.prefix(10).firstIndex(of: ";") {
                let name = String(after[..<semicolon])
                var replacement: String?
                if let value = named[name.lowercased()] {
                    replacement = value
                } else if name.hasPrefix("#") {
                    let digits = name.dropFirst()
                    let code = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
                    replacement = code.flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                }
                if let replacement {
                    output += replacement
                    rest = after[after.index(after: semicolon)...]
                    continue
                }
            }
            output += "&"
            rest = after
        }
        return output + rest
    }

    /// `line` cut at spaces into lines of at most `width` columns; continuation lines keep the
    /// first line's indentation, plus two columns after a `* ` or `- ` bullet.
    static func wrap(_ line: String, width: Int) -> [String] {
        guard line.count > width else { return [line] }
        let indentCount = line.prefix { $0 == " " }.count
        let body = line.dropFirst(indentCount)
        let hanging = body.hasPrefix("* ") || body.hasPrefix("- ") ? 2 : 0
        let first = String(repeating: " ", count: indentCount), next = String(repeating: " ", count: indentCount + hanging)
        var lines: [String] = [], current = first
        for word in body.split(separator: " ") {
            let prefix = lines.isEmpty ? first : next
            if current.count > prefix.count && current.count + 1 + word.count > width {
                lines.append(current)
                current = next + word
            } else {
                current += (current.count > prefix.count ? " " : "") + word
            }
        }
        lines.append(current)
        return lines
    }
}

/// Why a README's licence section could not be shown (the one-line summary is shown instead).
public struct ReadmeLicenceMissing: Error, Equatable, CustomStringConvertible {
    public var reason: String
    public init(reason: String) { self.reason = reason }
    public var description: String { reason }
}
