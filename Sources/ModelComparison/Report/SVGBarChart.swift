/// Horizontal bars in inline SVG, one per model: the bar ends at the mean, a whisker spans the
/// 95 % interval, and the mean and the interval's ends are printed beside it.
struct SVGBarChart {
    /// One bar.
    struct Bar {
        let name: ShownValue
        let color: String
        let interval: MetricInterval
    }

    /// The title, as SVG text markup (escaped, numbers marked).
    let title: String
    let bars: [Bar]
    var width = 560.0

    /// The chart as an `<svg>` element.
    func render() -> String {
        let rowHeight = 26.0, top = 30.0
        let (left, right) = (130.0, width - 170)
        let height = top + rowHeight * Double(bars.count) + 28
        let bottom = height - 28
        let values = bars.flatMap { [$0.interval.lowValue, $0.interval.highValue, $0.interval.meanValue] }
        let x = SVGScale.linear(values, start: left, end: right, includingZero: true)
        var parts = [XHTML.element("text", [("x", "8"), ("y", "16"), ("class", "chart-title")], title)]
        for value in x.ticks {
            let pixel = x.pixel(value)
            parts.append(XHTML.empty("line", [("x1", XHTML.coordinate(pixel)), ("x2", XHTML.coordinate(pixel)),
                                              ("y1", XHTML.coordinate(top - 4)), ("y2", XHTML.coordinate(bottom)), ("class", "grid")]))
            parts.append(x.label(value).svg(x: pixel, y: bottom + 14, [("class", "tick"), ("text-anchor", "middle")]))
        }
        for (index, bar) in bars.enumerated() {
            let middle = top + rowHeight * (Double(index) + 0.5)
            let interval = bar.interval
            parts.append(bar.name.svg(x: left - 6, y: middle + 4, [("class", "bar-name"), ("text-anchor", "end")]))
            let zero = x.pixel(0), end = x.pixel(interval.meanValue)
            parts.append(XHTML.empty("rect", [("x", XHTML.coordinate(min(zero, end))), ("y", XHTML.coordinate(middle - 8)),
                                              ("width", XHTML.coordinate(abs(end - zero))), ("height", "16"),
                                              ("fill", bar.color), ("fill-opacity", "0.8")]))
            if interval.lowValue.isFinite && interval.highValue.isFinite {
                let (low, high) = (x.pixel(interval.lowValue), x.pixel(interval.highValue))
                for (x1, x2, y1, y2) in [(low, high, middle, middle), (low, low, middle - 6, middle + 6), (high, high, middle - 6, middle + 6)] {
                    parts.append(XHTML.empty("line", [("x1", XHTML.coordinate(x1)), ("x2", XHTML.coordinate(x2)),
                                                      ("y1", XHTML.coordinate(y1)), ("y2", XHTML.coordinate(y2)), ("class", "whisker")]))
                }
            }
            let labelX = right + 8
            parts.append(XHTML.element("text", [("x", XHTML.coordinate(labelX)), ("y", XHTML.coordinate(middle + 4)), ("class", "bar-value")],
                                       interval.mean.tspan + " [" + interval.low.tspan + ", " + interval.high.tspan + "]"))
        }
        return XHTML.element("svg", [("xmlns", "http://www.w3.org/2000/svg"), ("width", XHTML.coordinate(width)),
                                     ("height", XHTML.coordinate(height)), ("viewBox", "0 0 \(Int(width)) \(Int(height))"),
                                     ("role", "img")], parts.joined(separator: "\n"))
    }
}
