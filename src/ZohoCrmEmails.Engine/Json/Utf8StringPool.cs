using System.Text;

namespace ZohoCrmEmails.Engine.Json;

/// <summary>
/// One shared string per distinct short value read by a connection, so that the same owner, sender, contact, id or
/// status word on thousands of e-mails is allocated once rather than once per e-mail. A fixed-size table (at most
/// about a megabyte) whose slots are replaced on collision; a lost race only costs an allocation. It belongs to one
/// connection and goes with it (Disconnect-Zcrm).
/// </summary>
internal sealed class Utf8StringPool
{
    private const int Slots = 4096;   // a power of two
    private const int MaxLength = 128;
    private readonly Entry?[] _table = new Entry?[Slots];

    /// <summary>The string for these (unescaped) UTF-8 bytes.</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxLength) return Encoding.UTF8.GetString(utf8);
        ref var slot = ref _table[Hash(utf8) & (Slots - 1)];
        var entry = Volatile.Read(ref slot);
        if (entry is not null && utf8.SequenceEqual(entry.Utf8))
            return entry.Value;
        var value = Encoding.UTF8.GetString(utf8);
        Volatile.Write(ref slot, new Entry(utf8.ToArray(), value));
        return value;
    }

    private static uint Hash(ReadOnlySpan<byte> bytes)
    {
        var h = 2166136261u;   // FNV-1a: short keys, no allocation
        foreach (var b in bytes) h = (h ^ b) * 16777619u;
        return h;
    }

    private sealed class Entry(byte[] utf8, string value)
    {
        public byte[] Utf8 { get; } = utf8;
        public string Value { get; } = value;
    }
}
