import Foundation
import Testing
import DataSets
import RecCore
import TestSupport

/// The usage-licence section taken from a README: synthetic READMEs in the layouts GroupLens uses
/// (written here, not copied from GroupLens), and where the shared data folder holds them the real
/// `ml-1m/README` and `ml-100k/README` (read from there at test time, never kept in the repository).
@Suite struct ReadmeLicenceTests {
    /// Underlined headings as in `ml-1m/README` (`=`) and the README.txt of later sets (`=`, `-`).
    static let underlined = """
        OVERVIEW
        ========

        A synthetic fixture with three sections.

        USAGE LICENSE
        =============

        Rule one of the fixture
        spans two lines.

        \t* a bullet after a tab


        If in doubt, ask the fixture.

        Citation
        --------

        Not part of the licence.
        """

    @Test func underlinedHeadingsGiveTheSectionUpToTheNextHeading() throws {
        let lines = try #require(ReadmeLicence.section(in: Self.underlined, html: false))
        #expect(lines == ["Rule one of the fixture", "spans two lines.", "", "    * a bullet after a tab", "",
                          "If in doubt, ask the fixture."])
    }

    @Test func headingMatchIgnoresCaseAndSpelling() throws {
        let text = "Summary & Usage Licence\n===\nfirst\nsecond\n\n## Next\nafter\n"
        #expect(ReadmeLicence.section(in: text, html: false) == ["first", "second"])
        let markdown = "# Data\nintro\n## Usage license\n  indented text\n# Citation\ncite\n"
        #expect(ReadmeLicence.section(in: markdown, html: false) == ["  indented text"])
    }

    @Test func noHeadingOrAnEmptySectionIsNil() {
        #expect(ReadmeLicence.section(in: "just text\nno headings\n", html: false) == nil)
        #expect(ReadmeLicence.section(in: "USAGE LICENSE\n=====\n\n\nCITATION\n=====\ncite\n", html: false) == nil)
        #expect(ReadmeLicence.section(in: "LICENSE\n=====\ntext\n", html: false) == nil, "only a usage licence counts")
        #expect(ReadmeLicence.section(in: "", html: true) == nil)
    }

    @Test func longLinesWrapAndControlCharactersAreEscaped() throws {
        let words = (1...30).map { "word\($0)" }.joined(separator: " ")
        let text = "Usage License\n=============\n\(words)\n* \(words)\nbell \u{07} and \u{1B}[2J\n"
        let lines = try #require(ReadmeLicence.section(in: text, html: false, width: 40))
        #expect(lines.allSatisfy { $0.count <= 40 })
        #expect(lines.filter { $0.hasPrefix("  word") }.count >= 2, "a bullet's continuation lines are indented: \(lines)")
        #expect(lines.joined(separator: " ").split(separator: " ").filter { $0.hasPrefix("word") }.count == 60)
        #expect(lines.last == "bell \\u{7} and \\u{1B}[2J")
    }

    /// As `ml-10M100K/README.html`: headings are elements, paragraphs and list items are blocks.
    @Test func htmlHeadingsParagraphsAndEntities() throws {
        let html = """
            <html><head><title>Usage License in the title</title><style>h2 { color: red }</style></head>
            <body><h1>Fixture</h1><p>Summary of
            the fixture.</p>
            <h2 id="license"><a name="license">Usage   License</a></h2>
            <p>You &amp; the fixture: rules
               &lt;one&gt; &#38; &#x41;.</p>
            <ul><li>first item</li><li>second <em>item</em></li></ul>
            <p>Contact <a href="mailto:x@example.org">x@example.org</a>.</p>
            <h2>Citation</h2><p>Not part of it.</p></body></html>
            """
        let lines = try #require(ReadmeLicence.section(in: html, html: true))
        #expect(lines == ["You & the fixture: rules <one> & A.", "", "* first item", "", "* second item", "",
                          "Contact x@example.org."])
        #expect(ReadmeLicence.section(in: "<h2>Usage License</h2>", html: true) == nil)
        #expect(ReadmeLicence.section(in: "<h3>Usage License</h3><p>unclosed &amp <b", html: true) == ["unclosed &amp"])
    }

    /// A README entry read from an archive: found, absent, too large.
    @Test func readFromTheArchive() throws {
        let folder = (NSTemporaryDirectory() as NSString).appendingPathComponent("ReadmeLicenceTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = (folder as NSString).appendingPathComponent("fixture.zip")
        let big = "Usage License\n=============\n" + String(repeating: "x", count: (1 << 20) + 1) + "\n"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(FixtureZip.archive(
            ["ml-1m/README": Self.underlined, "ml-1m/big.txt": big, "ml-1m/ratings.dat": "1::1::5::0\n"]))))
        #expect(try ReadmeLicence.section(archivePath: path, entry: "ml-1m/README").get().first == "Rule one of the fixture")
        #expect(throws: ReadmeLicenceMissing(reason: "the archive holds no ml-1m/README.txt")) {
            try ReadmeLicence.section(archivePath: path, entry: "ml-1m/README.txt").get()
        }
        func reason(_ entry: String) -> String? {
            if case let .failure(missing) = ReadmeLicence.section(archivePath: path, entry: entry) { return missing.reason }
            return nil
        }
        #expect(reason("ml-1m/big.txt")?.contains("over the 1048576-byte limit for a text entry") == true, "\(reason("ml-1m/big.txt") ?? "")")
        #expect(reason("ml-1m/ratings.dat") == "ml-1m/ratings.dat has no \"Usage License\" heading with text under it")
    }

    // MARK: the real READMEs of the shared data folder

    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }   // Tests/DataSetsTests/<file> → root
        return url.path
    }()

    /// The text of `relative` (a `.gz` file) in the shared data folder, or nil with the reason printed.
    static func sharedText(_ relative: String) -> String? {
        guard let folder = RecCore.dataDirectory(packageRoot: packageRoot) else {
            print("README test skipped: no data folder (set \(RecCore.dataDirectoryVariable) or provide ../shared/data)")
            return nil
        }
        let path = (folder as NSString).appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: path), FileManager.default.isExecutableFile(atPath: "/usr/bin/gzip") else {
            print("README test skipped: \(path) or /usr/bin/gzip is absent")
            return nil
        }
        let process = Process(), pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
        process.arguments = ["-dc", path]
        process.standardOutput = pipe
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }

    /// GroupLens's own READMEs (as the shared folder holds them, gzipped) give a section: its lines
    /// are a run of the README's lines, it starts after the licence heading's underline and stops
    /// before the next underlined heading.
    @Test(.enabled(if: sharedText("ml-1m/README.gz") != nil && sharedText("ml-100k/README.gz") != nil,
                   "needs ../shared/data/ml-1m/README.gz and ml-100k/README.gz"))
    func realReadmesGiveTheirLicenceSection() throws {
        for relative in ["ml-1m/README.gz", "ml-100k/README.gz"] {
            let text = try #require(Self.sharedText(relative))
            let lines = try #require(ReadmeLicence.section(in: text, html: false), "\(relative)")
            let original = text.replacingOccurrences(of: "\t", with: "    ").split(separator: "\n", omittingEmptySubsequences: false)
                .map { String($0.reversed().drop { $0 == " " }.reversed()) }
            let heading = try #require(original.firstIndex { $0.uppercased().contains("USAGE LICENSE") }, "\(relative)")
            let next = try #require(original[(heading + 2)...].indices.first { index in
                index + 1 < original.count && original[index + 1].hasPrefix("===") && !original[index].isEmpty
            }, "\(relative)")
            let body = original[(heading + 2)..<next].drop { $0.isEmpty }
            var expected = Array(body)
            while expected.last?.isEmpty == true { expected.removeLast() }
            #expect(lines == expected, "\(relative)")
            #expect(lines.count >= 15, "\(relative): \(lines.count) lines")
            print("\(relative): licence section of \(lines.count) lines, from README line \(heading + 3) to \(next)")
        }
    }
}
