import Foundation
import RecCore

/// The `--report` page: one self-contained XHTML file (inline SVG and CSS, no scripts, nothing
/// fetched) made from a results document alone, with its paired tests when there are any. Every
/// number and every text taken from the files is marked with its source (`ShownValue`).
public struct ReportPage: Sendable {
    /// What the page shows.
    public let document: ResultsDocument
    /// The paired tests (`FILE-significance.json`, or computed by the run), or nil.
    public let significance: PairedSignificance?

    /// The page of `document` and `significance`.
    public init(document: ResultsDocument, significance: PairedSignificance?) {
        (self.document, self.significance) = (document, significance)
    }

    /// The page as XHTML text (also valid HTML).
    public func render() -> String {
        let title: String = "CompareModels report: " + document.task.rawValue
        let sections: [String] = [resultsSection(), curvesSection(), barsSection(), significanceSection(), dataSection(),
                                  settingsSection()]
        let head: String = XHTML.empty("meta", [("charset", "utf-8")]) + XHTML.element("title", [], XHTML.escape(title))
            + XHTML.element("style", [], ReportStyle.css)
        var body: String = "\n" + XHTML.element("h1", [], XHTML.escape(title)) + "\n"
        body += XHTML.element("p", [("class", "lead")], ShownValue.text(document.data, source: "data").html) + "\n"
        body += sections.joined(separator: "\n") + "\n"
        let html: String = XHTML.element("html", [("xmlns", "http://www.w3.org/1999/xhtml"), ("lang", "en")],
                                         "\n" + XHTML.element("head", [], head) + "\n" + XHTML.element("body", [], body) + "\n")
        return "<!DOCTYPE html>\n" + html + "\n"
    }

    /// Writes the page to `path`, replacing it atomically.
    public func write(to path: String) throws {
        do {
            try Data(render().utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ResultsFileError.unwritable(file: path, reason: error.localizedDescription)
        }
    }

    /// The task's metric columns and the one that marks the best model; for a task this program
    /// does not know, every metric key of the runs (larger taken as better).
    var metrics: (all: [MetricDefinition], best: MetricDefinition) {
        if let task = TaskCatalog.standard.tasks.first(where: { $0.name == document.task }) {
            return (task.metrics, task.validationMetric)
        }
        let keys = Set(document.results.flatMap { $0.runs.flatMap { $0.metrics.keys } }).sorted()
        let definitions = keys.map { MetricDefinition(name: $0, key: $0, higherIsBetter: true) }
        return (definitions, definitions.first ?? MetricDefinition(name: "none", key: "none", higherIsBetter: true))
    }

    /// The name of metric `metric`, marked so a reader can tell it from a number.
    func metricName(_ metric: MetricDefinition) -> ShownValue { .text(metric.name, source: "metric:\(metric.key)") }

    /// The `index`-th model's name, marked with its source.
    func modelName(_ index: Int) -> ShownValue { .text(document.results[index].model, source: "results[\(index)].model") }

    /// `<section>` with a heading, an optional note and `content`.
    func section(_ id: String, _ heading: String, note: String? = nil, _ content: String) -> String {
        var inner: String = "\n" + XHTML.element("h2", [], XHTML.escape(heading)) + "\n"
        if let note { inner += XHTML.element("p", [("class", "note")], note) + "\n" }
        inner += content + "\n"
        return XHTML.element("section", [("id", id)], inner)
    }
}
