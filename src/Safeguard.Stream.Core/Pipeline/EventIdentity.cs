using System.Security.Cryptography;

namespace Safeguard.Stream.Core.Pipeline;

/// <summary>
/// Deterministic ids for output events: a name-based UUID (RFC 9562 version 5, SHA-1) of wiki, revision, policy
/// and policy version, so every replay of the same verdict carries the same <c>meta.id</c> and consumers can dedupe.
/// </summary>
public static class EventIdentity
{
    // A fixed namespace UUID for Safeguard.Stream verdicts (random, generated once).
    private static readonly Guid s_namespace = new("5d1f8a8e-6f2b-4b8e-9a61-3c2f1f7d9b40");

    public static Guid ForVerdict(string wikiId, long revId, string policyId, int policyVersion) =>
        NameBased($"{wikiId}\n{revId}\n{policyId}\n{policyVersion}");

    public static Guid NameBased(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Span<byte> namespaceBytes = stackalloc byte[16];
        s_namespace.TryWriteBytes(namespaceBytes, bigEndian: true, out _);
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[16 + nameBytes.Length];
        namespaceBytes.CopyTo(input);
        nameBytes.CopyTo(input, 16);

#pragma warning disable CA5350 // SHA-1 is what RFC 9562 specifies for version-5 UUIDs; it is an identifier, not a security boundary.
        var hash = SHA1.HashData(input);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
