extension ReportPage {
    /// The validation metric of every model in one chart, and each model's training loss in its
    /// own (losses of different models are on different scales): means over seeds, bands from the
    /// lowest to the highest seed.
    func curvesSection() -> String {
        let validationMetric = metrics.best
        let validation = document.results.indices.compactMap { index -> SVGLineChart.Series? in
            let points = LearningCurve.validation(document.results[index])
            return points.isEmpty ? nil : SVGLineChart.Series(name: modelName(index), color: ReportColors.model(index), points: points)
        }
        var charts: [String] = []
        if !validation.isEmpty {
            charts.append(SVGLineChart(title: "validation " + metricName(validationMetric).tspan + " per epoch", xLabel: "epoch",
                                       yLabel: "validation", series: validation).render())
        }
        for index in document.results.indices {
            let points = LearningCurve.loss(document.results[index])
            guard points.count > 1 else { continue }
            let series = SVGLineChart.Series(name: modelName(index), color: ReportColors.model(index), points: points)
            charts.append(SVGLineChart(title: modelName(index).tspan + " training loss", xLabel: "epoch", yLabel: "loss",
                                       series: [series], width: 370, height: 220).render())
        }
        let closedForm = document.results.indices.filter { LearningCurve.loss(document.results[$0]).count < 2 }
        var note = "Mean over seeds, band from the lowest to the highest seed; a model with one epoch is a dot."
        if !closedForm.isEmpty {
            note += " No loss curve (fitted in closed form, one epoch, or a file without curves): "
                + closedForm.map { modelName($0).html }.joined(separator: ", ") + "."
        }
        return section("curves", "Learning curves", note: note,
                       charts.isEmpty ? "" : XHTML.element("div", [("class", "charts")], charts.joined(separator: "\n")))
    }
}
