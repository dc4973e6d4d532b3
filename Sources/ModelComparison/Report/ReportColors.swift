/// The colours of the report's charts: one per model, by its place in the results file, from a
/// palette distinguishable in colour-blind vision (Okabe & Ito, 2008).
enum ReportColors {
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

    /// The colour of the `index`-th model.
    static func model(_ index: Int) -> String { palette[index % palette.count] }
}
