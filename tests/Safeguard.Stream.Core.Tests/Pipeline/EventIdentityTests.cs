using Safeguard.Stream.Core.Pipeline;

namespace Safeguard.Stream.Core.Tests.Pipeline;

public sealed class EventIdentityTests
{
    [Fact]
    public void ForVerdict_SameInputs_SameVersion5Uuid()
    {
        var a = EventIdentity.ForVerdict("enwiki", 1, "spam", 1);
        var b = EventIdentity.ForVerdict("enwiki", 1, "spam", 1);

        Assert.Equal(a, b);
        Assert.Equal('5', a.ToString()[14]);
        Assert.Contains(a.ToString()[19], "89ab");
    }

    [Fact]
    public void ForVerdict_AnyPartDiffers_DifferentId()
    {
        var ids = new[]
        {
            EventIdentity.ForVerdict("enwiki", 1, "spam", 1),
            EventIdentity.ForVerdict("dewiki", 1, "spam", 1),
            EventIdentity.ForVerdict("enwiki", 2, "spam", 1),
            EventIdentity.ForVerdict("enwiki", 1, "blp", 1),
            EventIdentity.ForVerdict("enwiki", 1, "spam", 2),
        };

        Assert.Equal(ids.Length, ids.Distinct().Count());
    }
}
