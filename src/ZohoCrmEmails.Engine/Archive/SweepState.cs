using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ZohoCrmEmails.Engine.Archive;

/// <summary>
/// What a folder knows of the sweeps of one module (and criteria, and change time) into it, for a job with no state of
/// its own: when the last complete sweep began, and which records the unfinished one has finished. A log beside the
/// index, <c>zcrm-sweep-&lt;Module&gt;-&lt;key&gt;.log</c>, append-only and flushed to disk, so a killed run loses at most
/// the last few records' "done" (which the next run lists again, finding their e-mails archived). One sweep of a key at
/// a time: its lock file is held open while it runs (a dead run's lock is free at once); another run finds it held and
/// gets Zcrm.SweepInProgress.
/// </summary>
public sealed class SweepState : IDisposable
{
    /// <summary>How far before the last complete sweep began the next one looks: clocks (Zoho's, this machine's) differ.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromMinutes(15);
    internal const string FilePrefix = "zcrm-sweep-";
    private const string Header = "zcrm-sweep 1 ";
    private static readonly TimeSpan FlushEvery = TimeSpan.FromSeconds(2);
    private const int FlushAfter = 100;

    private readonly string _path;
    private readonly string _key;
    private readonly FileStream? _lock;
    private readonly HashSet<string> _done = new(StringComparer.Ordinal);
    private readonly List<string> _unflushed = [];
    private readonly object _gate = new();
    private FileStream? _log;
    private long _lastFlush;

    private SweepState(string path, string key, FileStream? held)
    {
        _path = path;
        _key = key;
        _lock = held;
    }

    /// <summary>When the last complete sweep began, if one ever completed.</summary>
    public DateTimeOffset? LastCompleteStart { get; private set; }
    /// <summary>The sweep that began and did not complete, if any: when it began, and since when it lists (null: all).</summary>
    public (DateTimeOffset StartedAt, DateTimeOffset? Since)? Unfinished { get; private set; }
    /// <summary>Records the unfinished sweep finished.</summary>
    public int DoneCount { get { lock (_gate) return _done.Count; } }

    /// <summary>
    /// Opens (and locks) the sweep state of <paramref name="key"/> in <paramref name="directory"/>. Zcrm.SweepInProgress
    /// while another run sweeps the same; Zcrm.WriteFailed when the folder cannot be written.
    /// </summary>
    public static SweepState Open(string directory, string module, string key)
    {
        var (stem, path) = Names(directory, module, key);
        FileStream held;
        try
        {
            Directory.CreateDirectory(directory);
            held = new FileStream(Path.Combine(directory, stem + ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (IOException ex) when (ex is not DirectoryNotFoundException and not PathTooLongException)
        {
            throw new ZcrmException(ZcrmErrorCodes.SweepInProgress, ZcrmErrorKind.WriteFailed,
                $"Another run is sweeping {module} into '{directory}' now (its lock {stem}.lock is held); this run sweeps nothing. " +
                "Two sweeps of one module into one folder would list the same records twice.");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ZcrmException(ZcrmErrorCodes.WriteFailed, ZcrmErrorKind.WriteFailed, $"Writing into '{directory}' failed: {ex.Message}");
        }
        var state = new SweepState(path, key, held);
        try
        {
            state.Load();
        }
        catch
        {
            held.Dispose();
            throw;
        }
        return state;
    }

    /// <summary>The sweep state as it is, read without taking the lock or writing anything (-WhatIf); never written to.</summary>
    public static SweepState Read(string directory, string module, string key)
    {
        var state = new SweepState(Names(directory, module, key).Path, key, null);
        state.Load();
        return state;
    }

    private static (string Stem, string Path) Names(string directory, string module, string key)
    {
        var stem = FilePrefix + module + "-" + Sha256Hex.Of(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..8];
        return (stem, Path.Combine(directory, stem + ".log"));
    }

    // The log's last "complete", and after the last "begin" that followed it, the records done. A line cut short by a
    // kill (no line break at its end) is not trusted; a log of another key (a hash collision) is not this sweep's.
    private void Load()
    {
        if (!File.Exists(_path)) return;
        var text = File.ReadAllText(_path, Encoding.UTF8);
        var end = text.LastIndexOf('\n');
        var lines = end < 0 ? [] : text[..end].Split('\n');
        if (lines.Length == 0 || lines[0] != Header + _key) return;
        foreach (var line in lines.Skip(1))
        {
            var parts = line.Split(' ');
            switch (parts)
            {
                case ["complete", var at] when TryTime(at, out var t):
                    LastCompleteStart = t;
                    Unfinished = null;
                    _done.Clear();
                    break;
                case ["begin", var at, var since] when TryTime(at, out var t):
                    Unfinished = (t, since == "all" ? null : TryTime(since, out var s) ? s : null);
                    _done.Clear();
                    break;
                case ["done", var id] when InputValidator.IsId(id) && Unfinished is not null:
                    _done.Add(id);
                    break;
            }
        }
    }

    private static bool TryTime(string text, out DateTimeOffset time) =>
        DateTimeOffset.TryParseExact(text, "o", CultureInfo.InvariantCulture, DateTimeStyles.None, out time);

    /// <summary>
    /// What this run sweeps: the unfinished sweep, resumed (its records done are not listed again), unless
    /// <paramref name="full"/> asks for a full one and it was not; else a new sweep beginning <paramref name="now"/>,
    /// of the records changed since the last complete one began (less <see cref="Margin"/>), or all of them.
    /// </summary>
    public (DateTimeOffset StartedAt, DateTimeOffset? Since, bool Resumed) Plan(DateTimeOffset now, bool full)
    {
        if (Unfinished is { } u && (!full || u.Since is null)) return (u.StartedAt, u.Since, true);
        return (now, full || LastCompleteStart is not { } last ? null : last - Margin, false);
    }

    /// <summary>Records that this sweep begins (durably); records done before are forgotten.</summary>
    public void Begin(DateTimeOffset startedAt, DateTimeOffset? since)
    {
        lock (_gate)
        {
            _done.Clear();
            _unflushed.Clear();
            Unfinished = (startedAt, since);
            Append($"begin {startedAt.ToUniversalTime():o} {(since is { } s ? s.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture) : "all")}", flush: true);
        }
    }

    public bool IsDone(string recordId)
    {
        lock (_gate) return _done.Contains(recordId);
    }

    /// <summary>A record finished: its e-mails all archived. Flushed to disk within seconds or a hundred records.</summary>
    public void MarkDone(string recordId)
    {
        lock (_gate)
        {
            if (!_done.Add(recordId)) return;
            Append("done " + recordId, flush: _unflushed.Count + 1 >= FlushAfter || Environment.TickCount64 - _lastFlush >= FlushEvery.TotalMilliseconds);
        }
    }

    /// <summary>
    /// The sweep completed: the log becomes the one line that says when it began (written whole, then renamed over the
    /// old), and the next sweep lists what changed since then.
    /// </summary>
    public void Complete()
    {
        lock (_gate)
        {
            if (_lock is null) throw new InvalidOperationException("The sweep state was only read.");
            var startedAt = Unfinished?.StartedAt ?? throw new InvalidOperationException("No sweep began.");
            _log?.Dispose();
            _log = null;
            _unflushed.Clear();
            var temporary = _path + ".tmp";
            Guard(() =>
            {
                using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
                {
                    stream.Write(Encoding.UTF8.GetBytes($"{Header}{_key}\ncomplete {startedAt.ToUniversalTime():o}\n"));
                    stream.Flush(flushToDisk: true);
                }
                File.Move(temporary, _path, overwrite: true);
            });
            LastCompleteStart = startedAt;
            Unfinished = null;
            _done.Clear();
        }
    }

    // Under the gate: a line for the log, on disk at once when asked.
    private void Append(string line, bool flush)
    {
        if (_lock is null) throw new InvalidOperationException("The sweep state was only read.");
        _unflushed.Add(line);
        if (flush) Flush();
    }

    // Under the gate: the lines not yet on disk, appended (a new log starts with its header) and flushed.
    private void Flush()
    {
        if (_unflushed.Count == 0) return;
        Guard(() =>
        {
            if (_log is null)
            {
                _log = new FileStream(_path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1);
                if (_log.Length == 0 || !StartsWithHeader(_log)) { _log.SetLength(0); _unflushed.Insert(0, Header + _key); }
                else DropTornLine(_log);
                _log.Position = _log.Length;
            }
            _log.Write(Encoding.UTF8.GetBytes(string.Concat(_unflushed.Select(l => l + "\n"))));
            _log.Flush(flushToDisk: true);
        });
        _unflushed.Clear();
        _lastFlush = Environment.TickCount64;
    }

    private bool StartsWithHeader(FileStream log)
    {
        var expected = Encoding.UTF8.GetBytes(Header + _key + "\n");
        if (log.Length < expected.Length) return false;
        var actual = new byte[expected.Length];
        log.Position = 0;
        log.ReadExactly(actual);
        return actual.AsSpan().SequenceEqual(expected);
    }

    // A run killed mid-line left a tail without its line break: it was never trusted, and is cut off, so that the next
    // line neither joins it nor makes it whole.
    private static void DropTornLine(FileStream log)
    {
        var end = log.Length;
        while (end > 0)
        {
            log.Position = end - 1;
            if (log.ReadByte() == '\n') break;
            end--;
        }
        log.SetLength(end);
    }

    private void Guard(Action write)
    {
        try
        {
            write();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ZcrmException(ZcrmErrorCodes.WriteFailed, ZcrmErrorKind.WriteFailed, $"Writing the sweep's state '{_path}' failed: {ex.Message}");
        }
    }

    /// <summary>Flushes the records done, and lets the sweep's lock go.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            try
            {
                if (Unfinished is not null && _lock is not null) Flush();
            }
            catch (ZcrmException)
            {
                // The records not flushed are listed again next run, their e-mails found archived.
            }
            finally
            {
                _log?.Dispose();
                _lock?.Dispose();
            }
        }
    }
}
