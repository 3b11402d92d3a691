using Safeguard.Stream.Classification.Llm;

namespace Safeguard.Stream.Classification.Tests.Llm;

public sealed class SafeguardClassifierClientTests
{
    private static readonly DateTimeOffset s_now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("7", 7_000)]
    [InlineData("0.5", 500)]
    [InlineData("Thu, 01 Jan 2026 12:00:30 GMT", 30_000)]
    [InlineData("Thu, 01 Jan 2026 11:00:00 GMT", 0)]
    [InlineData("3600", 60_000)]
    public void ParseRetryAfter_SecondsOrDate_IsCapped(string header, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), SafeguardClassifierClient.ParseRetryAfter(header, s_now, TimeSpan.FromSeconds(60)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("soon")]
    public void ParseRetryAfter_Unreadable_IsNull(string? header)
    {
        Assert.Null(SafeguardClassifierClient.ParseRetryAfter(header, s_now, TimeSpan.FromSeconds(60)));
    }
}
