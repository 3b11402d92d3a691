namespace Safeguard.Stream.Classification.Evaluation;

/// <summary>
/// The head every HTML report shares (<c>safeguard eval</c>, <c>safeguard loadtest</c>): one self-contained page, inline
/// CSS, a Content-Security-Policy that forbids loading anything, so it opens offline and fetches nothing.
/// </summary>
internal static class ReportPage
{
    public static void Open(System.Text.StringBuilder html, string title) =>
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            // Belt and braces: even a browser that followed a URL in the page would refuse to fetch it.
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(SvgPlot.Encode(title)).Append("</title><style>")
            .Append("body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#222;max-width:1150px}")
            .Append("h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}")
            .Append("table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right;vertical-align:top}")
            .Append("th{background:#f3f3f3}td.l,th.l{text-align:left}.warn{background:#fff4d6;border:1px solid #e0b000;padding:8px 12px;margin:10px 0}")
            .Append(".plots{display:flex;flex-wrap:wrap;gap:16px}.muted{color:#666}.pos{color:#0a7d2c}.neg{color:#b00020}")
            .Append("</style></head><body>\n");
}
