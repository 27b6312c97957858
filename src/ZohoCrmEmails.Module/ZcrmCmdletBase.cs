using System.Collections.Concurrent;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace ZohoCrmEmails.Module;

/// <summary>
/// What every cmdlet shares: a cancellation token that StopProcessing (Ctrl+C) cancels, disposal that runs even
/// after a stop, the trace sink behind -Verbose and -Debug, and ZcrmException → ErrorRecord.
/// </summary>
public abstract class ZcrmCmdletBase : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly PipelineTraceSink _trace = new();
    private IDisposable? _traceScope;

    protected CancellationToken CancelToken => _cts.Token;

    protected override void BeginProcessing() => _traceScope = ZcrmTrace.Use(_trace);

    protected override void StopProcessing() => _cts.Cancel();

    /// <summary>Writes the -Verbose/-Debug lines queued by requests, on the pipeline thread where Write* is allowed.</summary>
    protected void FlushTrace()
    {
        while (_trace.Lines.TryDequeue(out var line))
        {
            if (line.Debug) WriteDebug(line.Text);
            else WriteVerbose(line.Text);
        }
    }

    /// <summary>Waits for async work on the pipeline thread; a stop surfaces as PipelineStoppedException, never swallowed.</summary>
    protected void Wait(Task task)
    {
        try
        {
            task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (_cts.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>Runs the pipeline-thread part of a blocking enumeration, turning a stop into PipelineStoppedException.</summary>
    protected IEnumerable<T> Stoppable<T>(IEnumerable<T> source)
    {
        using var e = source.GetEnumerator();
        while (true)
        {
            try
            {
                if (!e.MoveNext()) yield break;
            }
            catch (OperationCanceledException) when (_cts.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            yield return e.Current;
        }
    }

    protected ZcrmConnection ResolveConnection(ZcrmConnection? explicitConnection)
    {
        var connection = explicitConnection ?? ZcrmSession.Get();
        if (connection is null)
        {
            var ex = new ZcrmException(ZcrmErrorCodes.NotConnected, ZcrmErrorKind.Authentication,
                "Not connected to Zoho CRM. Run Connect-Zcrm first, or pass -Connection.");
            ThrowTerminatingError(ErrorRecords.From(ex, null));
        }
        return connection!;
    }

    /// <summary>Non-terminating for a failure of one record; terminating when no record can succeed (authentication).</summary>
    protected void ReportError(Exception error, object? target)
    {
        FlushTrace();
        if (error is ZcrmException zex)
        {
            var record = ErrorRecords.From(zex, target);
            if (zex.Kind != ZcrmErrorKind.Authentication) WriteError(record);
            else ThrowTerminatingError(record);
        }
        else
        {
            WriteError(new ErrorRecord(error, "Zcrm.UnexpectedError", ErrorCategory.NotSpecified, target));
        }
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (!disposing) return;
        _traceScope?.Dispose();
        _cts.Cancel();
        _cts.Dispose();
    }

    private sealed class PipelineTraceSink : IZcrmTraceSink
    {
        public ConcurrentQueue<(bool Debug, string Text)> Lines { get; } = new();

        public void OnRequest(ZcrmRequestTrace trace)
        {
            Lines.Enqueue((false, trace.ToString()));
            Lines.Enqueue((true, $"{trace.Method} {trace.PathAndQuery} request headers: {Format(trace.RequestHeaders)}"));
            Lines.Enqueue((true, $"{trace.Method} {trace.PathAndQuery} response headers: {Format(trace.ResponseHeaders)}"));
        }

        public void OnCreditsRemaining(long credits) => Lines.Enqueue((false, $"Zoho API credits remaining today: {credits}"));

        private static string Format(IReadOnlyList<KeyValuePair<string, string>> headers) =>
            headers.Count == 0 ? "(none)" : string.Join("; ", headers.Select(h => $"{h.Key}: {h.Value}"));
    }
}

/// <summary>ZcrmException → ErrorRecord: ErrorId "Zcrm.&lt;code&gt;", category by kind, recommended action filled in.</summary>
public static class ErrorRecords
{
    public static ErrorRecord From(ZcrmException ex, object? target) => new(ex, ex.ErrorId, Category(ex.Kind), target)
    {
        ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = ex.RecommendedAction },
    };

    public static ErrorCategory Category(ZcrmErrorKind kind) => kind switch
    {
        ZcrmErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        ZcrmErrorKind.Authentication => ErrorCategory.AuthenticationError,
        ZcrmErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        ZcrmErrorKind.NotFound => ErrorCategory.ObjectNotFound,
        ZcrmErrorKind.LimitsExceeded => ErrorCategory.LimitsExceeded,
        ZcrmErrorKind.Connection => ErrorCategory.ConnectionError,
        ZcrmErrorKind.Timeout => ErrorCategory.OperationTimeout,
        ZcrmErrorKind.InvalidResponse => ErrorCategory.InvalidResult,
        _ => ErrorCategory.NotSpecified,
    };
}

/// <summary>
/// The default connection of each runspace. Keyed by runspace, not a process-wide static value: runspaces of
/// ForEach-Object -Parallel or of a host each have their own and cannot clobber another's.
/// </summary>
public static class ZcrmSession
{
    private static readonly ConditionalWeakTable<Runspace, ZcrmConnection> Defaults = new();

    public static ZcrmConnection? Get() =>
        Runspace.DefaultRunspace is { } rs && Defaults.TryGetValue(rs, out var c) ? c : null;

    public static void Set(ZcrmConnection connection)
    {
        var rs = Runspace.DefaultRunspace ?? throw new InvalidOperationException("No runspace on this thread.");
        Defaults.AddOrUpdate(rs, connection);
    }

    public static ZcrmConnection? Remove()
    {
        if (Runspace.DefaultRunspace is not { } rs || !Defaults.TryGetValue(rs, out var c)) return null;
        Defaults.Remove(rs);
        return c;
    }
}
