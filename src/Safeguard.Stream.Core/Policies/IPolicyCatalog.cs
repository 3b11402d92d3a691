namespace Safeguard.Stream.Core.Policies;

/// <summary>The policies loaded at start. Loading (front matter, lint) lives in the Classification project.</summary>
public interface IPolicyCatalog
{
    IReadOnlyList<Policy> Policies { get; }
}
