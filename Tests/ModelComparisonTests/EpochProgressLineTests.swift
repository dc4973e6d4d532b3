import Foundation
import Testing
import NeuralNet
import TestSupport
@testable import ModelComparison

/// The updating line of the running epoch: its text, its throttle (≤ 10 updates a second, by the
/// epoch's own clock) and the program's choice to draw it only when given a terminal.
@Suite struct EpochProgressLineTests {
    static func progress(epoch: Int = 3, batch: Int, seconds: Double) -> BatchProgress {
        BatchProgress(epoch: epoch, epochCount: 15, batch: batch, batchCount: 400, rows: batch * 500, rowCount: 200_000,
                      seconds: seconds)
    }

    @Test func theLineShowsBatchesRateAndETA() {
        // 120 batches of 500 rows in 12 s: 5000 rows/s; 280 batches to go at 0.1 s each: 28 s.
        #expect(EpochProgressLine.text(Self.progress(batch: 120, seconds: 12), label: "mult-vae", unit: "users")
                == "[mult-vae] epoch 3/15  batch 120/400  5000 users/s  ETA 28s")
        #expect(EpochProgressLine.text(Self.progress(batch: 1, seconds: 0), label: "m", unit: "items")
                == "[m] epoch 3/15  batch 1/400  ? items/s  ETA 0s")
    }

    @Test func updatesAreThrottledAndTheLineIsErasedBeforeAPlainLine() {
        var written: [String] = []
        let line = EpochProgressLine(label: "m", write: { written.append($0) })
        line.clear()                                                             // nothing drawn: nothing to erase
        #expect(written.isEmpty)
        for (batch, seconds) in [(1, 0.01), (2, 0.05), (3, 0.10), (4, 0.111), (5, 0.25), (6, 0.30)] {
            line.update(Self.progress(batch: batch, seconds: seconds))
        }
        // Drawn at 0.01 s, 0.111 s (0.1 s later) and 0.25 s; not at 0.05, 0.10 or 0.30.
        #expect(written.map { $0.contains("batch 1/") || $0.contains("batch 4/") || $0.contains("batch 5/") } == [true, true, true])
        #expect(written.allSatisfy { $0.hasPrefix("\r[m] epoch 3/15") && $0.hasSuffix("\u{1B}[K") })
        line.update(Self.progress(epoch: 4, batch: 1, seconds: 0.01))         // a new epoch draws at once
        #expect(written.count == 4 && written[3].contains("epoch 4/15  batch 1/400"))
        line.clear()
        line.clear()
        #expect(written.count == 5 && written[4] == "\r\u{1B}[K")
    }

    @Test func theProgramDrawsTheLineOnlyOnATerminalAndKeepsThePlainLines() throws {
        let data = try ToyData.writeRatingsFile()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let model = CatalogPicks.first(.ranking)
        let arguments = ["--data", data, "--format", "csv", "--epochs", "2", "--heldout-users", "20", "--models", model]
            + CatalogPicks.tiny([model])
        var plain: [String] = [], withTerminal: [String] = [], terminal: [String] = []
        #expect(CompareModelsCommand.main(arguments: arguments, output: { _ in }, log: { plain.append($0) }) == 0)
        #expect(CompareModelsCommand.main(arguments: arguments, output: { _ in }, log: { withTerminal.append($0) },
                                          terminal: { terminal.append($0) }) == 0)
        // The plain lines are the same either way (but for their timings); the terminal gets the
        // drawn lines, each erased before the epoch's line.
        let shape = { (lines: [String]) in lines.map { $0.replacingOccurrences(of: #"[0-9.]+ s|[0-9]+s|ETA .*"#, with: "",
                                                                                    options: .regularExpression) } }
        #expect(shape(plain) == shape(withTerminal))
        #expect(!plain.contains { $0.contains("\r") })
        #expect(terminal.contains { $0.hasPrefix("\r[\(model)] epoch 1/2  batch 1/") && $0.contains("users/s") })
        #expect(terminal.last == "\r\u{1B}[K")
        var quiet: [String] = []
        _ = CompareModelsCommand.main(arguments: arguments + ["--quiet"], output: { _ in }, log: { _ in },
                                      terminal: { quiet.append($0) })
        #expect(quiet.isEmpty)
    }
}
