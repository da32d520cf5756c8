import Foundation
/// A small self-contained SVG line chart: axes, ticks and one polyline per series. Reports embed it,
/// so a report needs no script and no network to show its figures.
public struct SVGLineChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public init(name: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var width = 640.0
    public var height = 320.0

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    static let colours = ["#1f5fa8", "#b3261e", "#1d7a46", "#a86b00", "#6a3d9a", "#008080"]

    public var svg: String {
        let points = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        guard let minX = points.map(\.x).min(), let maxX = points.map(\.x).max(),
              let minY = points.map(\.y).min(), let maxY = points.map(\.y).max() else {
            return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"40\"><text x=\"8\" y=\"24\">no data</text></svg>"
        }
        let left = 80.0, right = 16.0, top = 28.0, bottom = 44.0
        let spanX = maxX - minX == 0 ? 1 : maxX - minX
        let spanY = maxY - minY == 0 ? max(abs(maxY), 1) * 1e-6 + 1e-12 : maxY - minY
        func px(_ x: Double) -> Double { left + (x - minX) / spanX * (width - left - right) }
        func py(_ y: Double) -> Double { top + (1 - (y - minY) / spanY) * (height - top - bottom) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">"
        svg += "<title>\(Self.escape(title))</title>"
        svg += "<text x=\"\(Int(width / 2))\" y=\"16\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">\(Self.escape(title))</text>"
        svg += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(width - left - right)\" height=\"\(height - top - bottom)\" fill=\"none\" stroke=\"#999\"/>"
        for tick in 0...4 {
            let fraction = Double(tick) / 4
            let yValue = minY + fraction * spanY
            let xValue = minX + fraction * spanX
            svg += "<text x=\"\(left - 6)\" y=\"\(Self.number(py(yValue) + 4))\" text-anchor=\"end\">\(Self.label(yValue))</text>"
            svg += "<text x=\"\(Self.number(px(xValue)))\" y=\"\(height - bottom + 16)\" text-anchor=\"middle\">\(Self.label(xValue))</text>"
        }
        svg += "<text x=\"\(Int(width / 2))\" y=\"\(Int(height - 8))\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>"
        svg += "<text x=\"14\" y=\"\(Int(height / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(Int(height / 2)))\">\(Self.escape(yLabel))</text>"
        for (index, line) in series.enumerated() {
            let colour = Self.colours[index % Self.colours.count]
            let path = line.points.filter { $0.x.isFinite && $0.y.isFinite }.map { "\(Self.number(px($0.x))),\(Self.number(py($0.y)))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\" points=\"\(path)\"><title>\(Self.escape(line.name))</title></polyline>"
            if line.points.count <= 60 {
                for point in line.points where point.x.isFinite && point.y.isFinite {
                    svg += "<circle cx=\"\(Self.number(px(point.x)))\" cy=\"\(Self.number(py(point.y)))\" r=\"2.5\" fill=\"\(colour)\"/>"
                }
            }
        }
        return svg + "</svg>"
    }

    static func number(_ value: Double) -> String {
        String((value * 10).rounded() / 10)
    }

    static func label(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude != 0 && (magnitude >= 1e6 || magnitude < 1e-3) {
            let exponent = Int((log10Approximation(magnitude)).rounded(.down))
            let mantissa = value / pow10(exponent)
            return "\((mantissa * 100).rounded() / 100)e\(exponent)"
        }
        return String((value * 1000).rounded() / 1000)
    }

    private static func log10Approximation(_ value: Double) -> Double {
        var exponent = 0.0
        var remaining = value
        while remaining >= 10 { remaining /= 10; exponent += 1 }
        while remaining < 1 { remaining *= 10; exponent -= 1 }
        return exponent
    }

    private static func pow10(_ exponent: Int) -> Double {
        var result = 1.0
        if exponent >= 0 { for _ in 0..<exponent { result *= 10 } } else { for _ in 0..<(-exponent) { result /= 10 } }
        return result
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
