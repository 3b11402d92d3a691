using System.Text;
using Safeguard.Stream.Core.Pipeline;

namespace Safeguard.Stream.Core.Tests.Pipeline;

public sealed class DeadLetterPayloadTests
{
    [Fact]
    public void Cut_UnderTheCap_KeepsAllAndSaysNothingWasCut()
    {
        var (text, truncated) = DeadLetterPayload.Cut("{\"oops\": "u8, 100);

        Assert.Equal("{\"oops\": ", text);
        Assert.False(truncated);
    }

    [Theory]
    [InlineData("abcé", 4, "abc")] // é is 2 bytes: the cap falls after its lead byte
    [InlineData("abcé", 5, "abcé")] // exactly at the end of the sequence
    [InlineData("ab€", 3, "ab")] // € is 3 bytes: cap after the lead byte
    [InlineData("ab€", 4, "ab")] // cap inside the continuation bytes
    [InlineData("a😀", 4, "a")] // a 4-byte emoji cut inside
    [InlineData("a😀", 5, "a😀")]
    [InlineData("Ελληνικά", 5, "Ελ")] // Greek letters are 2 bytes each: 5 bytes hold two and a half
    public void Cut_OverTheCap_NeverSplitsACharacter(string payload, int maxBytes, string expected)
    {
        var bytes = Encoding.UTF8.GetBytes(payload);

        var (text, truncated) = DeadLetterPayload.Cut(bytes, maxBytes);

        Assert.Equal(expected, text);
        Assert.Equal(bytes.Length > maxBytes, truncated);
        Assert.DoesNotContain('\uFFFD', text!);
        Assert.True(Encoding.UTF8.GetByteCount(text!) <= maxBytes);
    }

    [Fact]
    public void Cut_InvalidUtf8_BecomesReplacementCharactersNotAnError()
    {
        var (text, truncated) = DeadLetterPayload.Cut([0x7B, 0xFF, 0xFE, 0x7D], 100);

        Assert.Equal("{\uFFFD\uFFFD}", text);
        Assert.False(truncated);
    }

    [Fact]
    public void Cut_CapZero_KeepsNoTextButSaysThePayloadWasCut()
    {
        Assert.Equal((null, true), DeadLetterPayload.Cut("x"u8, 0));
        Assert.Equal((null, false), DeadLetterPayload.Cut([], 10));
    }
}
