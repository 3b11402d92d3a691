using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Safeguard.Stream.Core.Tagging;
using Safeguard.Stream.IntegrationTests.Infrastructure;
using Safeguard.Stream.Kafka.Tagging;

namespace Safeguard.Stream.IntegrationTests.Tagging;

/// <summary>
/// The tagger's consumer (<c>safeguard tagger --drain</c>'s composition) on librdkafka's mock cluster and a real
/// PostgreSQL, with a FAKE wiki (<see cref="RecordingWiki"/>): every verdict ends in a counted outcome, offsets move
/// only past verdicts that have one, and the safety valve, pauses and stops hold what they do not tag.
/// </summary>
[Collection(LocalServicesDefinition.Name)]
public sealed class TaggerConsumerTests(LocalServicesFixture services)
{
    [Fact]
    public async Task Drain_PolicyFlaggingHalfTheEdits_OpensTheValve_TaggingOfThatPairStops_WhileVerdictsFlow()
    {
        var ct = TestContext.Current.CancellationToken;
        var harness = await TaggerHarness.CreateAsync(services, "valve", partitions: 1, ct);
        // spam flags every other edit (50 %); vandalism 2 of 60 (3.3 %, under the 5 % limit), produced after spam's.
        var spam = await harness.ProduceAsync("spam", Enumerable.Range(0, 60).Select(i => i % 2 == 0), ct);
        var vandalism = await harness.ProduceAsync("vandalism", Enumerable.Range(0, 60).Select(i => i is 10 or 50), ct);

        var (tally, state) = await harness.DrainAsync(ct);

        // The window reaches its minimum sample (20) at spam's 20th verdict: the ten flagged before it were tagged,
        // and the valve opened there; the other twenty flagged edits are held, not tagged.
        Assert.Equal(120, tally.Total);
        var spamTags = harness.Wiki.Applied.Keys.Where(k => k.Tag == "safeguard-spam").Select(k => k.Rev).Order().ToList();
        Assert.Equal(spam.Where((_, i) => i % 2 == 0 && i < 20), spamTags);
        Assert.Equal(20, tally.Count(TaggingDisposition.Held, TagSkipReason.ValveOpen));
        Assert.Equal(1L, await harness.ScalarAsync<long>("select count(*) from safeguard.tag_valves where open and wiki_id = 'enwiki' and policy_id = 'spam'", ct));
        Assert.Equal(20L, await harness.ScalarAsync<long>("select count(*) from safeguard.tag_pending where held_for = 'valve_open' and policy_id = 'spam'", ct));
        Assert.Equal([("enwiki", "spam")], state.OpenValves);
        Assert.Contains(state.Describe(), line => line.Contains("safeguard tagger valve --wiki enwiki --policy spam --reset", StringComparison.Ordinal));

        // Verdicts kept flowing: the other policy is tagged, and every verdict was counted.
        Assert.Equal([vandalism[10], vandalism[50]], harness.Wiki.Applied.Keys.Where(k => k.Tag == "safeguard-vandalism").Select(k => k.Rev).Order());
        Assert.Equal(30 + 58, tally.Count(TaggingDisposition.Ignored, TagSkipReason.NotFlagged));

        // The reason links the review page and never carries the rationale.
        var request = harness.Wiki.Requests.First();
        Assert.EndsWith($"https://review.example.org/safeguard/item/enwiki/{spam[0]}/spam", request.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("rationale", request.Reason, StringComparison.OrdinalIgnoreCase);

        // A restart still sees the valve open (Postgres): the new flagged spam verdicts are held too.
        await harness.ProduceAsync("spam", [true, true], ct);
        var (again, _) = await harness.DrainAsync(ct);
        Assert.Equal(2, again.Count(TaggingDisposition.Held, TagSkipReason.ValveOpen));
        Assert.Equal(10, harness.Wiki.Applied.Keys.Count(k => k.Tag == "safeguard-spam"));
    }

    [Fact]
    public async Task Run_VerdictTopicCreatedAfterStart_WaitsDegraded_ThenTags()
    {
        var ct = TestContext.Current.CancellationToken;
        var harness = await TaggerHarness.CreateAsync(services, "late_topic", partitions: 1, ct, createTopic: false);
        using var host = harness.BuildHost(drain: false);
        var consumer = host.Services.GetRequiredService<TaggerConsumer>();
        var health = new TaggerHealthCheck(consumer, host.Services.GetRequiredService<TaggerState>());
        await host.StartAsync(ct);
        try
        {
            // Before the topic exists: running, waiting, degraded with what to do (it used to exit).
            await WaitForAsync(() => consumer.WaitingForTopic is not null, TimeSpan.FromSeconds(30), ct);
            var waiting = await health.CheckHealthAsync(new HealthCheckContext(), ct);
            Assert.Equal(HealthStatus.Degraded, waiting.Status);
            Assert.Contains(harness.Topic, waiting.Description, StringComparison.Ordinal);
            Assert.True(consumer.Running);

            harness.CreateTopic();
            var revs = await harness.ProduceAsync("spam", [true], ct);

            // librdkafka sees the topic at its next metadata refresh (10 s), then the verdict is tagged.
            await WaitForAsync(() => harness.Wiki.Applied.ContainsKey(("enwiki", revs[0], "safeguard-spam")), TimeSpan.FromSeconds(60), ct);
            Assert.Null(consumer.WaitingForTopic);
            Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(new HealthCheckContext(), ct)).Status);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout, CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < timeout, $"not within {timeout}");
            await Task.Delay(50, ct);
        }
    }

    [Fact]
    public async Task Drain_RestartMidStream_LeavesNoFlaggedEditUntagged_AndNoneTaggedTwice()
    {
        var ct = TestContext.Current.CancellationToken;
        var harness = await TaggerHarness.CreateAsync(services, "restart", partitions: 2, ct);
        harness.Settings["Safeguard:Tagging:MaxFlagRate"] = "1"; // this test is about offsets, not the valve
        var flags = Enumerable.Range(0, 40).Select(i => i % 3 != 1).ToList();
        var revs = await harness.ProduceAsync("spam", flags, ct);
        var flagged = revs.Where((_, i) => flags[i]).ToHashSet();

        // The first tagger "crashes" right after the wiki applied its 9th tag, before the answer came back.
        var crashed = 0;
        harness.Wiki.AfterApply = async (_, token) =>
        {
            if (harness.Wiki.Applied.Count == 9 && Interlocked.Exchange(ref crashed, 1) == 0)
            {
                await Task.Delay(Timeout.Infinite, token);
            }
        };
        IHost? first = null;
        var crash = Task.Run(async () =>
        {
            while (Volatile.Read(ref crashed) == 0)
            {
                await Task.Delay(20, ct);
            }

            first!.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        }, ct);
        var (before, _) = await harness.DrainAsync(ct, host => first = host);
        await crash;
        Assert.True(before.Total < 40, $"the first tagger should have stopped mid-stream, but it read all {before.Total} verdicts");

        harness.Wiki.AfterApply = null;
        var (after, _) = await harness.DrainAsync(ct);

        // Every flagged edit carries its tag, each applied once; what the restart re-read was answered noop, and counted.
        Assert.Equal(flagged.Order(), harness.Wiki.Applied.Keys.Select(k => k.Rev).Order());
        Assert.All(harness.Wiki.Applied.Values, count => Assert.Equal(1, count));
        Assert.True(harness.Wiki.Noops >= 1, "the tag applied while the tagger crashed should be re-applied as a noop");
        Assert.Equal(harness.Wiki.Noops, after.Count(TaggingDisposition.AlreadyTagged));
        // Each flagged verdict ended once as tagged, or as a noop where the crash swallowed the wiki's success answer.
        Assert.Equal(flagged.Count, before.Count(TaggingDisposition.Tagged) + after.Count(TaggingDisposition.Tagged) + after.Count(TaggingDisposition.AlreadyTagged));
        Assert.True(before.Total + after.Total >= 40);
    }

    [Fact]
    public async Task Drain_TagUndefined_PausesThePairWithTheMessage_HoldsItsVerdicts_AndTagsThemOnceDefined()
    {
        var ct = TestContext.Current.CancellationToken;
        var harness = await TaggerHarness.CreateAsync(services, "undefined", partitions: 1, ct);
        harness.Wiki.UndefinedTags[("enwiki", "safeguard-spam")] = true;
        var spam = await harness.ProduceAsync("spam", [true, true, true, false, true], ct);
        var vandalism = await harness.ProduceAsync("vandalism", [true], ct);

        var (tally, state) = await harness.DrainAsync(ct);

        Assert.Equal(1, harness.Wiki.Requests.Count(r => r.Tag == "safeguard-spam")); // paused after the first answer
        Assert.Equal(4, tally.Count(TaggingDisposition.Held, TagSkipReason.TagUndefined));
        Assert.Equal(4L, await harness.ScalarAsync<long>("select count(*) from safeguard.tag_pending where held_for = 'tag_undefined'", ct));
        Assert.Contains(state.Describe(), line =>
            line.StartsWith("tagging paused for enwiki/safeguard-spam", StringComparison.Ordinal) && line.Contains("run `safeguard tags create --wiki en.wikipedia.org`", StringComparison.Ordinal));
        Assert.Equal([vandalism[0]], harness.Wiki.Applied.Keys.Select(k => k.Rev)); // other tags go on

        // An admin runs `safeguard tags create`; the next tagger tags what was held, and nothing stays pending.
        harness.Wiki.UndefinedTags.Clear();
        var (resumed, resumedState) = await harness.DrainAsync(ct);

        Assert.Equal(spam.Where((_, i) => i != 3).Append(vandalism[0]).Order(), harness.Wiki.Applied.Keys.Select(k => k.Rev).Order());
        Assert.Equal(4, resumed.Count(TaggingDisposition.Tagged, "resumed"));
        Assert.Equal(0L, await harness.ScalarAsync<long>("select count(*) from safeguard.tag_pending", ct));
        Assert.True(resumedState.IsClear);
    }

    [Fact]
    public async Task Drain_PermissionDenied_StopsThatWiki_NamingTheRight_OtherWikisGoOn()
    {
        var ct = TestContext.Current.CancellationToken;
        var harness = await TaggerHarness.CreateAsync(services, "denied", partitions: 1, ct);
        harness.Wiki.DeniedWikis["enwiki"] = true;
        await harness.ProduceAsync("spam", [true, true], ct);
        await harness.ProduceAsync("vandalism", [true], ct);
        var german = await harness.ProduceAsync("vandalism-de", [true], ct, wikiId: "dewiki");

        var (tally, state) = await harness.DrainAsync(ct);

        Assert.Equal(1, harness.Wiki.Requests.Count(r => r.WikiId == "enwiki")); // stopped after the first answer, for every tag
        Assert.Equal(3, tally.Count(TaggingDisposition.Held, TagSkipReason.PermissionDenied));
        Assert.Contains(state.Describe(), line =>
            line.StartsWith("tagging stopped on enwiki: permission denied", StringComparison.Ordinal) && line.Contains("applychangetags", StringComparison.Ordinal));
        Assert.Equal([("dewiki", german[0], "safeguard-vandalism-de")], harness.Wiki.Applied.Keys);
    }

    [Fact]
    public async Task Drain_RevisionGone_IsACountedSkip_Retryable_IsRetried_Failed_IsDeadLettered_BadEvents_Too()
    {
        var ct = TestContext.Current.CancellationToken;
        var harness = await TaggerHarness.CreateAsync(services, "outcomes", partitions: 1, ct);
        var revs = await harness.ProduceAsync("spam", [true, true, true], ct);
        harness.Wiki.GoneRevisions[revs[0]] = true;
        harness.Wiki.AnswerLater(revs[1], times: 2);
        harness.Wiki.RefusedRevisions[revs[2]] = true;
        var redacted = await harness.ProduceAsync("spam", [true], ct, change: e => e["safeguard"]!["status"] = "redacted");
        await harness.ProduceRawAsync("{\"not\":\"a verdict\"}"u8.ToArray(), ct);

        var (tally, _) = await harness.DrainAsync(ct);

        Assert.Equal(5, tally.Total);
        Assert.Equal(1, tally.Count(TaggingDisposition.Skipped, "nosuchrevid"));
        Assert.Equal(3, harness.Wiki.Requests.Count(r => r.RevId == revs[1])); // two "later", then applied
        Assert.Equal([revs[1]], harness.Wiki.Applied.Keys.Select(k => k.Rev));
        Assert.Equal(1, tally.Count(TaggingDisposition.Ignored, TagSkipReason.Redacted));
        Assert.DoesNotContain(harness.Wiki.Requests, r => r.RevId == redacted[0]);
        Assert.Equal(1, tally.Count(TaggingDisposition.DeadLettered, TagSkipReason.TagFailed));
        Assert.Equal(1, tally.Count(TaggingDisposition.DeadLettered, TagSkipReason.MalformedVerdict));

        // Both dead letters are in the table and on the topic, with the pipeline's keys.
        Assert.Equal(1L, await harness.ScalarAsync<long>(
            $"select count(*) from safeguard.dead_letters where reason = 'tag_failed' and item_key = 'enwiki:{revs[2]}' and source = 'tagger:spam' and detail like '%tags-update-blocked%'", ct));
        Assert.Equal(1L, await harness.ScalarAsync<long>("select count(*) from safeguard.dead_letters where reason = 'tagger_malformed_verdict' and item_key like 'at:%'", ct));
        var topic = harness.Settings["Safeguard:Kafka:DeadLetterTopic"]!;
        using var reader = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = services.Kafka.BootstrapServers,
            GroupId = "dl-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        reader.Subscribe(topic);
        var keys = new List<string>();
        var until = TimeProvider.System.GetTimestamp() + (60 * TimeProvider.System.TimestampFrequency);
        while (keys.Count < 2 && TimeProvider.System.GetTimestamp() < until)
        {
            if (reader.Consume(TimeSpan.FromMilliseconds(500)) is { Message: { } message })
            {
                keys.Add(message.Key);
            }
        }

        Assert.Contains($"enwiki:{revs[2]}", keys);
        Assert.Contains(keys, k => k.StartsWith("at:" + harness.Topic + "/0/", StringComparison.Ordinal));
    }
}
