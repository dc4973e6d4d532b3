extension ReportPage {
    /// The settings and the machine, each a (name, values) row: what the results file holds.
    /// A field added to the file is one line here.
    func settingRows() -> [(name: String, values: [ShownValue])] {
        let environment = document.environment
        var rows: [(name: String, values: [ShownValue])] = [
            ("task", [.text(document.task.rawValue, source: "task")]),
            ("data", [.text(document.data, source: "data")]),
            ("results file layout", [.integer(document.format, source: "format")]),
        ]
        for (index, result) in document.results.enumerated() {
            let runs = result.runs.indices
            let name = modelName(index).html
            rows.append((name + ": seeds", runs.map { .seed(result.runs[$0].seed, source: "results[\(index)].runs[\($0)].seed") }))
            rows.append((name + ": epochs trained", runs.map { .integer(result.runs[$0].curve.count, source: "count(results[\(index)].runs[\($0)].curve)") }))
            rows.append((name + ": tuned values", [.text("none recorded (paper defaults and --set)", source: "none")]))
        }
        rows += [
            ("CPU", [.text(environment.cpu, source: "environment.cpu")]),
            ("cores", [.integer(environment.cores, source: "environment.cores")]),
            ("operating system", [.text(environment.operatingSystem, source: "environment.operatingSystem")]),
            ("kernel backend", [.text(environment.kernels, source: "environment.kernels")]),
            ("started (UTC)", [.text(environment.started, source: "environment.started")]),
            ("run time, seconds", [.number(environment.seconds, "%.0f", source: "environment.seconds")]),
        ]
        return rows
    }

    /// The settings table.
    func settingsSection() -> String {
        let rows = settingRows().map { row in
            XHTML.element("tr", [], XHTML.element("th", [], row.name)
                          + XHTML.element("td", [], row.values.map(\.html).joined(separator: ", ")))
        }
        return section("settings", "Settings and machine", XHTML.element("table", [("class", "settings")], rows.joined(separator: "\n")))
    }
}
