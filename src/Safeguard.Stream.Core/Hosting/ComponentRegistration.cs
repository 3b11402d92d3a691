using Microsoft.Extensions.Configuration;

namespace Safeguard.Stream.Core.Hosting;

/// <summary>
/// What every component's <c>Add…</c> registers the same way, so that each registers everything it uses and the
/// components can be added in any order: validated options, the shared clock and telemetry, and its pipeline stage.
/// </summary>
public static class ComponentRegistration
{
    /// <summary>Tag of the health checks that make up readiness (<c>/health</c>); <c>/alive</c> runs none.</summary>
    public const string ReadyTag = "ready";

    /// <summary>How long one readiness check may take before it counts as a failure.</summary>
    public static readonly TimeSpan HealthProbeTimeout = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to <paramref name="sectionName"/>, validated at start by the
    /// source-generated <typeparamref name="TValidator"/> (<c>[OptionsValidator]</c>). Its failures are put under the
    /// section (<c>Safeguard:Llm:MaxConcurrency: …</c>), so whatever reports them names the full key.
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions, TValidator>(this IServiceCollection services, string sectionName)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>, new()
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>>(new SectionValidator<TOptions>(sectionName, new TValidator())));
        return services.AddOptions<TOptions>().BindConfiguration(sectionName).ValidateOnStart();
    }

    /// <summary>
    /// <see cref="AddValidatedOptions{TOptions, TValidator}"/>, and the cross-field rules of
    /// <typeparamref name="TCustomValidator"/> (an <c>…OptionsCustomValidator</c>, resolved from the container, so it may
    /// read other services) checked at start with them.
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions, TValidator, TCustomValidator>(this IServiceCollection services, string sectionName)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>, new()
        where TCustomValidator : class, IValidateOptions<TOptions>
    {
        var options = services.AddValidatedOptions<TOptions, TValidator>(sectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TCustomValidator>());
        return options;
    }

    /// <summary>
    /// For settings a composition root needs before the host is built (how to log, which port to open): bound from
    /// <paramref name="sectionName"/> and checked by <paramref name="validators"/>, failing as validation at start
    /// would, with the full key named.
    /// </summary>
    public static TOptions GetValidated<TOptions>(this IConfiguration configuration, string sectionName, params IValidateOptions<TOptions>[] validators)
        where TOptions : class, new()
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(validators);
        var options = configuration.GetSection(sectionName).Get<TOptions>() ?? new TOptions();
        List<string> failures = [.. validators
            .Select(v => new SectionValidator<TOptions>(sectionName, v).Validate(Options.DefaultName, options))
            .Where(r => r.Failed)
            .SelectMany(r => r.Failures ?? [])];
        return failures.Count == 0 ? options : throw new OptionsValidationException(sectionName, typeof(TOptions), failures);
    }

    /// <summary>The clock, the meter factory and <see cref="SafeguardTelemetry"/>, unless another component added them.</summary>
    public static IServiceCollection TryAddSafeguardTelemetry(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SafeguardTelemetry>();
        return services;
    }

    /// <summary>
    /// Registers <typeparamref name="TStage"/> at its <paramref name="position"/> in the flow. <see cref="PipelineStages"/>
    /// starts and stops the stages by position, not by the order of the <c>Add…</c> calls.
    /// </summary>
    public static IServiceCollection AddPipelineStage<TStage>(this IServiceCollection services, PipelinePosition position)
        where TStage : class, IHostedService
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PipelineStages>());
        services.TryAddSingleton<TStage>();
        if (!services.Any(d => d.ImplementationInstance is PipelineStageRegistration r && r.Stage == typeof(TStage)))
        {
            services.AddSingleton(new PipelineStageRegistration(position, typeof(TStage)));
        }

        return services;
    }
}

/// <summary>
/// Puts a validator's failures under the options' section: the generated validators say <c>MaxConcurrency: The
/// field …</c>, which alone does not tell an operator which of several <c>MaxConcurrency</c> keys is wrong.
/// </summary>
internal sealed class SectionValidator<TOptions>(string sectionName, IValidateOptions<TOptions> inner) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var result = inner.Validate(name, options);
        return result.Failed ? ValidateOptionsResult.Fail(result.Failures.Select(Keyed)) : result;
    }

    /// <summary><c>Member: message</c> becomes <c>Section:Member: message</c>; anything else gets the section in front.</summary>
    internal string Keyed(string failure)
    {
        if (failure.StartsWith(sectionName + ":", StringComparison.Ordinal))
        {
            return failure;
        }

        var colon = failure.IndexOf(": ", StringComparison.Ordinal);
        var member = colon > 0 ? failure[..colon] : string.Empty;
        return member.Length > 0 && member.All(c => char.IsLetterOrDigit(c) || c is '.' or '[' or ']' or '_')
            ? $"{sectionName}:{member.Replace('.', ':')}{failure[colon..]}"
            : $"{sectionName}: {failure}";
    }
}
