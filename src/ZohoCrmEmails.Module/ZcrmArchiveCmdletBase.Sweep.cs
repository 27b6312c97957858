using System.Globalization;
using ZohoCrmEmails.Engine;
using ZohoCrmEmails.Engine.Archive;
using ZohoCrmEmails.Engine.FanOut;
using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Module;

// -All: a sweep of a whole module into one folder, for a scheduled task with no state of its own. The folder keeps the
// sweep's state (SweepState): a first run lists every record; a later one the records changed since the last complete
// sweep began; a run cut short (the credit reserve, the breaker, Ctrl+C, a kill) leaves the "since" where it was, and
// the next run resumes it without listing the e-mails of the records it finished.
public abstract partial class ZcrmArchiveCmdletBase
{
    private void Sweep()
    {
        var archiver = CurrentArchiver();
        var plain = new ZcrmRecordQuery(Module) { Criteria = Criteria };
        try
        {
            InputValidator.RecordQuery(plain);
        }
        catch (ZcrmException ex)
        {
            ThrowTerminatingError(ErrorRecords.From(ex, Module, Module, Redact));
        }
        // A sweep is one module, one criteria, one change time, one set of mailboxes: each has a state of its own.
        var key = $"{Module}|{ChangeTime}|{Criteria}" + (AllMailboxes ? "|AllMailboxes" : "");
        SweepState state = null!;
        try
        {
            state = _whatIf ? SweepState.Read(archiver.Folder.Directory, Module, key) : SweepState.Open(archiver.Folder.Directory, Module, key);
        }
        catch (ZcrmException ex)
        {
            ThrowTerminatingError(ErrorRecords.From(ex, archiver.Folder.Directory, Module, Redact));
        }
        using (state)
        {
            var (startedAt, since, resumed) = state.Plan(DateTimeOffset.UtcNow, Full);
            var query = since is not { } from ? plain
                : ChangeTime == ZcrmChangeTime.ModifiedTime ? plain with { ModifiedSince = from } : plain with { ActiveSince = from };
            var what = Describe(query, since, resumed ? state.DoneCount : null, startedAt);
            if (_whatIf)
            {
                WhatIfSweep(archiver, query, what, resumed ? state.DoneCount : 0);
                return;
            }
            WriteVerbose(Redact($"Sweeping {what} into {archiver.Folder.Directory}."));
            if (!resumed) state.Begin(startedAt, since);
            Exception? walkFailed = null;
            using var walk = new OrderedFanOut<ZcrmRecordQuery, ZcrmRecord>(1, (q, _) => _client.GetRecordPages(q, _context), CancelToken)
            {
                InputEnded = (_, error) => walkFailed = error,
            };
            void Found(ZcrmRecord record)
            {
                if (state.IsDone(record.Id))
                {
                    Interlocked.Increment(ref _recordsDoneBefore);
                    return;
                }
                _flow!.AddRecord(archiver, new RecordTracker(Module, record.Id, ended =>
                {
                    if (!ended.Whole)
                    {
                        Interlocked.Increment(ref _recordsUnfinished);
                        return;
                    }
                    state.MarkDone(ended.RecordId);
                    Interlocked.Increment(ref _recordsDone);
                }));
            }
            Drain(walk.Add(query), q => q.Module, q => q.Module, (_, record) => Found(record));
            Drain(walk.Complete(), q => q.Module, q => q.Module, (_, record) => Found(record));
            _flow!.Complete();
            var unfinished = Interlocked.Read(ref _recordsUnfinished);
            if (walkFailed is null && unfinished == 0)
            {
                state.Complete();
                WriteVerbose($"The sweep of {Module} is complete: {Interlocked.Read(ref _recordsDone)} records finished in this run" +
                    $"{(Interlocked.Read(ref _recordsDoneBefore) > 0 ? $", {Interlocked.Read(ref _recordsDoneBefore)} before it" : "")}. " +
                    $"The next run archives what changed since {startedAt.ToLocalTime():yyyy-MM-dd HH:mm:ss}.");
            }
            else
            {
                WriteVerbose($"The sweep of {Module} is not complete ({(walkFailed is null ? $"{unfinished} records unfinished" : "its records could not all be found")}): " +
                    "the next run goes on with it, without listing again the records finished.");
            }
        }
    }

    private string Describe(ZcrmRecordQuery query, DateTimeOffset? since, int? doneBefore, DateTimeOffset startedAt)
    {
        var which = since is not { } from ? "every record" : $"the records whose {(ChangeTime == ZcrmChangeTime.ModifiedTime ? "Modified_Time" : "Last_Activity_Time or Modified_Time")} " +
            $"is at or after {from.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} ({SweepState.Margin.TotalMinutes:0} minutes before the last complete sweep began)";
        var criteria = query.Criteria is null ? "" : $" that match \"{query.Criteria}\"";
        var resume = doneBefore is { } done
            ? $", going on with the sweep begun {startedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} ({done} records it finished are not listed again)"
            : "";
        return $"{which} of {Module}{criteria}{resume}";
    }

    // What the sweep would list and roughly cost, without listing e-mails: the module's count (one request), or, for
    // a criteria or a change time, its records found (a request a page) and counted.
    private void WhatIfSweep(EmailArchiver archiver, ZcrmRecordQuery query, string what, int doneBefore)
    {
        long records;
        var pages = 1L;
        if (query is { Criteria: null, ModifiedSince: null, ActiveSince: null })
        {
            records = Wait(_client.CountRecordsAsync(Module, null, _context, CancelToken)) - doneBefore;
        }
        else
        {
            records = 0;
            pages = 0;
            foreach (var page in Each(_client.GetRecordPages(query, _context)))
            {
                pages++;
                records += page.Count;
            }
            records -= doneBefore;
        }
        records = Math.Max(0, records);
        ShouldProcess(archiver.Folder.Directory,
            $"Sweep {what}: list the e-mails of {records} records. That costs about {pages} request(s) to find them and {records} to list their " +
            "e-mails (one more for each further ten e-mails of a record), then one for each e-mail not yet archived and one for each of " +
            "its attachments; one API credit each");
    }
}
