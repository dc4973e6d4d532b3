extension ReportPage {
    /// Users, items, interactions and density of the training data, and its histograms of
    /// interactions per user and per item (log axes).
    func dataSection() -> String {
        guard let summary = document.dataSummary else {
            return section("data", "Data", note: "This results file holds no data summary (written before it was recorded).", "")
        }
        let facts: [(String, ShownValue)] = [
            ("training users", .integer(summary.users, source: "dataSummary.users")),
            ("items", .integer(summary.items, source: "dataSummary.items")),
            ("interactions", .integer(summary.interactions, source: "dataSummary.interactions")),
            ("density", .number(summary.density, "%.4g", source: "dataSummary.density")),
        ]
        let table = XHTML.element("table", [("class", "facts")], facts.map { name, value in
            XHTML.element("tr", [], XHTML.element("th", [], name) + XHTML.element("td", [("class", "number")], value.html))
        }.joined())
        let charts = [
            SVGHistogram(title: "users by their interactions", xLabel: "interactions per user (bins of powers of two)",
                         bins: summary.interactionsPerUser, source: "dataSummary.interactionsPerUser"),
            SVGHistogram(title: "items by their interactions", xLabel: "interactions per item (bins of powers of two)",
                         bins: summary.interactionsPerItem, source: "dataSummary.interactionsPerItem"),
        ].map { $0.render() }
        return section("data", "Data", note: "The training matrix of the first seed's split; the counts on log axes.",
                       table + "\n" + XHTML.element("div", [("class", "charts")], charts.joined(separator: "\n")))
    }
}
