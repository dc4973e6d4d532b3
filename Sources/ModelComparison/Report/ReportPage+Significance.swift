extension ReportPage {
    /// The paired tests as a matrix of models: above the diagonal the Holm-corrected paired t-test
    /// p-value of the row against the column, below it the Holm-corrected Wilcoxon p-value, one
    /// line per seed; a cell is shaded where every seed's p is below α.
    func significanceSection() -> String {
        guard let significance, !significance.pairs.isEmpty else {
            return section("significance", "Paired significance",
                           note: "No paired tests: fewer than two models, or no FILE-significance.json beside the results file.", "")
        }
        let names = document.results.map(\.model)
        var header = XHTML.element("th", [], "")
        for index in names.indices { header += XHTML.element("th", [], modelName(index).html) }
        var rows = [XHTML.element("tr", [], header)]
        for (row, rowName) in names.enumerated() {
            var cells = XHTML.element("th", [], modelName(row).html)
            for (column, columnName) in names.enumerated() {
                guard row != column else { cells += XHTML.element("td", [("class", "diagonal")], "—"); continue }
                let upper = row < column
                let (first, second) = upper ? (rowName, columnName) : (columnName, rowName)
                let pairs = significance.pairs.enumerated().filter { $0.element.first == first && $0.element.second == second }
                let key = upper ? "tTestPHolm" : "wilcoxonPHolm"
                let lines = pairs.map { index, pair in
                    let p = upper ? pair.tTestPHolm : pair.wilcoxonPHolm
                    let seed = pairs.count > 1 ? "seed " + ShownValue.seed(pair.seed, source: "significance:pairs[\(index)].seed").html + ": " : ""
                    return seed + ShownValue.number(p, "%.3g", source: "significance:pairs[\(index)].\(key)").html
                }
                let allBelow = !pairs.isEmpty && pairs.allSatisfy { (upper ? $0.element.tTestPHolm : $0.element.wilcoxonPHolm) < significance.alpha }
                cells += XHTML.element("td", [("class", allBelow ? "significant" : "not-significant")],
                                       lines.isEmpty ? "n/a" : lines.joined(separator: XHTML.empty("br")))
            }
            rows.append(XHTML.element("tr", [], cells))
        }
        let note = "Per-user " + XHTML.escape(significance.metric.name)
            + ", two-sided, Holm-corrected over each seed's pairs. Above the diagonal: paired t-test; below: Wilcoxon signed-rank. "
            + "Shaded: p &lt; " + ShownValue.number(significance.alpha, "%g", source: "significance:alpha").html
            + " in every seed. Best: " + ShownValue.text(significance.best, source: "significance:best").html + "."
        return section("significance", "Paired significance", note: note,
                       XHTML.element("table", [("class", "matrix")], rows.joined(separator: "\n")))
    }
}
