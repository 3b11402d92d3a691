using System.Net;
using System.Net.Http.Headers;

namespace Safeguard.Stream.MediaWiki.Tests;

public sealed class WikiApiRequestTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 20, 14, 0, 0, TimeSpan.Zero);

    private static HttpResponseMessage Response(HttpStatusCode status, string? apiError = null, RetryConditionHeaderValue? retryAfter = null)
    {
        var response = new HttpResponseMessage(status);
        if (apiError is not null)
        {
            response.Headers.Add("MediaWiki-API-Error", apiError);
        }

        response.Headers.RetryAfter = retryAfter;
        return response;
    }

    [Fact]
    public void RequestedDelay_RetryAfterSeconds_IsHonoured()
    {
        using var response = Response(HttpStatusCode.OK, "maxlag", new RetryConditionHeaderValue(TimeSpan.FromSeconds(7)));

        Assert.Equal(TimeSpan.FromSeconds(7), WikiApiRequest.RequestedDelay(response, s_now, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void RequestedDelay_RetryAfterDate_IsTheTimeUntilThen()
    {
        using var response = Response(HttpStatusCode.TooManyRequests, retryAfter: new RetryConditionHeaderValue(s_now.AddSeconds(30)));

        Assert.Equal(TimeSpan.FromSeconds(30), WikiApiRequest.RequestedDelay(response, s_now, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void RequestedDelay_LongerThanTheCap_IsCapped()
    {
        using var response = Response(HttpStatusCode.ServiceUnavailable, retryAfter: new RetryConditionHeaderValue(TimeSpan.FromHours(1)));

        Assert.Equal(TimeSpan.FromSeconds(60), WikiApiRequest.RequestedDelay(response, s_now, TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public void RequestedDelay_MaxlagWithoutHeader_IsFiveSeconds()
    {
        using var response = Response(HttpStatusCode.OK, "maxlag");

        Assert.Equal(TimeSpan.FromSeconds(5), WikiApiRequest.RequestedDelay(response, s_now, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void RequestedDelay_NoHeaderNoMaxlag_LeavesTheBackoffToTheRetry()
    {
        using var response = Response(HttpStatusCode.InternalServerError);

        Assert.Null(WikiApiRequest.RequestedDelay(response, s_now, TimeSpan.FromMinutes(1)));
    }

    [Theory]
    [InlineData(HttpStatusCode.OK, null, "ok")]
    [InlineData(HttpStatusCode.OK, "maxlag", "maxlag")]
    [InlineData(HttpStatusCode.OK, "nosuchrevid", "api_error")]
    [InlineData(HttpStatusCode.TooManyRequests, null, "throttled")]
    [InlineData(HttpStatusCode.BadGateway, null, "server_error")]
    [InlineData(HttpStatusCode.NotFound, null, "http_error")]
    public void OutcomeOf_NamesWhatTheAttemptGot(HttpStatusCode status, string? apiError, string outcome)
    {
        using var response = Response(status, apiError);

        Assert.Equal(outcome, WikiApiRequest.OutcomeOf(response));
    }
}
