import RecCore

/// The median stopping rule of a search (Golovin et al., "Google Vizier", KDD 2017, with the best
/// value so far in place of the running mean, since fits keep their best epoch): after epoch e, a
/// trial stops when its best validation value up to e is worse than the median of the best values
/// up to e of the earlier trials that reached e — once at least `minimumTrials` did, and from
/// the grace epoch on: `graceEpochs`, or by default a fifth of the trial's epochs and at least 5
/// (on ML-1M, five epochs of a 100-epoch budget would have stopped Mult-VAE's paper settings:
/// BENCHMARKS §13).
public struct MedianStoppingRule: Sendable, Equatable, CustomStringConvertible {
    /// Earlier trials that must have reached an epoch before it can stop anything.
    public var minimumTrials: Int
    /// The first epoch (from 1) after which a trial may stop; nil: a fifth of its epochs, at least 5.
    public var graceEpochs: Int?

    /// The rule with the given limits.
    public init(minimumTrials: Int = 3, graceEpochs: Int? = nil) {
        (self.minimumTrials, self.graceEpochs) = (minimumTrials, graceEpochs)
    }

    public var description: String {
        "median stopping rule: from " + (graceEpochs.map { "epoch \($0)" } ?? "a fifth of the epochs, at least 5")
            + ", against at least \(minimumTrials) earlier trials"
    }

    /// The first epoch at which a trial of `epochCount` epochs may stop.
    public func grace(epochCount: Int) -> Int {
        graceEpochs ?? max(5, (epochCount + 4) / 5)
    }

    /// Whether the trial of `epochCount` epochs whose validation values so far are `curve` (one per
    /// epoch, nil where not finite) stops now, given the curves of the earlier trials.
    public func shouldStop(_ curve: [Double?], earlier: [[Double?]], higherIsBetter: Bool, epochCount: Int) -> Bool {
        let epoch = curve.count
        guard epoch >= grace(epochCount: epochCount) else { return false }
        let others = earlier.filter { $0.count >= epoch }.map { Self.best(Array($0.prefix(epoch)), higherIsBetter: higherIsBetter) }
        guard others.count >= minimumTrials else { return false }
        let median = Self.median(others, higherIsBetter: higherIsBetter)
        guard let mine = Self.best(curve, higherIsBetter: higherIsBetter) else { return median != nil }
        guard let median else { return false }
        return higherIsBetter ? mine < median : mine > median
    }

    /// The best finite value of `curve`, nil when it has none.
    static func best(_ curve: [Double?], higherIsBetter: Bool) -> Double? {
        let values = curve.compactMap { $0 }
        return higherIsBetter ? values.max() : values.min()
    }

    /// The median of `values`, a trial without a finite value counting as the worst; nil when the
    /// median itself is such a trial.
    static func median(_ values: [Double?], higherIsBetter: Bool) -> Double? {
        let worst = higherIsBetter ? -Double.infinity : Double.infinity
        let middle = Descriptive.median(values.map { $0 ?? worst })
        return middle.isFinite ? middle : nil
    }
}
