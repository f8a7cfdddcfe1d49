import FinRecBase
import FinRecRecords
import FinRecLinear
import FinRecFeatures
import FinRecCatalog
import FinRecModel
import FinRecInference
import FinRecEvaluation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small chart written as inline SVG (no script, no external resource): axes with round
/// ticks, lines, step lines, bars and horizontal bars, reference lines and a legend.
package struct SVGChart {
    enum Kind {
        case line
        /// Dashed line (references such as the diagonal).
        case dashed
        /// Vertical bars centred on x, `width` in x units.
        case bars(width: Double)
        /// Points joined by a line, each marked.
        case markers
    }

    struct Series {
        let name: String
        let color: String
        let kind: Kind
        let points: [(x: Double, y: Double)]
    }

    /// A vertical or horizontal line across the plot, labelled.
    struct Rule {
        let value: Double
        let vertical: Bool
        let label: String
        let color: String
    }

    let id: String
    let title: String
    let xLabel: String
    let yLabel: String
    var x: ClosedRange<Double>
    var y: ClosedRange<Double>
    var series: [Series] = []
    var rules: [Rule] = []
    var note: String?
    /// The legend at the top left (for curves that fill the top right).
    var legendAtLeft = false
    var width = 440.0
    var height = 300.0
    let left = 56.0, right = 16.0, top = 34.0, bottom = 48.0

    init(id: String, title: String, xLabel: String, yLabel: String, x: ClosedRange<Double>, y: ClosedRange<Double>) {
        self.id = id
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.x = x.lowerBound < x.upperBound ? x : (x.lowerBound - 1)...(x.upperBound + 1)
        self.y = y.lowerBound < y.upperBound ? y : (y.lowerBound - 1)...(y.upperBound + 1)
    }

    static let palette = ["#1f5fa8", "#d0571b", "#2e8b57", "#8a3ffc", "#b8860b", "#c71585"]

    /// Round tick values covering `range` (1, 2 or 5 × 10^k apart), about `count` of them.
    static func ticks(_ range: ClosedRange<Double>, count: Int = 5) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return [range.lowerBound] }
        let raw = span / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        var out: [Double] = []
        var t = ceil(range.lowerBound / step) * step
        while t <= range.upperBound + step * 1e-9 {
            out.append(abs(t) < step * 1e-9 ? 0 : t)
            t += step
        }
        return out
    }

    static func format(_ v: Double) -> String {
        let a = abs(v)
        if a >= 100 || a == 0 { return Fixed.format(v, digits: 0) }
        if a >= 1 { return Fixed.format(v, digits: 1) }
        return Fixed.format(v, digits: 2)
    }

    /// Text for HTML and SVG: &, <, > and " escaped.
    package static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    func px(_ v: Double) -> Double { left + (v - x.lowerBound) / (x.upperBound - x.lowerBound) * (width - left - right) }
    func py(_ v: Double) -> Double { height - bottom - (v - y.lowerBound) / (y.upperBound - y.lowerBound) * (height - top - bottom) }
    static func n(_ v: Double) -> String { Fixed.format(v, digits: 1) }

    func render() -> String {
        let e = Self.escape, n = Self.n
        var s = #"<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="\#(e(id))" data-series="\#(series.count)" viewBox="0 0 \#(n(width)) \#(n(height))" width="\#(n(width))" height="\#(n(height))" role="img" aria-label="\#(e(title))">"#
        s += "<title>\(e(title))</title>"
        s += #"<text x="\#(n(left))" y="18" class="chart-title">\#(e(title))</text>"#
        // Grid and ticks.
        for t in Self.ticks(x) {
            s += #"<line x1="\#(n(px(t)))" y1="\#(n(top))" x2="\#(n(px(t)))" y2="\#(n(height - bottom))" class="grid"/>"#
            s += #"<text x="\#(n(px(t)))" y="\#(n(height - bottom + 14))" text-anchor="middle" class="tick">\#(Self.format(t))</text>"#
        }
        for t in Self.ticks(y) {
            s += #"<line x1="\#(n(left))" y1="\#(n(py(t)))" x2="\#(n(width - right))" y2="\#(n(py(t)))" class="grid"/>"#
            s += #"<text x="\#(n(left - 6))" y="\#(n(py(t) + 4))" text-anchor="end" class="tick">\#(Self.format(t))</text>"#
        }
        s += #"<rect x="\#(n(left))" y="\#(n(top))" width="\#(n(width - left - right))" height="\#(n(height - top - bottom))" class="frame"/>"#
        s += #"<text x="\#(n((left + width - right) / 2))" y="\#(n(height - 8))" text-anchor="middle" class="axis">\#(e(xLabel))</text>"#
        s += #"<text transform="translate(14 \#(n((top + height - bottom) / 2))) rotate(-90)" text-anchor="middle" class="axis">\#(e(yLabel))</text>"#
        for (i, series) in series.enumerated() {
            let clipped = series.points.filter { $0.x.isFinite && $0.y.isFinite }
            switch series.kind {
            case .line, .dashed, .markers:
                let d = clipped.map { "\(n(px(min(max($0.x, x.lowerBound), x.upperBound)))),\(n(py(min(max($0.y, y.lowerBound), y.upperBound))))" }.joined(separator: " ")
                let dash = if case .dashed = series.kind { #" stroke-dasharray="5 4""# } else { "" }
                s += #"<polyline class="series" data-name="\#(e(series.name))" points="\#(d)" fill="none" stroke="\#(series.color)" stroke-width="2"\#(dash)/>"#
                if case .markers = series.kind {
                    for p in clipped { s += #"<circle cx="\#(n(px(p.x)))" cy="\#(n(py(p.y)))" r="3" fill="\#(series.color)"/>"# }
                }
            case .bars(let w):
                // Bars of several series side by side within the bar width.
                let bars = self.series.count(where: { if case .bars = $0.kind { true } else { false } })
                let order = self.series[..<i].count(where: { if case .bars = $0.kind { true } else { false } })
                let slot = (px(x.lowerBound + w) - px(x.lowerBound)) / Double(max(bars, 1))
                s += #"<g class="series" data-name="\#(e(series.name))" fill="\#(series.color)">"#
                for p in clipped {
                    let x0 = px(p.x - w / 2) + Double(order) * slot, y0 = py(max(min(p.y, y.upperBound), y.lowerBound)), base = py(max(0, y.lowerBound))
                    s += #"<rect x="\#(n(x0))" y="\#(n(min(y0, base)))" width="\#(n(max(slot - 1, 1)))" height="\#(n(max(abs(base - y0), 0.5)))"/>"#
                }
                s += "</g>"
            }
        }
        for r in rules {
            let (x1, y1, x2, y2) = r.vertical ? (px(r.value), top, px(r.value), height - bottom) : (left, py(r.value), width - right, py(r.value))
            s += #"<line x1="\#(n(x1))" y1="\#(n(y1))" x2="\#(n(x2))" y2="\#(n(y2))" stroke="\#(r.color)" stroke-width="1.5" stroke-dasharray="3 3"/>"#
            // A vertical rule's label sits low in the plot, clear of the legend at the top.
            s += #"<text x="\#(n(r.vertical ? x1 + 4 : x2 - 4))" y="\#(n(r.vertical ? height - bottom - 24 : y1 - 4))" text-anchor="\#(r.vertical ? "start" : "end")" class="rule" fill="\#(r.color)">\#(e(r.label))</text>"#
        }
        // Legend (top right, inside the plot).
        var ly = top + 14
        let lx = legendAtLeft ? left + 8 : width - right - 150
        for series in series where !series.name.isEmpty {
            s += #"<rect x="\#(n(lx))" y="\#(n(ly - 9))" width="10" height="10" fill="\#(series.color)"/>"#
            s += #"<text x="\#(n(lx + 14))" y="\#(n(ly))" class="legend">\#(e(series.name))</text>"#
            ly += 15
        }
        if let note { s += #"<text x="\#(n(width - right - 6))" y="\#(n(height - bottom - 8))" text-anchor="end" class="note">\#(e(note))</text>"# }
        return s + "</svg>"
    }
}

/// Horizontal bars with a label per bar (IV and PSI rankings).
struct SVGBarList {
    let id: String
    let title: String
    let items: [(label: String, value: Double)]
    var rules: [(value: Double, label: String, color: String)] = []
    var color = "#1f5fa8"
    var width = 560.0

    func render() -> String {
        let e = SVGChart.escape, n = SVGChart.n
        let row = 20.0, top = 34.0, labelWidth = 250.0, right = 60.0
        let height = top + row * Double(max(items.count, 1)) + 24
        let top1 = max(items.map(\.value).max() ?? 0, rules.map(\.value).max() ?? 0, 1e-9)
        func px(_ v: Double) -> Double { labelWidth + v / top1 * (width - labelWidth - right) }
        var s = #"<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="\#(e(id))" data-series="1" viewBox="0 0 \#(n(width)) \#(n(height))" width="\#(n(width))" height="\#(n(height))" role="img" aria-label="\#(e(title))">"#
        s += "<title>\(e(title))</title>"
        s += #"<text x="4" y="18" class="chart-title">\#(e(title))</text>"#
        s += #"<g class="series" fill="\#(color)">"#
        for (i, item) in items.enumerated() {
            let y = top + Double(i) * row
            s += #"<text x="\#(n(labelWidth - 6))" y="\#(n(y + 13))" text-anchor="end" class="tick">\#(e(item.label))</text>"#
            s += #"<rect x="\#(n(labelWidth))" y="\#(n(y + 3))" width="\#(n(max(px(max(item.value, 0)) - labelWidth, 0.5)))" height="\#(n(row - 6))"/>"#
            s += #"<text x="\#(n(px(max(item.value, 0)) + 4))" y="\#(n(y + 13))" class="tick">\#(Fixed.exact(item.value, digits: 3))</text>"#
        }
        s += "</g>"
        for r in rules {
            s += #"<line x1="\#(n(px(r.value)))" y1="\#(n(top - 4))" x2="\#(n(px(r.value)))" y2="\#(n(height - 20))" stroke="\#(r.color)" stroke-dasharray="3 3"/>"#
            s += #"<text x="\#(n(px(r.value)))" y="\#(n(height - 6))" text-anchor="middle" class="rule" fill="\#(r.color)">\#(e(r.label))</text>"#
        }
        return s + "</svg>"
    }
}

/// Horizontal intervals, one row each: a bar from `low` to `high` (a 90% interval), a mark at
/// `expected` and, where given, a red tick at `target` — expected successes against a target.
struct SVGIntervalList {
    let id: String
    let title: String
    let items: [(label: String, low: Double, expected: Double, high: Double, target: Double?)]
    var color = "#1f5fa8"
    var width = 640.0
    var legend = "红线 target 目标 · 条 bar 90% 区间 interval · 竖线 mark 预计 expected"
    /// Per item, the text after its bar (default: expected (low–high)).
    var captions: [String]?

    func render() -> String {
        let e = SVGChart.escape, n = SVGChart.n
        let red = "#c62828", grid = "#e5e5e5"
        let row = 26.0, top = 34.0, labelWidth = 230.0, right = 130.0
        let height = top + row * Double(max(items.count, 1)) + 40
        let upper = max(items.map { max($0.high, $0.expected, $0.target ?? 0) }.max() ?? 0, 1) * 1.05
        func px(_ v: Double) -> Double { labelWidth + v / upper * (width - labelWidth - right) }
        var s = #"<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="\#(e(id))" data-series="1" viewBox="0 0 \#(n(width)) \#(n(height))" width="\#(n(width))" height="\#(n(height))" role="img" aria-label="\#(e(title))">"#
        s += "<title>\(e(title))</title>"
        s += #"<text x="4" y="18" class="chart-title">\#(e(title))</text>"#
        let axis = top + row * Double(items.count) + 4
        for t in SVGChart.ticks(0...upper) {
            s += #"<line x1="\#(n(px(t)))" y1="\#(n(top - 4))" x2="\#(n(px(t)))" y2="\#(n(axis))" stroke="\#(grid)"/>"#
            s += #"<text x="\#(n(px(t)))" y="\#(n(axis + 14))" text-anchor="middle" class="tick">\#(Fixed.exact(t, digits: 0))</text>"#
        }
        s += #"<g class="series" fill="\#(color)">"#
        for (i, item) in items.enumerated() {
            let y = top + Double(i) * row
            s += #"<text x="\#(n(labelWidth - 6))" y="\#(n(y + 16))" text-anchor="end" class="tick">\#(e(item.label))</text>"#
            s += #"<rect x="\#(n(px(item.low)))" y="\#(n(y + 7))" width="\#(n(max(px(item.high) - px(item.low), 2)))" height="\#(n(row - 14))" fill-opacity="0.35"/>"#
            s += #"<rect x="\#(n(px(item.expected) - 1.5))" y="\#(n(y + 3))" width="3" height="\#(n(row - 6))"/>"#
            let text = captions?[i] ?? "\(Fixed.exact(item.expected, digits: 1)) (\(Fixed.exact(item.low, digits: 0))–\(Fixed.exact(item.high, digits: 0)))"
            s += #"<text x="\#(n(px(max(item.high, item.target ?? 0)) + 6))" y="\#(n(y + 16))" class="tick">\#(e(text))</text>"#
        }
        s += "</g>"
        for (i, item) in items.enumerated() {
            guard let target = item.target else { continue }
            let y = top + Double(i) * row
            s += #"<line x1="\#(n(px(target)))" y1="\#(n(y + 1))" x2="\#(n(px(target)))" y2="\#(n(y + row - 1))" stroke="\#(red)" stroke-width="2"/>"#
        }
        s += #"<text x="\#(n(labelWidth))" y="\#(n(height - 6))" class="rule" fill="\#(red)">\#(e(legend))</text>"#
        return s + "</svg>"
    }
}
