using ZohoCrmEmails.Engine.Archive;

namespace ZohoCrmEmails.Tests;

/// <summary>The sweep's state in a folder: what a run plans from it, what survives a kill, and one sweep at a time.</summary>
public sealed class SweepStateTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "zcrm-sweep-tests-" + Guid.NewGuid().ToString("N"));
    private static readonly DateTimeOffset Monday = new(2026, 12, 7, 1, 0, 0, TimeSpan.Zero);
    private const string Key = "Deals|LastActivityTime|";

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private SweepState Open() => SweepState.Open(_dir, "Deals", Key);

    [Fact]
    public void A_first_sweep_lists_every_record_and_once_complete_the_next_lists_what_changed_since_it_began_less_the_margin()
    {
        using (var state = Open())
        {
            Assert.Equal((Monday, (DateTimeOffset?)null, false), state.Plan(Monday, full: false));
            state.Begin(Monday, null);
            state.MarkDone("1");
            state.Complete();
        }
        using (var state = Open())
        {
            Assert.Equal(Monday, state.LastCompleteStart);
            Assert.Null(state.Unfinished);
            var tuesday = Monday.AddDays(1);
            Assert.Equal((tuesday, (DateTimeOffset?)(Monday - SweepState.Margin), false), state.Plan(tuesday, full: false));
            Assert.Equal((tuesday, (DateTimeOffset?)null, false), state.Plan(tuesday, full: true));
        }
    }

    [Fact]
    public void A_sweep_cut_short_is_resumed_with_its_records_done_and_its_since_unmoved()
    {
        var since = Monday - TimeSpan.FromDays(1);
        using (var state = Open())
        {
            state.Begin(Monday, since);
            state.MarkDone("11");
            state.MarkDone("12");
        }   // a run that ends without completing: its dones are flushed as it ends
        using (var state = Open())
        {
            Assert.Equal((Monday, (DateTimeOffset?)since, true), state.Plan(Monday.AddDays(1), full: false));
            Assert.True(state.IsDone("11") && state.IsDone("12") && !state.IsDone("13"));
            Assert.Equal(2, state.DoneCount);
            // -Full does not resume a sweep of changes: it begins a full one.
            Assert.Equal((Monday.AddDays(1), (DateTimeOffset?)null, false), state.Plan(Monday.AddDays(1), full: true));
        }
    }

    [Fact]
    public void What_a_kill_left_half_written_is_not_trusted_and_the_log_goes_on_after_it()
    {
        using (var state = Open())
        {
            state.Begin(Monday, null);
            state.MarkDone("21");
        }
        var log = Directory.GetFiles(_dir, "zcrm-sweep-Deals-*.log").Single();
        File.AppendAllText(log, "done 2");   // a kill mid-line: no line break
        using (var state = Open())
        {
            Assert.True(state.IsDone("21"));
            Assert.False(state.IsDone("2"));
            state.MarkDone("22");
        }
        using (var state = Open())
        {
            Assert.True(state.IsDone("21") && state.IsDone("22"));
            Assert.False(state.IsDone("2"));
        }
    }

    [Fact]
    public void Complete_leaves_one_line_written_whole()
    {
        using (var state = Open())
        {
            state.Begin(Monday, null);
            for (var i = 1; i <= 250; i++) state.MarkDone(i.ToString());
            state.Complete();
        }
        var log = Directory.GetFiles(_dir, "zcrm-sweep-Deals-*.log").Single();
        Assert.Equal([$"zcrm-sweep 1 {Key}", $"complete {Monday:o}"], File.ReadAllLines(log));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void Only_one_run_sweeps_a_key_at_a_time_and_a_dead_runs_lock_is_free()
    {
        using (Open())
        {
            var ex = Assert.Throws<ZcrmException>(Open);
            Assert.Equal("Zcrm.SweepInProgress", ex.ErrorId);
            // Another module, or another criteria, is another sweep.
            using (SweepState.Open(_dir, "Deals", "Deals|LastActivityTime|Amount > 1")) { }
        }
        using (Open()) { }   // released when the run ends
        Assert.Empty(Directory.GetFiles(_dir, "*.lock"));
    }

    [Fact]
    public void Reading_for_WhatIf_writes_nothing_and_takes_no_lock()
    {
        using (var state = SweepState.Read(_dir, "Deals", Key))
        {
            Assert.Null(state.Unfinished);
            Assert.Throws<InvalidOperationException>(() => state.Begin(Monday, null));
            using (Open()) { }
        }
        Assert.False(Directory.Exists(_dir) && Directory.GetFiles(_dir, "*.log").Length > 0);
    }

    [Fact]
    public void The_sweeps_files_are_never_an_items_name()
    {
        Assert.False(ArchiveIndex.IsItemName("zcrm-sweep-Deals-1f8fc4bb.log"));
        Assert.False(ArchiveIndex.IsItemName("ZCRM-SWEEP-Deals-1f8fc4bb.lock"));
        Assert.Equal(["_zcrm-sweep-x.log", "_zcrm-sweep-x (2).log"], ArchiveIndex.Candidates("zcrm-sweep-x.log").Take(2));
        Assert.Equal("_.zcrm-x.pdf", ArchiveIndex.Candidates(".zcrm-x.pdf").First());
    }
}
