// Plot.swift — line and scatter plots as hand-written SVG (no dependency): several series,
// linear or log axes with readable tick labels, axis titles, a legend and a title.
//
//     var plot = Plot(title: "Training loss", xLabel: "step", yLabel: "loss", yScale: .log)
//     plot.add(Plot.Series("torch/Adam", x: steps, y: losses))
//     plot.add(Plot.Series("trials", x: lrs, y: accs, style: .points))
//     plot.reference(y: 0.95, label: "target")
//     try plot.write(to: "results/loss.svg")          // whole, or not at all
//
// The output is valid XML (tests read it with Foundation's XMLParser). Every series is a
// `<g class="series" data-name="…">` holding its `<polyline class="curve">` pieces and/or
// `<circle class="point">` markers, in data order, in pixel coordinates given by `Plot.Frame`
// (`frame.px(x)`, `frame.py(y)`, rounded to 0.01 px). Points that cannot be drawn — NaN, ±∞, or
// ≤ 0 on a log axis — are left out, and a line is broken there (a gap, never a made-up value).
import DescentCore
import Foundation

public struct Plot: Sendable {
    public enum Scale: String, Sendable { case linear, log }

    public enum Style: String, Sendable {
        /// Straight segments between consecutive points.
        case line
        /// Markers only (a scatter plot).
        case points
        /// Segments and markers.
        case linePoints
        /// A staircase: the value holds until the next x (best-so-far curves).
        case step
    }

    public struct Series: Sendable {
        public var name: String
        public var x: [Double]
        public var y: [Double]
        public var style: Style
        /// A CSS colour; nil takes the next colour of `Plot.palette`.
        public var color: String?
        public var dashed: Bool
        /// Draw the raw values faint and, over them, their exponential moving average with this
        /// weight on the past (0.9: TensorBoard's smoothing, debiased like Adam's moments); a
        /// NaN is skipped. nil draws the values themselves.
        public var smoothing: Double?

        public init(_ name: String, x: [Double], y: [Double], style: Style = .line, color: String? = nil, dashed: Bool = false) {
            precondition(x.count == y.count, "Plot.Series \(name): \(x.count) x values, \(y.count) y values")
            self.name = name
            self.x = x
            self.y = y
            self.style = style
            self.color = color
            self.dashed = dashed
        }

        /// y against 0, 1, 2, … (or `start`, `start+1`, …).
        public init(_ name: String, y: [Double], start: Double = 0, style: Style = .line, color: String? = nil) {
            self.init(name, x: y.indices.map { start + Double($0) }, y: y, style: style, color: color)
        }
    }

    /// A horizontal line across the plot (a target, a bound), drawn dashed and grey.
    public struct Reference: Sendable {
        public var y: Double
        public var label: String
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var xScale: Scale
    public var yScale: Scale
    public var series: [Series] = []
    public var references: [Reference] = []
    /// Axis ranges; nil fits the data (and the reference lines) with a small margin.
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?
    public var width: Double = 720
    public var height: Double = 440
    /// Show the legend (only when there is at least one named series).
    public var legend: Bool = true
    /// Where the legend goes: nil = inside the plot area, in the first corner no curve, mark or
    /// reference line crosses, when every name is at most 32 characters; else, or when every
    /// corner has data, below the plot (the picture grows by one line per series). true: below.
    public var legendOutside: Bool?
    package var legendBelow: Bool { legendOutside ?? (series.map(\.name.count).max() ?? 0 > 32) }
    /// A categorical x axis: series give x as the index of a category (0, 1, …); the axis shows
    /// the names, with half a category of room on each side, and several series' marks at one
    /// category are set side by side.
    public var xCategories: [String]?
    /// What the marks at the edge of a given `yRange` mean (values beyond it, e.g. a diverged
    /// run): shown above the plot area when any value lies beyond the range.
    public var beyondNote = "▲ / ▼ beyond the axis"
    /// Points drawn over everything, ringed and labelled (the best trial).
    public var highlights: [(x: Double, y: Double, label: String)] = []

    /// Ten distinguishable colours (the Tableau 10 palette).
    public static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    public init(title: String, xLabel: String, yLabel: String, xScale: Scale = .linear, yScale: Scale = .linear,
                xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xScale = xScale
        self.yScale = yScale
        self.xRange = xRange
        self.yRange = yRange
    }

    public mutating func add(_ s: Series) { series.append(s) }
    public mutating func reference(y: Double, label: String) { references.append(Reference(y: y, label: label)) }

    // MARK: Geometry

    /// The plot area and the data → pixel maps.
    public struct Frame: Sendable {
        public var left: Double, top: Double, right: Double, bottom: Double
        public var xAxis: Axis, yAxis: Axis
        /// Pixel x of a data x (unrounded).
        public func px(_ x: Double) -> Double { left + xAxis.fraction(x) * (right - left) }
        /// Pixel y of a data y (unrounded; up is smaller).
        public func py(_ y: Double) -> Double { bottom - yAxis.fraction(y) * (bottom - top) }
    }

    /// One axis: its scale, range (in data units) and ticks.
    public struct Axis: Sendable {
        public var scale: Scale
        public var lower: Double, upper: Double
        public var ticks: [(value: Double, label: String)]

        /// Position of `v` in [lower, upper] as a fraction (may fall outside 0…1).
        public func fraction(_ v: Double) -> Double {
            switch scale {
            case .linear: return (v - lower) / (upper - lower)
            case .log: return (log10(v) - log10(lower)) / (log10(upper) - log10(lower))
            }
        }

        /// Whether `v` can be placed on this axis.
        public func drawable(_ v: Double) -> Bool { v.isFinite && (scale == .linear || v > 0) }
    }

    /// The axes the data call for (ranges fitted unless given, ticks chosen) and the plot area.
    public func frame() -> Frame {
        let left = 78.0, right = width - 24, top = title.isEmpty ? 24.0 : 48.0, bottom = height - 58
        let xs = series.flatMap(\.x) + highlights.map(\.x), ys = series.flatMap(\.y) + references.map(\.y) + highlights.map(\.y)
        if let cats = xCategories {
            let x = Axis(scale: .linear, lower: -0.5, upper: Double(max(cats.count, 1)) - 0.5,
                         ticks: cats.enumerated().map { (Double($0.offset), $0.element) })
            let y = Plot.axis(values: ys, scale: yScale, given: yRange, pad: true)
            return Frame(left: left, top: top, right: right, bottom: bottom, xAxis: x, yAxis: y)
        }
        // Marks at the extremes of the data stay whole inside the frame.
        let marks = series.contains { $0.style == .points || $0.style == .linePoints } || !highlights.isEmpty
        let x = Plot.axis(values: xs, scale: xScale, given: xRange, pad: marks)
        let y = Plot.axis(values: ys, scale: yScale, given: yRange, pad: true)
        return Frame(left: left, top: top, right: right, bottom: bottom, xAxis: x, yAxis: y)
    }

    package static func axis(values: [Double], scale: Scale, given: ClosedRange<Double>?, pad: Bool) -> Axis {
        var lo: Double, hi: Double
        if let given {
            lo = given.lowerBound; hi = given.upperBound
        } else {
            let v = values.filter { $0.isFinite && (scale == .linear || $0 > 0) }
            lo = v.min() ?? (scale == .log ? 0.1 : 0)
            hi = v.max() ?? (scale == .log ? 10 : 1)
        }
        if scale == .log {
            if !(lo > 0) { lo = hi > 0 ? hi / 10 : 0.1 }
            if !(hi > lo) { lo /= 2; hi = max(hi, lo) * 4 }
            if given == nil, pad {
                let span = log10(hi) - log10(lo)
                lo = pow(10, log10(lo) - 0.04 * span); hi = pow(10, log10(hi) + 0.04 * span)
            }
            return Axis(scale: .log, lower: lo, upper: hi, ticks: logTicks(lo, hi))
        }
        if !(hi > lo) { let c = lo; lo = c - (c == 0 ? 1 : abs(c) * 0.5); hi = c + (c == 0 ? 1 : abs(c) * 0.5) }
        if given == nil, pad { let span = hi - lo; lo -= 0.04 * span; hi += 0.04 * span }
        return Axis(scale: .linear, lower: lo, upper: hi, ticks: linearTicks(lo, hi))
    }

    /// Ticks at 1, 2 or 5 × 10ᵏ steps, about 4–8 of them, labelled with just enough decimals.
    package static func linearTicks(_ lo: Double, _ hi: Double) -> [(value: Double, label: String)] {
        let raw = (hi - lo) / 6
        let mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        let decimals = max(0, -Int(floor(log10(step) + 1e-9)))
        var ticks: [(Double, String)] = []
        var k = ceil(lo / step - 1e-9)
        while k * step <= hi + step * 1e-9 {
            let v = k * step
            ticks.append((v, label(v == 0 ? 0 : v, decimals: decimals, step: step)))
            k += 1
        }
        return ticks
    }

    /// Ticks at powers of ten (every one, or every 2nd, 3rd… when there are many); within a
    /// range of under two decades, also at 2× and 5×.
    package static func logTicks(_ lo: Double, _ hi: Double) -> [(value: Double, label: String)] {
        let a = Int(floor(log10(lo) + 1e-9)), b = Int(ceil(log10(hi) - 1e-9))
        let decades = b - a
        var ticks: [(Double, String)] = []
        if log10(hi / lo) <= 2.5 {
            for e in a...b {
                for m in [1.0, 2, 5] {
                    let v = m * pow(10, Double(e))
                    if v >= lo * (1 - 1e-9), v <= hi * (1 + 1e-9) { ticks.append((v, logLabel(m, e))) }
                }
            }
        } else {
            // Every decade (every 2nd, 3rd… beyond 12), all in one notation: plain numbers when
            // every tick is within 1e-3…1e4, else mantissa-e-exponent for all.
            let every = max(1, Int((Double(decades) / 12).rounded(.up)))
            let shown = (a...b).filter { e in
                let v = pow(10, Double(e))
                return (e - a) % every == 0 && v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)
            }
            let plain = shown.allSatisfy { $0 >= -3 && $0 <= 4 }
            for e in shown { ticks.append((pow(10, Double(e)), plain ? logLabel(1, e) : "1e\(e)")) }
        }
        return ticks
    }

    package static func logLabel(_ m: Double, _ e: Int) -> String {
        let v = m * pow(10, Double(e))
        if e >= -3, e <= 4 { return label(v, decimals: max(0, -e), step: pow(10, Double(e))) }
        return (m == 1 ? "" : "\(Int(m))×") + "1e\(e)"
    }

    /// A tick label: plain decimals in 1e-3…1e5, else mantissa-e-exponent.
    package static func label(_ v: Double, decimals: Int, step: Double) -> String {
        if v == 0 { return decimals <= 4 ? String(format: "%.\(decimals)f", 0.0) : "0" }
        let a = abs(v)
        if a >= 1e-3, a < 1e5, decimals <= 4 { return String(format: "%.\(decimals)f", v) }
        let e = Int(floor(log10(a)))
        let m = v / pow(10, Double(e))
        let sig = max(0, Int(floor(log10(a) + 1e-9)) - Int(floor(log10(step) + 1e-9)))
        var ms = String(format: "%.\(min(sig, 3))f", m)
        if ms.contains(".") { while ms.hasSuffix("0") { ms.removeLast() }; if ms.hasSuffix(".") { ms.removeLast() } }
        return "\(ms)e\(e)"
    }

    // MARK: SVG

    /// Escapes text for XML content and attribute values.
    public static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                // Control characters other than tab/newline are not allowed in XML 1.0.
                if let a = c.asciiValue, a < 0x20, a != 0x09, a != 0x0A, a != 0x0D { out += " " } else { out.append(c) }
            }
        }
        return out
    }

    /// A pixel coordinate as written (0.01 px).
    public static func coordinate(_ v: Double) -> String {
        let r = (v * 100).rounded() / 100
        var s = String(format: "%.2f", r == 0 ? 0 : r)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    /// The whole SVG document.
    public func svg() -> String {
        let f = frame()
        let c = Plot.coordinate
        let namedCount = series.filter { !$0.name.isEmpty }.count
        let placement = legendPlacement(f)   // (samples every curve: computed once)
        let total = height + (legend && namedCount > 0 && placement.below ? 14 + 18 * Double(namedCount) : 0)
        var o = """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(c(width))" height="\(c(total))" viewBox="0 0 \(c(width)) \(c(total))" font-family="Helvetica, Arial, sans-serif" font-size="12">

        """
        o += "<title>\(Plot.escape(title))</title>\n"
        o += "<rect class=\"background\" x=\"0\" y=\"0\" width=\"\(c(width))\" height=\"\(c(total))\" fill=\"white\"/>\n"
        o += "<defs><clipPath id=\"plot-area\"><rect x=\"\(c(f.left))\" y=\"\(c(f.top))\" width=\"\(c(f.right - f.left))\" height=\"\(c(f.bottom - f.top))\"/></clipPath></defs>\n"
        if !title.isEmpty {
            o += "<text class=\"title\" x=\"\(c((f.left + f.right) / 2))\" y=\"28\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">\(Plot.escape(title))</text>\n"
        }
        // Grid and ticks.
        o += "<g class=\"x-axis\" data-scale=\"\(xScale.rawValue)\">\n"
        for t in f.xAxis.ticks {
            let x = c(f.px(t.value))
            o += "<line class=\"grid\" x1=\"\(x)\" y1=\"\(c(f.top))\" x2=\"\(x)\" y2=\"\(c(f.bottom))\" stroke=\"#e6e6e6\"/>"
            o += "<line x1=\"\(x)\" y1=\"\(c(f.bottom))\" x2=\"\(x)\" y2=\"\(c(f.bottom + 5))\" stroke=\"#333\"/>"
            o += "<text class=\"tick\" data-value=\"\(t.value)\" x=\"\(x)\" y=\"\(c(f.bottom + 19))\" text-anchor=\"middle\">\(Plot.escape(t.label))</text>\n"
        }
        o += "<text class=\"axis-title\" x=\"\(c((f.left + f.right) / 2))\" y=\"\(c(height - 14))\" text-anchor=\"middle\" font-size=\"13\">\(Plot.escape(xLabel))</text>\n"
        o += "</g>\n<g class=\"y-axis\" data-scale=\"\(yScale.rawValue)\">\n"
        for t in f.yAxis.ticks {
            let y = c(f.py(t.value))
            o += "<line class=\"grid\" x1=\"\(c(f.left))\" y1=\"\(y)\" x2=\"\(c(f.right))\" y2=\"\(y)\" stroke=\"#e6e6e6\"/>"
            o += "<line x1=\"\(c(f.left - 5))\" y1=\"\(y)\" x2=\"\(c(f.left))\" y2=\"\(y)\" stroke=\"#333\"/>"
            o += "<text class=\"tick\" data-value=\"\(t.value)\" x=\"\(c(f.left - 8))\" y=\"\(y)\" dy=\"0.35em\" text-anchor=\"end\">\(Plot.escape(t.label))</text>\n"
        }
        let midY = c((f.top + f.bottom) / 2)
        o += "<text class=\"axis-title\" x=\"18\" y=\"\(midY)\" transform=\"rotate(-90 18 \(midY))\" text-anchor=\"middle\" font-size=\"13\">\(Plot.escape(yLabel))</text>\n"
        o += "</g>\n"
        o += "<rect class=\"frame\" x=\"\(c(f.left))\" y=\"\(c(f.top))\" width=\"\(c(f.right - f.left))\" height=\"\(c(f.bottom - f.top))\" fill=\"none\" stroke=\"#333\"/>\n"

        for r in references where f.yAxis.drawable(r.y) {
            let y = c(f.py(r.y))
            o += "<g class=\"reference\" data-name=\"\(Plot.escape(r.label))\" clip-path=\"url(#plot-area)\"><line x1=\"\(c(f.left))\" y1=\"\(y)\" x2=\"\(c(f.right))\" y2=\"\(y)\" stroke=\"#888\" stroke-dasharray=\"5 4\"/>"
            o += "<text x=\"\(c(f.left + 6))\" y=\"\(c(f.py(r.y) - 4))\" fill=\"#555\" font-size=\"11\">\(Plot.escape(r.label))</text></g>\n"
        }

        // The series.
        let markSeries = series.indices.filter { series[$0].style == .points || series[$0].style == .linePoints }
        var beyond = 0
        for (i, s) in series.enumerated() {
            let color = s.color ?? Plot.palette[i % Plot.palette.count]
            // On a categorical axis, several series' marks at one category sit side by side.
            let shift = xCategories != nil && markSeries.count > 1
                ? (Double(markSeries.firstIndex(of: i) ?? 0) - Double(markSeries.count - 1) / 2) * 14 : 0
            o += "<g class=\"series\" data-name=\"\(Plot.escape(s.name))\" data-style=\"\(s.style.rawValue)\" clip-path=\"url(#plot-area)\">\n"
            if s.style != .points {
                if s.smoothing != nil {
                    for piece in pieces(s, f, smoothed: false) where piece.count >= 2 {
                        let pts = piece.map { "\(c($0.0)),\(c($0.1))" }.joined(separator: " ")
                        o += "<polyline class=\"raw\" points=\"\(pts)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1\" stroke-opacity=\"0.22\"/>\n"
                    }
                }
                // A curve identical to an earlier one is drawn dashed over it, so both show.
                let twin = series[..<i].contains { $0.x == s.x && $0.y == s.y && $0.smoothing == s.smoothing }
                for piece in pieces(s, f) where piece.count >= 2 || (piece.count == 1 && s.style == .line) {
                    let pts = piece.map { "\(c($0.0)),\(c($0.1))" }.joined(separator: " ")
                    o += "<polyline class=\"curve\" points=\"\(pts)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.8\" stroke-linejoin=\"round\""
                    o += (s.dashed ? " stroke-dasharray=\"6 4\"" : twin ? " stroke-dasharray=\"7 7\"" : "") + "/>\n"
                }
            }
            let ys = s.smoothing.map { Plot.smoothed(s.y, $0) } ?? s.y
            for (x, y) in zip(s.x, ys) where f.xAxis.drawable(x) && f.yAxis.drawable(y) {
                // A value beyond a given y range: a triangle at that edge.
                let frac = f.yAxis.fraction(y)
                if yRange != nil, frac > 1 || frac < 0 {
                    beyond += 1
                    let px = f.px(x) + shift, up = frac > 1, ey = up ? f.top + 1 : f.bottom - 1
                    let tip = ey, base = up ? ey + 8 : ey - 8
                    o += "<path class=\"beyond\" d=\"M\(c(px)) \(c(tip)) L\(c(px - 5)) \(c(base)) L\(c(px + 5)) \(c(base)) Z\" fill=\"\(color)\"/>\n"
                    continue
                }
                if s.style == .points || s.style == .linePoints {
                    o += "<circle class=\"point\" cx=\"\(c(f.px(x) + shift))\" cy=\"\(c(f.py(y)))\" r=\"3.5\" fill=\"\(color)\" fill-opacity=\"0.85\"/>\n"
                }
            }
            o += "</g>\n"
        }
        if beyond > 0 {
            o += "<text class=\"beyond-note\" x=\"\(c(f.left))\" y=\"\(c(f.top - 5))\" fill=\"#555\" font-size=\"11\">\(Plot.escape(beyondNote))</text>\n"
        }
        for h in highlights where f.xAxis.drawable(h.x) && f.yAxis.drawable(h.y) {
            let (hx, hy) = (f.px(h.x), f.py(h.y))
            o += "<g class=\"highlight\" data-name=\"\(Plot.escape(h.label))\"><circle cx=\"\(c(hx))\" cy=\"\(c(hy))\" r=\"7\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\"/>"
            let right = hx > (f.left + f.right) / 2
            o += "<text x=\"\(c(hx + (right ? -10 : 10)))\" y=\"\(c(hy - 10))\" text-anchor=\"\(right ? "end" : "start")\" fill=\"#d62728\" font-size=\"11\" font-weight=\"bold\">\(Plot.escape(h.label))</text></g>\n"
        }

        // Legend: inside the plot area in a corner no curve or mark passes through, else below
        // the plot (also when the names are long).
        let named = series.enumerated().filter { !$0.element.name.isEmpty }
        if legend, !named.isEmpty {
            let (below, w, h) = (placement.below, placement.width, placement.height)
            let x0 = below ? 8 : placement.x, y0 = below ? height + 2 : placement.y
            o += "<g class=\"legend\">\n<rect x=\"\(c(x0))\" y=\"\(c(y0))\" width=\"\(c(w))\" height=\"\(c(h))\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#bbb\"/>\n"
            for (row, (i, s)) in named.enumerated() {
                let color = s.color ?? Plot.palette[i % Plot.palette.count]
                let y = y0 + 13 + 18 * Double(row)
                if s.style == .points {
                    o += "<circle cx=\"\(c(x0 + 19))\" cy=\"\(c(y))\" r=\"3.5\" fill=\"\(color)\"/>"
                } else {
                    let twin = series[..<i].contains { $0.x == s.x && $0.y == s.y && $0.smoothing == s.smoothing }
                    o += "<line x1=\"\(c(x0 + 8))\" y1=\"\(c(y))\" x2=\"\(c(x0 + 30))\" y2=\"\(c(y))\" stroke=\"\(color)\" stroke-width=\"2.2\""
                    o += (s.dashed ? " stroke-dasharray=\"6 4\"" : twin ? " stroke-dasharray=\"7 7\"" : "") + "/>"
                }
                o += "<text class=\"legend-entry\" x=\"\(c(x0 + 36))\" y=\"\(c(y))\" dy=\"0.35em\">\(Plot.escape(s.name))</text>\n"
            }
            o += "</g>\n"
        }
        o += "</svg>\n"
        return o
    }

    /// Where the legend goes: the first corner of the plot area (top right, top left, bottom
    /// right, bottom left) whose box no curve, mark or reference line crosses, else below.
    package func legendPlacement(_ f: Frame) -> (below: Bool, x: Double, y: Double, width: Double, height: Double) {
        let named = series.filter { !$0.name.isEmpty }
        let longest = named.map(\.name.count).max() ?? 0
        let h = 8 + 18 * Double(named.count)
        if legendBelow { return (true, 8, height + 2, width - 16, h) }
        let w = min(f.right - f.left - 12, 40 + 6.6 * Double(longest))
        let corners = [(f.right - w - 8, f.top + 8), (f.left + 8, f.top + 8),
                       (f.right - w - 8, f.bottom - h - 8), (f.left + 8, f.bottom - h - 8)]
        // The drawn geometry: every segment of every curve (sampled every 4 px), every mark.
        var pts: [(Double, Double)] = []
        for s in series {
            for piece in pieces(s, f) + (s.smoothing != nil ? pieces(s, f, smoothed: false) : []) {
                pts += piece
                for (a, b) in zip(piece, piece.dropFirst()) {
                    let n = Int(max(abs(b.0 - a.0), abs(b.1 - a.1)) / 4)
                    if n > 1 { for k in 1..<n { let t = Double(k) / Double(n); pts.append((a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1))) } }
                }
            }
        }
        for r in references where f.yAxis.drawable(r.y) { pts += stride(from: f.left, through: f.right, by: 4).map { ($0, f.py(r.y)) } }
        for h in highlights where f.xAxis.drawable(h.x) && f.yAxis.drawable(h.y) { pts.append((f.px(h.x), f.py(h.y))) }
        // What lies beyond the frame is drawn at its edge (clipped curves, the beyond marks).
        pts = pts.map { (min(max($0.0, f.left), f.right), min(max($0.1, f.top + 5), f.bottom - 5)) }
        for (x, y) in corners {
            let clear = !pts.contains { $0.0 >= x - 4 && $0.0 <= x + w + 4 && $0.1 >= y - 4 && $0.1 <= y + h + 4 }
            if clear { return (false, x, y, w, h) }
        }
        return (true, 8, height + 2, width - 16, h)
    }

    /// The exponential moving average of `y` with weight `beta` on the past, debiased
    /// (s_t = β·s + (1 − β)·y_t, shown as s_t / (1 − βᵗ)); a NaN keeps the average and is drawn as a gap.
    package static func smoothed(_ y: [Double], _ beta: Double) -> [Double] {
        var s = 0.0, t = 0
        return y.map { v in
            guard v.isFinite else { return v }
            t += 1
            s = beta * s + (1 - beta) * v
            return s / (1 - pow(beta, Double(t)))
        }
    }

    /// The drawable runs of a series in pixels, split where a point cannot be drawn; a `.step`
    /// series gets its corner points. A smoothed series gives its moving average unless `smoothed` is false.
    package func pieces(_ s: Series, _ f: Frame, smoothed: Bool = true) -> [[(Double, Double)]] {
        var out: [[(Double, Double)]] = [], cur: [(Double, Double)] = []
        let ys = smoothed ? (s.smoothing.map { Plot.smoothed(s.y, $0) } ?? s.y) : s.y
        for (x, y) in zip(s.x, ys) {
            guard f.xAxis.drawable(x), f.yAxis.drawable(y) else {
                if !cur.isEmpty { out.append(cur); cur = [] }
                continue
            }
            let p = (f.px(x), f.py(y))
            if s.style == .step, let last = cur.last { cur.append((p.0, last.1)) }
            cur.append(p)
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }

    /// Writes the SVG whole (temporary file + rename) or not at all.
    public func write(to path: String) throws {
        try AtomicWrite.write(svg(), to: path)
    }
}
