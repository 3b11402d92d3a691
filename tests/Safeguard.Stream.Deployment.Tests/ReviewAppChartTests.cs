namespace Safeguard.Stream.Deployment.Tests;

/// <summary>The review app's Deployment, Service, NetworkPolicy and Ingress (review.enabled).</summary>
public sealed class ReviewAppChartTests
{
    private const string Name = HelmChart.FullName + "-review";

    private static readonly string[] Enabled =
    [
        "review.enabled=true",
        "review.config.Authority=https://idp.example.org/oauth2",
        "review.config.ClientId=safeguard-review",
        "review.oidc.existingSecret=safeguard-review-oidc",
        "review.database.moderator.existingSecret=safeguard-review-moderator",
        "review.database.restricted.existingSecret=safeguard-review-restricted",
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Template_ReviewDisabled_RendersNothingOfIt()
    {
        var manifests = await HelmChart.TemplateAsync("eventstreams", Ct);

        Assert.DoesNotContain(manifests.Items, m => m.Name.EndsWith("-review", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Template_ReviewEnabled_DeploymentRunsReviewWithSecretsByName()
    {
        var manifests = await HelmChart.TemplateAsync("eventstreams", Ct, Enabled);
        var container = manifests.Single("Deployment", Name)["spec", "template", "spec"].Items("containers").Single();

        Assert.Equal(["review", "--urls", "http://0.0.0.0:8080"], container.Items("args").Select(a => a.Text()));
        SecretReferenceTests.AssertSecretRef(container, "Safeguard__Review__ClientSecret", "safeguard-review-oidc", "client-secret");
        SecretReferenceTests.AssertSecretRef(container, "Safeguard__Review__ModeratorConnectionString", "safeguard-review-moderator", "connection-string");
        SecretReferenceTests.AssertSecretRef(container, "Safeguard__Review__RestrictedConnectionString", "safeguard-review-restricted", "connection-string");
        Assert.Equal("groups", container.Env("Safeguard__Review__RoleClaim").Text("value"));
        Assert.Equal("safeguard-review", container.Env("Safeguard__Review__ClientId").Text("value"));
        Assert.Equal("http", manifests.Single("Service", Name).Root.Items("spec", "ports").Single().Text("targetPort"));
    }

    [Fact]
    public async Task Template_ReviewNetworkPolicy_AdmitsOnlyTheIngressPeersOnItsPort()
    {
        var manifests = await HelmChart.TemplateAsync("eventstreams", Ct,
            [.. Enabled, "review.networkPolicy.ingressFrom[0].namespaceSelector.matchLabels.name=ingress-nginx"]);
        var policy = manifests.Single("NetworkPolicy", Name);
        var ingress = policy.Root.Items("spec", "ingress").Single();

        Assert.Equal("8080", ingress.Items("ports").Single().Text("port"));
        Assert.Equal("ingress-nginx", ingress.Items("from").Single().Text("namespaceSelector", "matchLabels", "name"));
        Assert.Equal("review", policy.Root.Text("spec", "podSelector", "matchLabels", "app.kubernetes.io/component"));
    }

    [Fact]
    public async Task Template_ReviewIngress_ServesTheHostOverTls()
    {
        var manifests = await HelmChart.TemplateAsync("eventstreams", Ct,
            [.. Enabled, "review.ingress.enabled=true", "review.ingress.host=review.example.org", "review.ingress.tlsSecretName=review-tls"]);
        var ingress = manifests.Single("Ingress", Name);

        Assert.Equal("review.example.org", ingress.Root.Items("spec", "rules").Single().Text("host"));
        Assert.Equal("review-tls", ingress.Root.Items("spec", "tls").Single().Text("secretName"));
    }

    [Fact]
    public async Task Template_ReviewWithoutSecretNames_IsRefusedNamingTheKey()
    {
        var error = await HelmChart.TemplateErrorAsync("eventstreams", Ct, "review.enabled=true");

        Assert.Contains("review.oidc.existingSecret", error, StringComparison.Ordinal);
    }
}
