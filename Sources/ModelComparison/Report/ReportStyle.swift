/// The report's style sheet, inline (the page fetches nothing).
enum ReportStyle {
    static let css = """
    body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; margin: 24px auto; max-width: 1180px; color: #222; }
    h1 { font-size: 22px; margin-bottom: 4px; }
    h2 { font-size: 17px; border-bottom: 1px solid #ccc; padding-bottom: 3px; margin-top: 28px; }
    p.lead { color: #555; margin-top: 0; }
    p.note { color: #555; font-size: 13px; }
    table { border-collapse: collapse; font-size: 13px; }
    th, td { padding: 4px 9px; border-bottom: 1px solid #e4e4e4; text-align: left; vertical-align: top; }
    td.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    tr.best td { font-weight: bold; }
    td.mark { font-weight: bold; color: #0072B2; }
    table.matrix td { text-align: right; font-variant-numeric: tabular-nums; }
    td.significant { background: #fde0d0; }
    td.not-significant { background: #dff0e0; }
    td.diagonal { color: #aaa; text-align: center; }
    div.charts { display: flex; flex-wrap: wrap; gap: 14px; }
    svg { background: #fcfcfc; border: 1px solid #eee; }
    svg text { font-size: 11px; fill: #333; }
    svg text.chart-title { font-size: 13px; font-weight: bold; }
    svg text.tick, svg text.bin-count { font-size: 10px; fill: #666; }
    svg line.grid { stroke: #e6e6e6; stroke-width: 1; }
    svg line.whisker { stroke: #222; stroke-width: 1.3; }
    svg rect.histogram-bar { fill: #56B4E9; }
    """
}
