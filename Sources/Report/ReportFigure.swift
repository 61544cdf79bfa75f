// Owns one figure of the report as data: its chart, the same chart as a standalone SVG and its
// points as CSV, and the HTML that shows it inline with both files offered for download as data:
// URIs (so report.html stays one self-contained file with nothing to fetch).
import Foundation
import Plot

/// A chart of the report with its downloadable files.
public struct ReportFigure: Sendable {
    /// File stem of the downloads ("ev-energy-by-hour" → ev-energy-by-hour.svg / .csv).
    public var id: String
    public var chart: LineChart
    public var caption: String
    /// Spans the page's width.
    public var wide: Bool

    public init(id: String, chart: LineChart, caption: String, wide: Bool = false) {
        self.id = id
        var sized = chart
        sized.width = wide ? 1100 : 560
        sized.height = 340
        self.chart = sized
        self.caption = caption
        self.wide = wide
    }

    /// The chart as a standalone SVG file (with its XML namespace).
    public var svg: String { chart.svg() }

    /// The chart's points as CSV (`series,x,y`, full precision).
    public var csv: String { chart.csv() }

    /// The `<figure>`: the chart inline, its caption, and SVG and CSV download links.
    public var html: String {
        var out = wide ? "<figure class=\"wide\" id=\"fig-\(HTMLText.escape(id))\">\n" : "<figure id=\"fig-\(HTMLText.escape(id))\">\n"
        out += ReportCharts.inline(svg)
        out += "<figcaption>\(HTMLText.escape(caption))</figcaption>\n"
        out += "<p class=\"downloads\">Download: "
        out += "<a download=\"\(HTMLText.escape(id)).svg\" href=\"\(Self.dataURI(svg, type: "image/svg+xml"))\">SVG</a> · "
        out += "<a download=\"\(HTMLText.escape(id)).csv\" href=\"\(Self.dataURI(csv, type: "text/csv"))\">CSV</a></p>\n"
        return out + "</figure>\n"
    }

    /// `text` as a base64 data: URI of media type `type` (UTF-8).
    static func dataURI(_ text: String, type: String) -> String {
        "data:\(type);charset=utf-8;base64," + Data(text.utf8).base64EncodedString()
    }
}
