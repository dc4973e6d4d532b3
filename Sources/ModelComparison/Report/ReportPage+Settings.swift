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
        if let program = document.program {
            rows.append(("program", [.text(program.name, source: "program.name"), .text(program.version, source: "program.version")]))
        }
        if let fingerprint = document.dataFingerprint {
            rows.append(("data fingerprint", [.text(fingerprint.sha256, source: "dataFingerprint.sha256")]))
        }
        for (key, value) in (document.configuration ?? [:]).sorted(by: { $0.key < $1.key }) {
            rows.append(("configuration: " + XHTML.escape(key), Self.shown(value, source: "configuration." + key)))
        }
        for (index, result) in document.results.enumerated() {
            let runs = result.runs.indices
            let name = modelName(index).html
            rows.append((name + ": seeds", runs.map { .seed(result.runs[$0].seed, source: "results[\(index)].runs[\($0)].seed") }))
            rows.append((name + ": epochs trained", runs.map { .integer(result.runs[$0].curve.count, source: "count(results[\(index)].runs[\($0)].curve)") }))
            // One row per tuned key, its value in each seed's run (in the order of the seeds row).
            let tunedKeys = Set(result.runs.flatMap { ($0.tunedSettings ?? [:]).keys }).sorted()
            if tunedKeys.isEmpty {
                rows.append((name + ": tuned values", [.text("none (paper defaults and --set)", source: "none")]))
            }
            for key in tunedKeys {
                rows.append((name + ": tuned " + XHTML.escape(key), runs.map { run in
                    result.runs[run].tunedSettings?[key].map { .text($0, source: "results[\(index)].runs[\(run)].tunedSettings.\(key)") }
                        ?? .text("not tuned", source: "none")
                }))
            }
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

    /// A configuration value as the page shows it: scalars as the file has them, each list element
    /// and each model setting on its own.
    static func shown(_ value: ConfigurationValue, source: String) -> [ShownValue] {
        switch value {
        case .bool(let flag): return [.text(flag ? "true" : "false", source: "none")]
        case .integer(let digits):
            if let number = UInt64(digits) { return [.seed(number, source: source)] }
            return [.text(digits, source: source)]
        case .number(let number): return [.number(number, "%g", source: source)]
        case .string(let text): return [.text(text, source: source)]
        case .list(let items): return items.indices.map { .text(items[$0], source: "\(source)[\($0)]") }
        case .settings(let models):
            return models.sorted { $0.key < $1.key }.flatMap { model, settings in
                settings.sorted { $0.key < $1.key }.flatMap { key, text -> [ShownValue] in
                    [.text(model + "." + key + "=", source: "none"), .text(text, source: "\(source).\(model).\(key)")]
                }
            }
        }
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
