/// A histogram of power-of-two bins in inline SVG: one bar per bin on a log x axis (each bin
/// equally wide), its height on a log y axis, the bin's range under it and its count above it.
struct SVGHistogram {
    /// The title, as SVG text markup (escaped, numbers marked); the axis titles as plain text.
    let title: String, xLabel: String
    let bins: [HistogramBin]
    /// The path of `bins` in the results file (`dataSummary.interactionsPerUser`).
    let source: String
    var width = 560.0, height = 270.0

    /// The chart as an `<svg>` element.
    func render() -> String {
        let (left, right, top, bottom) = (56.0, width - 10, 38.0, height - 66)
        // From a decade below the smallest count, so a bin of one is a visible bar.
        let y = SVGScale.logarithmic(bins.map { Double($0.count) } + [Double(bins.map(\.count).filter { $0 > 0 }.min() ?? 1) / 2],
                                     start: bottom, end: top)
        var parts = [XHTML.element("text", [("x", "8"), ("y", "16"), ("class", "chart-title")], title)]
        for value in y.ticks {
            let pixel = XHTML.coordinate(y.pixel(value))
            parts.append(XHTML.empty("line", [("x1", XHTML.coordinate(left)), ("x2", XHTML.coordinate(right)),
                                              ("y1", pixel), ("y2", pixel), ("class", "grid")]))
            parts.append(y.label(value).svg(x: left - 4, y: y.pixel(value) + 3.5, [("class", "tick"), ("text-anchor", "end")]))
        }
        // Empty bins below the first non-empty one are left out (a vae_cf split keeps users with 5 clicks or more).
        let first = bins.firstIndex { $0.count > 0 } ?? 0
        let slot = (right - left) / Double(max(1, bins.count - first))
        for (index, bin) in bins.enumerated() where index >= first {
            let x = left + slot * Double(index - first)
            let barTop = bin.count > 0 ? y.pixel(Double(bin.count)) : bottom
            parts.append(XHTML.empty("rect", [("x", XHTML.coordinate(x + 1)), ("y", XHTML.coordinate(barTop)),
                                              ("width", XHTML.coordinate(max(1, slot - 2))),
                                              ("height", XHTML.coordinate(bottom - barTop)), ("class", "histogram-bar")]))
            let path = "\(source)[\(index)]"
            let center = x + slot / 2
            parts.append(ShownValue.integer(bin.count, source: "\(path).count")
                .svg(x: center, y: barTop - 3, [("class", "bin-count"), ("text-anchor", "middle")]))
            let lower = ShownValue.integer(bin.lower, source: "\(path).lower")
            let range = bin.upper == bin.lower ? lower.tspan
                : lower.tspan + "–" + ShownValue.integer(bin.upper, source: "\(path).upper").tspan
            parts.append(XHTML.element("text", [("x", XHTML.coordinate(center)), ("y", XHTML.coordinate(bottom + 13)),
                                                ("class", "tick"), ("text-anchor", "end"),
                                                ("transform", "rotate(-45 \(XHTML.coordinate(center)) \(XHTML.coordinate(bottom + 13)))")],
                                       range))
        }
        parts.append(XHTML.element("text", [("x", XHTML.coordinate((left + right) / 2)), ("y", XHTML.coordinate(height - 4)),
                                            ("class", "axis-title"), ("text-anchor", "middle")], XHTML.escape(xLabel)))
        return XHTML.element("svg", [("xmlns", "http://www.w3.org/2000/svg"), ("width", XHTML.coordinate(width)),
                                     ("height", XHTML.coordinate(height)), ("viewBox", "0 0 \(Int(width)) \(Int(height))"),
                                     ("role", "img")], parts.joined(separator: "\n"))
    }
}
