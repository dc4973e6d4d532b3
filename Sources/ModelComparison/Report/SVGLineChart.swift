/// A line chart in inline SVG: each series a line through its means with a shaded band from its
/// low to its high values (the spread over seeds), gridlines labelled on both axes.
struct SVGLineChart {
    /// One point: x and the mean, lowest and highest y there.
    struct Point { let x: Double, mean: Double, low: Double, high: Double }

    /// One line.
    struct Series {
        /// The legend's text (a model name: escaped when drawn).
        let name: ShownValue
        let color: String
        let points: [Point]
    }

    /// The title, as SVG text markup (escaped, numbers marked); the axis titles as plain text.
    let title: String, xLabel: String, yLabel: String
    let series: [Series]
    var width = 560.0, height = 260.0

    /// The chart as an `<svg>` element.
    func render() -> String {
        let (left, right, top, bottom) = (62.0, width - 12, 26.0, height - 40)
        let points = series.flatMap(\.points)
        let x = SVGScale.linear(points.map(\.x), start: left, end: right, integers: true)   // epochs
        let y = SVGScale.linear(points.flatMap { [$0.low, $0.high, $0.mean] }, start: bottom, end: top)
        var parts = [XHTML.element("text", [("x", "8"), ("y", "16"), ("class", "chart-title")], title)]
        parts += grid(x: x, y: y, left: left, right: right, top: top, bottom: bottom)
        for line in series where !line.points.isEmpty {
            let band = line.points.map { "\(XHTML.coordinate(x.pixel($0.x))),\(XHTML.coordinate(y.pixel($0.high)))" }
                + line.points.reversed().map { "\(XHTML.coordinate(x.pixel($0.x))),\(XHTML.coordinate(y.pixel($0.low)))" }
            parts.append(XHTML.empty("polygon", [("points", band.joined(separator: " ")), ("fill", line.color),
                                                 ("fill-opacity", "0.18"), ("stroke", "none")]))
            let path = line.points.map { "\(XHTML.coordinate(x.pixel($0.x))),\(XHTML.coordinate(y.pixel($0.mean)))" }
            parts.append(XHTML.empty("polyline", [("points", path.joined(separator: " ")), ("fill", "none"),
                                                  ("stroke", line.color), ("stroke-width", "1.6")]))
            if let only = line.points.first, line.points.count == 1 {
                parts.append(XHTML.empty("circle", [("cx", XHTML.coordinate(x.pixel(only.x))), ("cy", XHTML.coordinate(y.pixel(only.mean))),
                                                    ("r", "3.5"), ("fill", line.color)]))
            }
        }
        parts.append(legend(bottom: bottom))
        return XHTML.element("svg", [("xmlns", "http://www.w3.org/2000/svg"), ("width", XHTML.coordinate(width)),
                                     ("height", XHTML.coordinate(height)), ("viewBox", "0 0 \(Int(width)) \(Int(height))"),
                                     ("role", "img")], parts.joined(separator: "\n"))
    }

    /// Gridlines with their labels and the axis titles.
    func grid(x: SVGScale, y: SVGScale, left: Double, right: Double, top: Double, bottom: Double) -> [String] {
        var parts: [String] = []
        for value in y.ticks {
            let pixel = XHTML.coordinate(y.pixel(value))
            parts.append(XHTML.empty("line", [("x1", XHTML.coordinate(left)), ("x2", XHTML.coordinate(right)),
                                              ("y1", pixel), ("y2", pixel), ("class", "grid")]))
            parts.append(y.label(value).svg(x: left - 4, y: y.pixel(value) + 3.5, [("class", "tick"), ("text-anchor", "end")]))
        }
        for value in x.ticks {
            let pixel = x.pixel(value)
            parts.append(XHTML.empty("line", [("x1", XHTML.coordinate(pixel)), ("x2", XHTML.coordinate(pixel)),
                                              ("y1", XHTML.coordinate(top)), ("y2", XHTML.coordinate(bottom)), ("class", "grid")]))
            parts.append(x.label(value).svg(x: pixel, y: bottom + 14, [("class", "tick"), ("text-anchor", "middle")]))
        }
        parts.append(XHTML.element("text", [("x", XHTML.coordinate((left + right) / 2)), ("y", XHTML.coordinate(bottom + 32)),
                                            ("class", "axis-title"), ("text-anchor", "middle")], XHTML.escape(xLabel)))
        parts.append(XHTML.element("text", [("x", "12"), ("y", XHTML.coordinate((top + bottom) / 2)), ("class", "axis-title"),
                                            ("text-anchor", "middle"),
                                            ("transform", "rotate(-90 12 \(XHTML.coordinate((top + bottom) / 2)))")],
                                   XHTML.escape(yLabel)))
        return parts
    }

    /// The series' names, one per line at the bottom right (where rising validation curves are not).
    func legend(bottom: Double) -> String {
        guard series.count > 1 else { return "" }
        return series.enumerated().map { index, line in
            let y = bottom - 6 - Double(series.count - 1 - index) * 14
            return XHTML.empty("rect", [("x", XHTML.coordinate(width - 150)), ("y", XHTML.coordinate(y - 8)), ("width", "10"),
                                        ("height", "10"), ("fill", line.color)])
                + line.name.svg(x: width - 136, y: y, [("class", "legend")])
        }.joined(separator: "\n")
    }
}
