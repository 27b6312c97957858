using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace ZohoCrmEmails.Module;

/// <summary>
/// The default connection of each runspace. Keyed by runspace, not a process-wide static value: runspaces of
/// ForEach-Object -Parallel or of a host each have their own and cannot clobber another's.
/// </summary>
public static class DefaultConnection
{
    private static readonly ConditionalWeakTable<Runspace, ZcrmConnection> Defaults = new();

    public static ZcrmConnection? Get() =>
        Runspace.DefaultRunspace is { } rs && Defaults.TryGetValue(rs, out var c) ? c : null;

    public static void Set(ZcrmConnection connection)
    {
        var rs = Runspace.DefaultRunspace ?? throw new InvalidOperationException("No runspace on this thread.");
        if (Defaults.TryGetValue(rs, out var previous)) previous.IsDefault = false;
        Defaults.AddOrUpdate(rs, connection);
        connection.IsDefault = true;
    }

    /// <summary>Forgets the runspace's default, or only when it is <paramref name="only"/>; the one forgotten.</summary>
    public static ZcrmConnection? Remove(ZcrmConnection? only = null)
    {
        if (Runspace.DefaultRunspace is not { } rs || !Defaults.TryGetValue(rs, out var c)) return null;
        if (only is not null && !ReferenceEquals(only, c)) return null;
        Defaults.Remove(rs);
        c.IsDefault = false;
        return c;
    }
}
