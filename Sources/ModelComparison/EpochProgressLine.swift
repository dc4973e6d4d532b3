import Foundation
import NeuralNet

/// The line that shows, on a terminal, where the running epoch stands: rewritten in place with
/// `\r` (batches done of the epoch's, rows per second, the epoch's ETA) at most once per
/// `minimumInterval` seconds of the epoch, and erased before the epoch's normal line is printed.
/// `CompareModels` makes one only when stderr is a terminal; elsewhere the plain lines stay as they were.
final class EpochProgressLine {
    /// What a line starts with (`[mult-vae]`).
    let label: String
    /// Writes text to the terminal as it is (no newline added).
    let write: (String) -> Void
    /// The shortest time between two updates, in seconds of the epoch.
    let minimumInterval: Double
    /// The epoch and its time when the line was last drawn, or nil when none is on screen.
    private var lastShown: (epoch: Int, seconds: Double)?
    private var onScreen = false

    /// A line for `label`'s training, drawn with `write`, ≤ 1/`minimumInterval` updates per second.
    init(label: String, minimumInterval: Double = 0.1, write: @escaping (String) -> Void) {
        (self.label, self.minimumInterval, self.write) = (label, minimumInterval, write)
    }

    /// Redraws the line for `progress` (its rows called `unit`: `users`, or `items` for an
    /// item-based model), unless the last update of this epoch was under `minimumInterval` ago.
    func update(_ progress: BatchProgress, unit: String = "users") {
        if let lastShown, lastShown.epoch == progress.epoch, progress.seconds - lastShown.seconds < minimumInterval { return }
        lastShown = (progress.epoch, progress.seconds)
        onScreen = true
        write("\r" + Self.text(progress, label: label, unit: unit) + "\u{1B}[K")
    }

    /// Erases the line (before a normal line is printed); does nothing when none is drawn.
    func clear() {
        guard onScreen else { return }
        onScreen = false
        write("\r\u{1B}[K")
    }

    /// `[label] epoch 3/15  batch 120/400  5230 users/s  ETA 12s`.
    static func text(_ progress: BatchProgress, label: String, unit: String) -> String {
        let rate = progress.seconds > 0 ? String(format: "%.0f", Double(progress.rows) / progress.seconds) : "?"
        let remaining = progress.batch > 0
            ? Double(progress.batchCount - progress.batch) * progress.seconds / Double(progress.batch) : .nan
        return "[\(label)] epoch \(progress.epoch)/\(progress.epochCount)  batch \(progress.batch)/\(progress.batchCount)"
            + "  \(rate) \(unit)/s  ETA \(ComparisonRunner.duration(remaining))"
    }
}
