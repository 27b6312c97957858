using System.Collections.Concurrent;
using System.Globalization;

namespace ZohoCrmEmails.Simulator;

/// <summary>
/// The records of a module as the Records API and COQL list them: <see cref="SimulatorKnobs.RecordCount"/> records
/// with deterministic ids, fields and times (the same in every module), and what happened to them since the simulator
/// started (an e-mail arrived: its count grows and its times move).
/// </summary>
public sealed class SimRecordStore
{
    /// <summary>The first listed record's id is this plus one; record i (1-based) is this plus i.</summary>
    public const long FirstId = 4150868000030000000;
    /// <summary>The custom view the simulator knows: the records with an odd number ("Open deals").</summary>
    public const string OpenDealsView = "4150868000000087501";
    private static readonly DateTimeOffset BaseTime = new(2026, 1, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly string[] Stages = ["Qualification", "Needs Analysis", "Closed Won", "Closed Lost"];
    /// <summary>Fields a record has, as the Records API names them (any other asked for is INVALID_DATA).</summary>
    public static readonly string[] FieldNames = ["id", "Deal_Name", "Stage", "Amount", "Owner", "Email", "Created_Time", "Modified_Time", "Last_Activity_Time"];

    private readonly ConcurrentDictionary<string, Change> _changes = new(StringComparer.Ordinal);

    private sealed record Change(int ExtraEmails, DateTimeOffset? Modified, DateTimeOffset? Activity);

    public static string IdOf(int number) => (FirstId + number).ToString(CultureInfo.InvariantCulture);

    /// <summary>The record's number (1-based) when <paramref name="recordId"/> is one of the listed records.</summary>
    public static int? NumberOf(string recordId, SimulatorKnobs knobs) =>
        long.TryParse(recordId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > FirstId && id - FirstId <= knobs.RecordCount
            ? (int)(id - FirstId)
            : null;

    /// <summary>E-mails the record has: its own (see <see cref="SimulatorKnobs.RecordEmailsMax"/>) plus those that arrived since.</summary>
    public int EmailCount(string module, string recordId, SimulatorKnobs knobs)
    {
        var own = NumberOf(recordId, knobs) is { } n && knobs.RecordEmailsMax is { } max and > 0
            ? (n % 3 == 0 ? 0 : 1 + (int)((long)n * 7919 % max))
            : SimData.EmailCount(module, recordId, knobs);
        return own + (_changes.TryGetValue(Key(module, recordId), out var c) ? c.ExtraEmails : 0);
    }

    /// <summary>A new e-mail on the record: one more to list, and its times moved to now (which, per <see cref="SimulatorKnobs.NewEmailMoves"/>).</summary>
    public void EmailArrived(string module, string recordId, SimulatorKnobs knobs)
    {
        var now = DateTimeOffset.UtcNow;
        var moves = knobs.NewEmailMoves;
        _changes.AddOrUpdate(Key(module, recordId),
            _ => new Change(1, moves is "both" or "modified" ? now : null, moves is "both" or "activity" ? now : null),
            (_, c) => new Change(c.ExtraEmails + 1, moves is "both" or "modified" ? now : c.Modified, moves is "both" or "activity" ? now : c.Activity));
    }

    public void Clear() => _changes.Clear();

    /// <summary>The listed records of a module, in id order, with their field values (CLR values: string, long, DateTimeOffset, owner).</summary>
    public IEnumerable<SimRecord> Records(string module, SimulatorKnobs knobs)
    {
        for (var n = 1; n <= knobs.RecordCount; n++)
        {
            var id = IdOf(n);
            _changes.TryGetValue(Key(module, id), out var c);
            var modified = c?.Modified ?? BaseTime.AddMinutes(n);
            var activity = c?.Activity ?? BaseTime.AddMinutes(n + 30);
            yield return new SimRecord(n, id, new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
            {
                ["id"] = long.Parse(id, CultureInfo.InvariantCulture),
                ["Deal_Name"] = $"{module} deal {n}",
                ["Stage"] = Stages[n % Stages.Length],
                ["Amount"] = (long)n * 1000,
                ["Owner"] = new SimOwner("Pat Boyle", SimData.DefaultOwnerId),
                ["Email"] = $"buyer{n}@customer.example.org",
                ["Created_Time"] = BaseTime.AddMinutes(n - 10_000),
                ["Modified_Time"] = modified,
                ["Last_Activity_Time"] = activity,
            });
        }
    }

    private static string Key(string module, string recordId) => module + "/" + recordId;
}

public sealed record SimRecord(int Number, string Id, Dictionary<string, object?> Fields);

public sealed record SimOwner(string Name, string Id);
