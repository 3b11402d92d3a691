using System.Text.RegularExpressions;

namespace Safeguard.Stream.Deployment.Tests;

/// <summary>Secrets reach the pods only as secretKeyRef; the chart neither creates Secrets nor takes secret values.</summary>
public sealed partial class SecretReferenceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Template_WorkerSecrets_ReferencedByNameAndKey()
    {
        var manifests = await HelmChart.TemplateAsync("eventstreams", Ct);
        var worker = manifests.Worker["spec", "template", "spec"].Items("containers").Single();

        AssertSecretRef(worker, "Safeguard__Llm__ApiKey", "safeguard-llm", "api-key");
        // The librdkafka key is sasl.password, so the variable name keeps the dot.
        AssertSecretRef(worker, "Safeguard__Kafka__Producer__sasl.password", "safeguard-kafka", "sasl-password");
        AssertSecretRef(worker, "PGPASSWORD", "safeguard-postgres", "password");
        Assert.Null(worker.Env("Safeguard__Source__Kafka__Consumer__sasl.password"));
    }

    [Fact]
    public async Task Template_KafkaSourceAndConnectionStringSecret_ReferencedByNameAndKey()
    {
        var manifests = await HelmChart.TemplateAsync("kafka", Ct);
        var pod = manifests.Worker["spec", "template", "spec"];
        var worker = pod.Items("containers").Single();
        var migrations = pod.Items("initContainers").Single();

        AssertSecretRef(worker, "Safeguard__Source__Kafka__Consumer__sasl.password", "safeguard-kafka-main", "sasl-password");
        AssertSecretRef(worker, "Safeguard__Postgres__ConnectionString", "safeguard-postgres", "connection-string");
        Assert.Null(worker.Env("PGPASSWORD"));
        AssertSecretRef(migrations, "Safeguard__Postgres__ConnectionString", "safeguard-postgres", "connection-string");
    }

    [Fact]
    public async Task Template_MigrationsJob_UsesTheOwnerLogin()
    {
        var manifests = await HelmChart.TemplateAsync("eventstreams", Ct);
        var job = manifests.Single("Job", HelmChart.FullName + "-migrations");
        var container = job["spec", "template", "spec"].Items("containers").Single();

        Assert.Equal(["db", "migrate"], container.Items("args").Select(a => a.Text()));
        Assert.Equal("pre-install,pre-upgrade", job.Root.Text("metadata", "annotations", "helm.sh/hook"));
        AssertSecretRef(container, "PGPASSWORD", "safeguard-postgres-owner", "password");
        Assert.Contains("Username=safeguard_owner", container.Env("Safeguard__Postgres__ConnectionString").Text("value"), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllScenarios))]
    public async Task Template_AnyScenario_NoSecretObjectAndNoSensitiveValueInline(string scenario)
    {
        var manifests = await HelmChart.TemplateAsync(scenario, Ct);

        Assert.Empty(manifests.OfKind("Secret"));
        foreach (var configMap in manifests.OfKind("ConfigMap").Where(c => c.Name.EndsWith("-env", StringComparison.Ordinal)))
        {
            Assert.DoesNotContain(configMap.Root.Mapping("data"), e => SensitiveName().IsMatch(e.Key) || PasswordInConnectionString().IsMatch(e.Value.Text()));
        }

        var containers = manifests.Items
            .Select(m => m.Kind == "InferenceService" ? m["spec", "predictor"] : m["spec", "template", "spec"])
            .SelectMany(spec => spec.AllContainers());
        foreach (var env in containers.SelectMany(c => c.Items("env")))
        {
            var name = env.Text("name");
            if (SensitiveName().IsMatch(name))
            {
                Assert.True(env.At("value") is null, $"{name} has an inline value");
                Assert.NotNull(env.At("valueFrom", "secretKeyRef", "name"));
            }

            if (env.TextOrNull("value") is { } value)
            {
                Assert.False(PasswordInConnectionString().IsMatch(value), $"{name} carries a password inline");
            }
        }
    }

    [Theory]
    [InlineData("config.Llm.ApiKey=s3cr3t-marker", "config.Llm.ApiKey must not be set")]
    [InlineData("config.Kafka.Producer.sasl\\.password=s3cr3t-marker", "config.Kafka.Producer.sasl.password looks like a secret")]
    [InlineData("config.Source.Kafka.Consumer.sasl\\.password=s3cr3t-marker", "config.Source.Kafka.Consumer.sasl.password looks like a secret")]
    [InlineData("config.Postgres.ConnectionString=Host=db;Password=s3cr3t-marker", "config.Postgres.ConnectionString contains a Password")]
    [InlineData("migrations.connectionString=Host=db;Username=owner;pwd=s3cr3t-marker", "migrations.connectionString contains a Password")]
    public async Task Template_SecretValueInValues_RefusedWithoutEchoingIt(string set, string message)
    {
        var error = await HelmChart.TemplateErrorAsync("eventstreams", Ct, set);

        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-marker", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("secrets.postgres.password=s3cr3t-marker")]
    [InlineData("secrets.llmApiKey.value=s3cr3t-marker")]
    [InlineData("vllm.apiKey.value=s3cr3t-marker")]
    public async Task Template_SecretValueUnderSecrets_RefusedBySchema(string set)
    {
        var error = await HelmChart.TemplateErrorAsync("vllm", Ct, set);

        Assert.Contains("additional properties", error, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-marker", error, StringComparison.Ordinal);
    }

    internal static void AssertSecretRef(YamlDotNet.RepresentationModel.YamlNode container, string name, string secret, string key)
    {
        var env = container.Env(name);
        Assert.True(env is not null, $"{container.Text("name")} has no {name}");
        Assert.Null(env.At("value"));
        Assert.Equal(secret, env.Text("valueFrom", "secretKeyRef", "name"));
        Assert.Equal(key, env.Text("valueFrom", "secretKeyRef", "key"));
    }

    public static TheoryData<string> AllScenarios() => [.. HelmChart.Scenarios];

    [GeneratedRegex("(?i)(apikey|api_key|password|secret|(^|_)token$)")]
    private static partial Regex SensitiveName();

    [GeneratedRegex("(?i)(^|;)\\s*(password|pwd)\\s*=")]
    private static partial Regex PasswordInConnectionString();
}
