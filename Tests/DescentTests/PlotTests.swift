// PlotTests.swift — the hand-written SVG plots: valid XML (Foundation's XMLParser), and every
// drawn point sits where the axes put its data (checked by mapping the pixels back to data).
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import DescentConformance
@testable import DescentLab
@testable import DescentCLI

/// The parsed elements of an SVG: each element's name, attributes and the text directly inside it.
final class SVGReader: NSObject, XMLParserDelegate {
    struct Element { var name: String; var attributes: [String: String]; var text: String; var parents: [String] }
    var elements: [Element] = []
    private var stack: [(Int, String)] = []   // index in elements, class or name
    var failure: Error?

    static func read(_ svg: String) -> SVGReader? {
        let r = SVGReader()
        let p = XMLParser(data: Data(svg.utf8))
        p.delegate = r
        guard p.parse() else { r.failure = p.parserError; Issue.record("not valid XML: \(String(describing: p.parserError))"); return nil }
        return r
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        let parents = stack.map(\.1)
        elements.append(Element(name: name, attributes: attributes, text: "", parents: parents))
        stack.append((elements.count - 1, attributes["class"].map { "\(name).\($0)" } ?? name))
    }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) { stack.removeLast() }
    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let top = stack.last { elements[top.0].text += string }
    }

    func all(_ name: String, class cls: String? = nil) -> [Element] {
        elements.filter { $0.name == name && (cls == nil || $0.attributes["class"] == cls) }
    }

    /// The series groups in order, with their polylines' points and circles' centres.
    func series() -> [(name: String, lines: [[(Double, Double)]], points: [(Double, Double)])] {
        var out: [(name: String, lines: [[(Double, Double)]], points: [(Double, Double)])] = []
        var current = -1
        for e in elements {
            if e.name == "g", e.attributes["class"] == "series" {
                out.append((e.attributes["data-name"] ?? "", [], [])); current = out.count - 1
            } else if current >= 0, e.parents.last == "g.series" {
                if e.name == "polyline", e.attributes["class"] != "raw" {   // (a smoothed series' faint raw values)
                    let pts = (e.attributes["points"] ?? "").split(separator: " ").map { p -> (Double, Double) in
                        let xy = p.split(separator: ",").map { Double($0)! }
                        return (xy[0], xy[1])
                    }
                    out[current].1.append(pts)
                } else if e.name == "circle" {
                    out[current].2.append((Double(e.attributes["cx"]!)!, Double(e.attributes["cy"]!)!))
                }
            }
        }
        return out
    }
}

@Suite struct PlotTests {
    @Test func lineSeriesMapToTheirDataOnLinearAxes() throws {
        var plot = Plot(title: "Loss & accuracy <test>", xLabel: "step", yLabel: "value")
        let xs = (0..<50).map(Double.init)
        plot.add(Plot.Series("a \"quoted\" name", x: xs, y: xs.map { sin($0 / 7) }))
        plot.add(Plot.Series("b", x: xs, y: xs.map { 0.02 * $0 }))
        plot.reference(y: 0.95, label: "target 95%")
        let svg = plot.svg()
        let r = try #require(SVGReader.read(svg))
        let f = plot.frame()
        let series = r.series()
        #expect(series.map(\.name) == ["a \"quoted\" name", "b"])
        for (s, drawn) in zip(plot.series, series) {
            #expect(drawn.lines.count == 1)
            let pts = drawn.lines[0]
            #expect(pts.count == s.x.count)
            for (i, p) in pts.enumerated() {
                // Back from pixels to data: within the 0.01 px rounding.
                let x = f.xAxis.lower + (p.0 - f.left) / (f.right - f.left) * (f.xAxis.upper - f.xAxis.lower)
                let y = f.yAxis.lower + (f.bottom - p.1) / (f.bottom - f.top) * (f.yAxis.upper - f.yAxis.lower)
                #expect(abs(x - s.x[i]) <= 0.006 * (f.xAxis.upper - f.xAxis.lower) / (f.right - f.left) + 1e-12)
                #expect(abs(y - s.y[i]) <= 0.006 * (f.yAxis.upper - f.yAxis.lower) / (f.bottom - f.top) + 1e-12)
                // Inside the plot area.
                #expect(p.0 >= f.left - 0.01 && p.0 <= f.right + 0.01 && p.1 >= f.top - 0.01 && p.1 <= f.bottom + 0.01)
            }
        }
        // Title, axis titles, legend entries (escaped text reads back as written).
        #expect(r.all("text", class: "title").first?.text == "Loss & accuracy <test>")
        #expect(r.all("text", class: "axis-title").map(\.text) == ["step", "value"])
        #expect(r.all("text", class: "legend-entry").map(\.text) == ["a \"quoted\" name", "b"])
        // Ticks: several on each axis, increasing, labelled, inside the range.
        let xt = r.elements.filter { $0.name == "text" && $0.attributes["class"] == "tick" && $0.parents.last == "g.x-axis" }
        let yt = r.elements.filter { $0.name == "text" && $0.attributes["class"] == "tick" && $0.parents.last == "g.y-axis" }
        #expect(xt.count >= 4 && xt.count <= 12 && yt.count >= 4 && yt.count <= 12)
        #expect(xt.map(\.text).prefix(3) == ["0", "10", "20"])
        #expect(r.all("g", class: "reference").first?.attributes["data-name"] == "target 95%")
    }

    @Test func logAxesPlaceDecadesEvenlyAndDropNonPositiveValues() throws {
        var plot = Plot(title: "log", xLabel: "lr", yLabel: "loss", xScale: .log, yScale: .log)
        let xs = [1e-4, 1e-3, 1e-2, 1e-1, 1]
        let ys = [2.0, 0.5, 0.0, 0.01, 1e-3]   // 0 cannot be drawn on a log axis: the line breaks
        plot.add(Plot.Series("loss", x: xs, y: ys, style: .linePoints))
        let r = try #require(SVGReader.read(plot.svg()))
        let f = plot.frame()
        let s = try #require(r.series().first)
        #expect(s.lines.map(\.count) == [2, 2])
        #expect(s.points.count == 4)
        // x decades are equally spaced in pixels.
        let px = s.points.map(\.0)
        #expect(abs((px[1] - px[0]) - (px[3] - px[2])) < 0.02)
        #expect(abs((px[2] - px[1]) - 2 * (px[1] - px[0])) < 0.02)
        for (p, (x, y)) in zip(s.points, zip(xs, ys).filter { $0.1 > 0 }) {
            let dx = pow(10, log10(f.xAxis.lower) + (p.0 - f.left) / (f.right - f.left) * (log10(f.xAxis.upper) - log10(f.xAxis.lower)))
            let dy = pow(10, log10(f.yAxis.lower) + (f.bottom - p.1) / (f.bottom - f.top) * (log10(f.yAxis.upper) - log10(f.yAxis.lower)))
            #expect(abs(dx / x - 1) < 1e-3)
            #expect(abs(dy / y - 1) < 1e-3)
        }
        let labels = r.elements.filter { $0.attributes["class"] == "tick" && $0.parents.last == "g.x-axis" }.map(\.text)
        // Every decade, in one notation: 1e-4 needs an exponent, so every label has one.
        #expect(labels == ["1e-4", "1e-3", "1e-2", "1e-1", "1e0"])
        #expect(r.all("g", class: "x-axis").first?.attributes["data-scale"] == "log")
    }

    @Test func scatterStepAndNaN() throws {
        var plot = Plot(title: "", xLabel: "trial", yLabel: "accuracy")
        plot.add(Plot.Series("trials", x: [0, 1, 2, 3], y: [0.5, .nan, 0.9, 0.7], style: .points))
        plot.add(Plot.Series("best so far", x: [0, 2, 3], y: [0.5, 0.9, 0.9], style: .step))
        let r = try #require(SVGReader.read(plot.svg()))
        let s = r.series()
        #expect(s[0].lines.isEmpty && s[0].points.count == 3)
        // A staircase: (0, .5) → (2, .5) → (2, .9) → (3, .9).
        let line = try #require(s[1].lines.first)
        #expect(line.count == 5)
        #expect(line[1].1 == line[0].1 && line[1].0 == line[2].0)
        #expect(r.all("text", class: "title").isEmpty)
    }

    @Test func tickLabelsAreReadable() {
        #expect(Plot.linearTicks(0, 1).map(\.label) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        #expect(Plot.linearTicks(0, 3000).map(\.label) == ["0", "500", "1000", "1500", "2000", "2500", "3000"])
        #expect(Plot.linearTicks(0, 3e-6).map(\.label).last == "3e-6")
        #expect(Plot.logTicks(0.05, 3).map(\.label) == ["0.05", "0.1", "0.2", "0.5", "1", "2"])
        #expect(Plot.logTicks(1e-8, 1e6).count <= 8)
        // Degenerate data still gives a usable axis.
        let a = Plot.axis(values: [2, 2], scale: .linear, given: nil, pad: true)
        #expect(a.lower < 2 && a.upper > 2 && !a.ticks.isEmpty)
        let l = Plot.axis(values: [], scale: .log, given: nil, pad: true)
        #expect(l.lower > 0 && l.upper > l.lower)
    }

    @Test func categoricalAxisSetsMarksSideBySideInsideTheFrame() throws {
        var plot = Plot(title: "c", xLabel: "optimizer", yLabel: "d", yScale: .log)
        plot.xCategories = ["SGD", "Adam"]
        plot.add(Plot.Series("a", x: [0, 1], y: [1e-15, 0.4], style: .points))
        plot.add(Plot.Series("b", x: [0, 1], y: [0.1, 0.4], style: .points))
        let r = try #require(SVGReader.read(plot.svg()))
        let f = plot.frame()
        #expect(r.elements.filter { $0.attributes["class"] == "tick" && $0.parents.last == "g.x-axis" }.map(\.text) == ["SGD", "Adam"])
        let s = r.series()
        // Equal values at one category stay apart, and every mark is whole inside the frame.
        #expect(abs(s[0].points[1].0 - s[1].points[1].0) >= 10 && s[0].points[1].1 == s[1].points[1].1)
        for p in s.flatMap(\.points) { #expect(p.0 > f.left + 3 && p.0 < f.right - 3 && p.1 > f.top + 3 && p.1 < f.bottom - 3) }
    }

    @Test func valuesBeyondAGivenRangeAreMarkedAtTheEdge() throws {
        var plot = Plot(title: "b", xLabel: "lr", yLabel: "loss", yScale: .log, yRange: 1...10)
        plot.beyondNote = "▲ diverged"
        plot.add(Plot.Series("sgd", x: [1, 2, 3], y: [2, 1e30, 0.01], style: .linePoints))
        let r = try #require(SVGReader.read(plot.svg()))
        let f = plot.frame()
        #expect(r.series()[0].points.count == 1, "only the value inside the range is a circle")
        let marks = r.all("path", class: "beyond")
        #expect(marks.count == 2)
        // One at the top edge, one at the bottom, at their x.
        let tips = marks.map { m -> (Double, Double) in
            let xy = (m.attributes["d"] ?? "").dropFirst().split(separator: " ").prefix(2).map { Double($0.split(separator: "L")[0])! }
            return (xy[0], xy[1])
        }
        #expect(abs(tips[0].0 - f.px(2)) < 0.02 && abs(tips[0].1 - f.top) < 2)
        #expect(abs(tips[1].0 - f.px(3)) < 0.02 && abs(tips[1].1 - f.bottom) < 2)
        #expect(r.all("text", class: "beyond-note").first?.text == "▲ diverged")
    }

    @Test func smoothingDrawsTheDebiasedAverageOverTheRawValues() throws {
        var plot = Plot(title: "", xLabel: "step", yLabel: "loss")
        let ys = [4.0, 2, .nan, 3, 1]
        var s = Plot.Series("loss", y: ys)
        s.smoothing = 0.5
        plot.add(s)
        let r = try #require(SVGReader.read(plot.svg()))
        let f = plot.frame()
        // EMA with β = 0.5, debiased: 4, (0.5·2 + 0.25·4)/0.75 = 8/3, (gap), …
        var m = 0.0, t = 0.0
        var expected: [Double] = []
        for y in ys where y.isFinite { t += 1; m = 0.5 * m + 0.5 * y; expected.append(m / (1 - pow(0.5, t))) }
        let points: [(Double, Double)] = r.series()[0].lines.flatMap { $0 }
        let drawn = points.map { (p: (Double, Double)) -> Double in
            let fraction: Double = (f.bottom - p.1) / (f.bottom - f.top)
            return f.yAxis.lower + fraction * (f.yAxis.upper - f.yAxis.lower)
        }
        #expect(drawn.count == 4)
        for (d, e) in zip(drawn, expected) { #expect(abs(d - e) < 1e-2, "\(drawn) vs \(expected)") }
        #expect(r.all("polyline", class: "raw").count == 2, "the raw values, broken at the NaN")
    }

    @Test func theLegendAvoidsTheDataAndTwinsAreDashed() throws {
        var plot = Plot(title: "l", xLabel: "x", yLabel: "y")
        let xs = (0..<50).map(Double.init)
        plot.add(Plot.Series("rising", x: xs, y: xs))           // crosses the top-right corner
        plot.add(Plot.Series("same", x: xs, y: xs))             // identical: drawn dashed over it
        let svg = plot.svg()
        let r = try #require(SVGReader.read(svg))
        let f = plot.frame()
        let box = try #require(r.elements.first { $0.name == "rect" && $0.parents.last == "g.legend" })
        let x = Double(box.attributes["x"]!)!, y = Double(box.attributes["y"]!)!
        let w = Double(box.attributes["width"]!)!, h = Double(box.attributes["height"]!)!
        for p in r.series()[0].lines[0] { #expect(!(p.0 >= x && p.0 <= x + w && p.1 >= y && p.1 <= y + h), "legend over the curve at \(p)") }
        #expect(x < (f.left + f.right) / 2, "top left or bottom left, away from the rising line")
        let curves = r.all("polyline", class: "curve")
        #expect(curves[0].attributes["stroke-dasharray"] == nil && curves[1].attributes["stroke-dasharray"] != nil)
    }

    @Test func writesWhole() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plot-\(getpid())")
        let path = dir.appendingPathComponent("p.svg").path
        var plot = Plot(title: "t", xLabel: "x", yLabel: "y")
        plot.add(Plot.Series("s", y: [1, 2, 3]))
        try plot.write(to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == plot.svg())
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["p.svg"])
        try? FileManager.default.removeItem(at: dir)
    }
}
