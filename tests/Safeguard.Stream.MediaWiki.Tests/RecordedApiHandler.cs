using System.Net;
using System.Text;
using System.Text.Json;

namespace Safeguard.Stream.MediaWiki.Tests;

/// <summary>Answers Action API requests with recorded responses, in order; records what was asked.</summary>
internal sealed class RecordedApiHandler(params (HttpStatusCode Status, string Body, (string Name, string Value)[] Headers)[] responses) : HttpMessageHandler
{
    private int _next;

    public List<HttpRequestMessage> Requests { get; } = [];

    public static string Recorded(string relative)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", relative)));
        var root = document.RootElement;
        // Recordings wrap the body as {req, res:{data}} (wikiloop-doublecheck), {request, response} (editgroups) or
        // {request_url, status, headers, body} (WireMock).
        return (root.TryGetProperty("res", out var res) ? res.GetProperty("data")
            : root.TryGetProperty("response", out var response) ? response
            : root.TryGetProperty("request_url", out _) ? root.GetProperty("body")
            : root).GetRawText();
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Add(request);
        var (status, body, headers) = responses[Math.Min(_next++, responses.Length - 1)];
        var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return Task.FromResult(response);
    }
}
