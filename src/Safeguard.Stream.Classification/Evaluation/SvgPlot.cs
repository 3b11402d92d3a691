using System.Net;

namespace Safeguard.Stream.Classification.Evaluation;

/// <summary>A line of points in a plot; null coordinates (an undefined rate) break the line.</summary>
public sealed record PlotSeries(string Name, string Color, bool Dashed, IReadOnlyList<(double X, double? Y)> Points)
{
    /// <summary>Optional per-point tooltip text.</summary>
    public IReadOnlyList<string>? Labels { get; init; }
}

/// <summary>
/// Inline SVG charts written by hand: no script, no library, no network. Every data point is an element
/// (<c>circle.point</c>, <c>rect.bar</c>) with a <c>&lt;title&gt;</c> tooltip, so the report can be read and tested as a DOM.
/// </summary>
public static class SvgPlot
{
    private const double Width = 540, Height = 330, Left = 56, Right = 16, Top = 34, Bottom = 48;
    private const double PlotWidth = Width - Left - Right, PlotHeight = Height - Top - Bottom;

    public static string Lines(string id, string title, string xLabel, string yLabel, IReadOnlyList<PlotSeries> series,
        double xMax = 1, double yMax = 1, bool diagonal = false, double? markX = null, string? markLabel = null)
    {
        var points = series.Sum(s => s.Points.Count(p => p.Y is not null));
        var svg = Open(id, title, points);
        Axes(svg, xLabel, yLabel, xMax, yMax);
        if (diagonal)
        {
            svg.Append(Invariant($"<line class=\"reference\" x1=\"{X(0, xMax):0.#}\" y1=\"{Y(0, yMax):0.#}\" x2=\"{X(xMax, xMax):0.#}\" y2=\"{Y(yMax, yMax):0.#}\" stroke=\"#999\" stroke-dasharray=\"4 4\"/>"));
        }

        if (markX is { } mx)
        {
            svg.Append(Invariant($"<line class=\"marker\" x1=\"{X(mx, xMax):0.#}\" y1=\"{Top:0.#}\" x2=\"{X(mx, xMax):0.#}\" y2=\"{Top + PlotHeight:0.#}\" stroke=\"#6a3d9a\" stroke-dasharray=\"2 3\"/>"));
            svg.Append(Invariant($"<text x=\"{X(mx, xMax) + 3:0.#}\" y=\"{Top + PlotHeight - 6:0.#}\" font-size=\"10\" fill=\"#6a3d9a\">")).Append(Encode(markLabel ?? "")).Append("</text>");
        }

        foreach (var s in series)
        {
            var dash = s.Dashed ? " stroke-dasharray=\"6 4\"" : "";
            foreach (var run in Runs(s.Points))
            {
                svg.Append("<polyline class=\"series\" fill=\"none\" stroke=\"").Append(s.Color).Append("\" stroke-width=\"2\"").Append(dash).Append(" points=\"");
                svg.AppendJoin(' ', run.Select(p => Invariant($"{X(p.X, xMax):0.##},{Y(p.Y!.Value, yMax):0.##}")));
                svg.Append("\"/>");
            }

            for (var i = 0; i < s.Points.Count; i++)
            {
                var (x, y) = s.Points[i];
                if (y is not { } yy)
                {
                    continue;
                }

                var label = s.Labels?[i] ?? Invariant($"{x:0.###}, {yy:0.###}");
                svg.Append(Invariant($"<circle class=\"point\" data-series=\"{Encode(s.Name)}\" cx=\"{X(x, xMax):0.##}\" cy=\"{Y(yy, yMax):0.##}\" r=\"{(s.Dashed ? 2 : 2.5)}\" fill=\"{s.Color}\"><title>"))
                    .Append(Encode(s.Name + ": " + label)).Append("</title></circle>");
            }
        }

        Legend(svg, series.Select(s => (s.Name, s.Color, s.Dashed)).ToList());
        return svg.Append("</svg>").ToString();
    }

    public static string Bars(string id, string title, string xLabel, string yLabel, IReadOnlyList<HistogramBin> bins, string color)
    {
        var svg = Open(id, title, bins.Count);
        var xMax = bins.Count == 0 ? 1 : bins[^1].To;
        // A multiple of 5 keeps the five tick labels whole numbers.
        var yMax = 5 * Math.Max(1, (int)Math.Ceiling((bins.Count == 0 ? 1 : bins.Max(b => b.Count)) / 5.0));
        Axes(svg, xLabel, yLabel, xMax, yMax, integerY: true);
        foreach (var bin in bins)
        {
            var x0 = X(bin.From, xMax);
            var x1 = X(bin.To, xMax);
            var y = Y(bin.Count, yMax);
            svg.Append(Invariant($"<rect class=\"bar\" x=\"{x0 + 0.5:0.##}\" y=\"{y:0.##}\" width=\"{Math.Max(0.5, x1 - x0 - 1):0.##}\" height=\"{Top + PlotHeight - y:0.##}\" fill=\"{color}\"><title>"))
                .Append(Encode(Invariant($"{bin.From:0.##}–{bin.To:0.##} ms: {bin.Count}"))).Append("</title></rect>");
        }

        if (bins.Count == 0)
        {
            svg.Append(Invariant($"<text x=\"{Left + (PlotWidth / 2):0}\" y=\"{Top + (PlotHeight / 2):0}\" text-anchor=\"middle\" fill=\"#777\">no data</text>"));
        }

        return svg.Append("</svg>").ToString();
    }

    /// <summary>
    /// Grouped bars: one group per category (x axis, labelled), one bar per series in each group (e.g. latency p50, p95
    /// and p99 per prompt and completion size). A missing value leaves its bar out.
    /// </summary>
    public static string CategoryBars(string id, string title, string yLabel, IReadOnlyList<string> categories, IReadOnlyList<(string Name, string Color, IReadOnlyList<double?> Values)> series)
    {
        var values = series.SelectMany(s => s.Values).OfType<double>().ToList();
        var svg = Open(id, title, values.Count);
        var yMax = NiceCeiling(values.Count == 0 ? 1 : values.Max());
        svg.Append(Invariant($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{PlotWidth}\" height=\"{PlotHeight}\" fill=\"#fafafa\" stroke=\"#ccc\"/>"));
        for (var i = 0; i <= 5; i++)
        {
            var gy = Y(yMax * i / 5, yMax);
            svg.Append(Invariant($"<line x1=\"{Left}\" y1=\"{gy:0.#}\" x2=\"{Left + PlotWidth}\" y2=\"{gy:0.#}\" stroke=\"#eee\"/>"));
            svg.Append(Invariant($"<text x=\"{Left - 4}\" y=\"{gy + 3:0.#}\" text-anchor=\"end\" font-size=\"10\">{Tick(yMax * i / 5, yMax)}</text>"));
        }

        svg.Append(Invariant($"<text transform=\"translate(14 {Top + (PlotHeight / 2):0}) rotate(-90)\" text-anchor=\"middle\" font-size=\"11\">")).Append(Encode(yLabel)).Append("</text>");
        var group = categories.Count == 0 ? PlotWidth : PlotWidth / categories.Count;
        var bar = series.Count == 0 ? 0 : group * 0.8 / series.Count;
        for (var c = 0; c < categories.Count; c++)
        {
            var x0 = Left + (group * c) + (group * 0.1);
            svg.Append(Invariant($"<text x=\"{Left + (group * (c + 0.5)):0.#}\" y=\"{Top + PlotHeight + 14}\" text-anchor=\"middle\" font-size=\"10\">")).Append(Encode(categories[c])).Append("</text>");
            for (var s = 0; s < series.Count; s++)
            {
                if (c >= series[s].Values.Count || series[s].Values[c] is not { } v)
                {
                    continue;
                }

                var y = Y(v, yMax);
                svg.Append(Invariant($"<rect class=\"bar\" data-series=\"{Encode(series[s].Name)}\" x=\"{x0 + (bar * s):0.##}\" y=\"{y:0.##}\" width=\"{Math.Max(0.5, bar - 1):0.##}\" height=\"{Top + PlotHeight - y:0.##}\" fill=\"{series[s].Color}\"><title>"))
                    .Append(Encode(Invariant($"{categories[c]} {series[s].Name}: {v:0.#}"))).Append("</title></rect>");
            }
        }

        if (categories.Count == 0)
        {
            svg.Append(Invariant($"<text x=\"{Left + (PlotWidth / 2):0}\" y=\"{Top + (PlotHeight / 2):0}\" text-anchor=\"middle\" fill=\"#777\">no data</text>"));
        }

        Legend(svg, series.Select(s => (s.Name, s.Color, false)).ToList());
        return svg.Append("</svg>").ToString();
    }

    /// <summary>An axis maximum at or above <paramref name="value"/>: 1, 2 or 5 times a power of ten, times 5 so the ticks are round.</summary>
    public static double NiceCeiling(double value)
    {
        if (value <= 0 || double.IsNaN(value) || double.IsInfinity(value))
        {
            return 1;
        }

        var tick = value / 5;
        var power = Math.Pow(10, Math.Floor(Math.Log10(tick)));
        var step = new[] { 1.0, 2, 2.5, 5, 10 }.First(m => m * power >= tick - 1e-12) * power;
        return step * 5;
    }

    private static StringBuilder Open(string id, string title, int points)
    {
        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg id=\"{id}\" class=\"plot\" data-points=\"{points}\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"{Encode(title)}\">"));
        svg.Append(Invariant($"<text class=\"plot-title\" x=\"{Width / 2:0}\" y=\"18\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"600\">")).Append(Encode(title)).Append("</text>");
        return svg;
    }

    private static void Axes(StringBuilder svg, string xLabel, string yLabel, double xMax, double yMax, bool integerY = false)
    {
        svg.Append(Invariant($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{PlotWidth}\" height=\"{PlotHeight}\" fill=\"#fafafa\" stroke=\"#ccc\"/>"));
        for (var i = 0; i <= 5; i++)
        {
            var xv = xMax * i / 5;
            var yv = yMax * i / 5;
            var gx = X(xv, xMax);
            var gy = Y(yv, yMax);
            svg.Append(Invariant($"<line x1=\"{gx:0.#}\" y1=\"{Top}\" x2=\"{gx:0.#}\" y2=\"{Top + PlotHeight}\" stroke=\"#eee\"/>"));
            svg.Append(Invariant($"<line x1=\"{Left}\" y1=\"{gy:0.#}\" x2=\"{Left + PlotWidth}\" y2=\"{gy:0.#}\" stroke=\"#eee\"/>"));
            svg.Append(Invariant($"<text x=\"{gx:0.#}\" y=\"{Top + PlotHeight + 14}\" text-anchor=\"middle\" font-size=\"10\">{Tick(xv, xMax)}</text>"));
            var yText = integerY ? Invariant($"{yv:0.#}") : Tick(yv, yMax);
            svg.Append(Invariant($"<text x=\"{Left - 4}\" y=\"{gy + 3:0.#}\" text-anchor=\"end\" font-size=\"10\">{yText}</text>"));
        }

        svg.Append(Invariant($"<text x=\"{Left + (PlotWidth / 2):0}\" y=\"{Height - 10}\" text-anchor=\"middle\" font-size=\"11\">")).Append(Encode(xLabel)).Append("</text>");
        svg.Append(Invariant($"<text transform=\"translate(14 {Top + (PlotHeight / 2):0}) rotate(-90)\" text-anchor=\"middle\" font-size=\"11\">")).Append(Encode(yLabel)).Append("</text>");
    }

    private static void Legend(StringBuilder svg, IReadOnlyList<(string Name, string Color, bool Dashed)> entries)
    {
        var y = Top + 10.0;
        foreach (var (name, color, dashed) in entries)
        {
            var x = Left + PlotWidth - 150;
            svg.Append(Invariant($"<line x1=\"{x:0}\" y1=\"{y:0}\" x2=\"{x + 22:0}\" y2=\"{y:0}\" stroke=\"{color}\" stroke-width=\"2\"{(dashed ? " stroke-dasharray=\"6 4\"" : "")}/>"));
            svg.Append(Invariant($"<text x=\"{x + 27:0}\" y=\"{y + 4:0}\" font-size=\"10\">")).Append(Encode(name)).Append("</text>");
            y += 14;
        }
    }

    /// <summary>Splits a series at undefined values so that a line never bridges a gap.</summary>
    private static List<List<(double X, double? Y)>> Runs(IReadOnlyList<(double X, double? Y)> points)
    {
        var runs = new List<List<(double X, double? Y)>> { new() };
        foreach (var p in points)
        {
            if (p.Y is null)
            {
                if (runs[^1].Count > 0)
                {
                    runs.Add([]);
                }

                continue;
            }

            runs[^1].Add(p);
        }

        return [.. runs.Where(r => r.Count > 1)];
    }

    private static double X(double value, double max) => Left + (PlotWidth * Math.Clamp(value / max, 0, 1));

    private static double Y(double value, double max) => Top + PlotHeight - (PlotHeight * Math.Clamp(value / max, 0, 1));

    private static string Tick(double value, double max) => value.ToString(max > 10 ? "0" : "0.##", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    internal static string Encode(string text) => WebUtility.HtmlEncode(text);
}
