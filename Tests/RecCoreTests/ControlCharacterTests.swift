import Foundation
import Testing
@testable import RecCore

/// Issue 20, finding 7: text from a file reaches the terminal with its control characters escaped.
@Suite struct ControlCharacterTests {
    @Test func escapesC0C1DeleteAndBidirectionalControls() {
        #expect("a\tb\nc\r".escapingControlCharacters == "a\\tb\\nc\\r")
        #expect("\u{1B}[2J\u{7}x\u{7F}\u{9B}".escapingControlCharacters == "\\u{1B}[2J\\u{7}x\\u{7F}\\u{9B}")
        #expect("abc\u{202E}fed\u{2066}".escapingControlCharacters == "abc\\u{202E}fed\\u{2066}")
        #expect("Amélie (2001) \\ ok".escapingControlCharacters == "Amélie (2001) \\ ok")
        #expect("".escapingControlCharacters == "")
    }

    @Test func dataErrorsEscapeTheLineTheyQuote() throws {
        let folder = FixtureFolder()
        let path = folder.write("ratings.dat", "1::2::3::4\n\u{1B}]0;owned\u{7}::2::3::4\n")
        do {
            _ = try Interactions.loadMovieLens(path: path)
            Issue.record("a non-integer id loaded")
        } catch let error as DataError {
            let message = error.description
            #expect(!message.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
            #expect(message.contains("\(path):2:") && message.contains("\\u{1B}]0;owned\\u{7}"))
        }
    }
}
