using System.Collections.Concurrent;
using System.Management.Automation;
using ZohoCrmEmails.Engine;

namespace ZohoCrmEmails.Module;

/// <summary>
/// What every cmdlet shares: a cancellation token that StopProcessing (Ctrl+C) cancels, disposal that runs even after
/// a stop, the call context that carries this invocation's -Verbose/-Debug trace, and ZcrmException → ErrorRecord.
/// </summary>
public abstract class ZcrmCmdletBase : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private PipelineTraceSink? _trace;
    private SecretRedactor? _redactor;

    protected CancellationToken CancelToken => _cts.Token;

    protected override void StopProcessing() => _cts.Cancel();

    /// <summary>
    /// The context for this invocation's calls: its own request cap, and a trace sink only when -Verbose or -Debug
    /// output would be shown (traces cost nothing otherwise). Traces reach this cmdlet, whatever else shares the
    /// connection or the pipeline.
    /// </summary>
    protected ZcrmCallContext CreateCallContext(int? maxConcurrentRequests = null)
    {
        var verbose = IsStreamEnabled("Verbose", "VerbosePreference");
        var debug = IsStreamEnabled("Debug", "DebugPreference");
        _trace = verbose || debug ? new PipelineTraceSink(verbose, debug) : null;
        return new ZcrmCallContext(maxConcurrentRequests, _trace);
    }

    /// <summary>A line of this cmdlet's own about what it does, where its request lines go; redacted.</summary>
    protected void WriteTrace(string text)
    {
        _trace?.Lines.Enqueue((_trace.Verbose is false, Redact(text)));
        FlushTrace();
    }

    /// <summary>The connection whose secrets every text written by this cmdlet is redacted against.</summary>
    protected void UseRedactor(ZcrmClient client) => _redactor = client.Redactor;

    protected string Redact(string text) => _redactor?.Redact(text) ?? text;

    private bool IsStreamEnabled(string parameter, string preference)
    {
        if (MyInvocation.BoundParameters.TryGetValue(parameter, out var value))
            return value is SwitchParameter { IsPresent: true } or true;
        return GetVariableValue(preference) is ActionPreference p && p is not (ActionPreference.SilentlyContinue or ActionPreference.Ignore);
    }

    /// <summary>Writes the -Verbose/-Debug lines queued by requests, on the pipeline thread where Write* is allowed.</summary>
    protected void FlushTrace()
    {
        if (_trace is null) return;
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

    /// <summary>Waits for async work's result on the pipeline thread, as <see cref="Wait(Task)"/>.</summary>
    protected T Wait<T>(Task<T> task)
    {
        Wait((Task)task);
        return task.Result;
    }

    /// <summary>An async sequence read on the pipeline thread, one element at a time, each wait as <see cref="Wait(Task)"/>.</summary>
    protected IEnumerable<T> Each<T>(IAsyncEnumerable<T> source)
    {
        var e = source.GetAsyncEnumerator(CancelToken);
        try
        {
            while (Wait(e.MoveNextAsync().AsTask())) yield return e.Current;
        }
        finally
        {
            Wait(e.DisposeAsync().AsTask());
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

    /// <summary>
    /// A path resolved as Export-Csv resolves -Path: relative to the current location, with ~ and the FileSystem
    /// provider's drives (TestDrive:). Zcrm.InvalidPath for a path that cannot be resolved or lies on another provider.
    /// </summary>
    protected string ResolveFileSystemPath(string path)
    {
        string resolved;
        ProviderInfo provider;
        try
        {
            resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);
        }
        catch (Exception ex) when (ex is ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or NotSupportedException or ArgumentException)
        {
            throw InvalidPath($"'{path}' is not a path of the file system: {ex.Message}");
        }
        if (provider.Name != "FileSystem")
            throw InvalidPath($"'{path}' is on the {provider.Name} provider; give a folder of the file system.");
        return resolved;
    }

    protected static ZcrmException InvalidPath(string message) => new(ZcrmErrorCodes.InvalidPath, ZcrmErrorKind.InvalidArgument, message);

    /// <summary>The -Connection given, else this runspace's default; terminating Zcrm.NotConnected without one.</summary>
    protected ZcrmClient ResolveConnection(ZcrmConnection? explicitConnection)
    {
        var connection = explicitConnection ?? DefaultConnection.Get();
        if (connection?.State is ZcrmClient { IsClosed: false } client)
        {
            UseRedactor(client);
            return client;
        }
        var message = connection is null
            ? "Not connected to Zoho CRM. Run Connect-Zcrm first, or pass -Connection."
            : "This Zoho CRM connection was closed (Disconnect-Zcrm). Run Connect-Zcrm again.";
        ThrowTerminatingError(ErrorRecords.From(new ZcrmException(ZcrmErrorCodes.NotConnected, ZcrmErrorKind.Authentication, message), null, null, Redact));
        return null!;
    }

    /// <summary>
    /// Non-terminating for a failure of one item; terminating when nothing more can succeed on the connection
    /// (authentication, the credit reserve). <paramref name="item"/> names what failed ("Deals/4150868000001234001"),
    /// in front of the message, so that a transcript line alone says which.
    /// </summary>
    protected void ReportError(Exception error, object? target, string? item)
    {
        FlushTrace();
        if (error is ZcrmException zex)
        {
            var record = ErrorRecords.From(zex, target, item, Redact);
            if (zex.EndsTheRun) ThrowTerminatingError(record);
            else WriteError(record);
        }
        else
        {
            // A defect of the module, not a wire failure: kept whole for the bug report, its text still redacted.
            WriteError(new ErrorRecord(error, "Zcrm.UnexpectedError", ErrorCategory.NotSpecified, target)
            {
                ErrorDetails = new ErrorDetails(Redact(ErrorRecords.Prefix(item) + error.Message)),
            });
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
        _cts.Cancel();
        _cts.Dispose();
    }

    /// <summary>
    /// Queues trace lines from any thread; the cmdlet writes them on the pipeline thread. The request line goes to
    /// Verbose, or to Debug when only -Debug is on: PowerShell turns -Debug alone into "Inquire" for Verbose, which would
    /// prompt once per request.
    /// </summary>
    private sealed class PipelineTraceSink(bool verbose, bool debug) : IZcrmTraceSink
    {
        public ConcurrentQueue<(bool Debug, string Text)> Lines { get; } = new();
        public bool Verbose => verbose;
        public bool IncludeHeaders => debug;

        public void OnRequest(ZcrmRequestTrace trace)
        {
            Lines.Enqueue((!verbose, trace.ToString()));
            if (!debug) return;
            Lines.Enqueue((true, $"{trace.Method} {trace.PathAndQuery} request headers: {Format(trace.RequestHeaders)}"));
            Lines.Enqueue((true, $"{trace.Method} {trace.PathAndQuery} response headers: {Format(trace.ResponseHeaders)}"));
        }

        private long _credits = -1;

        // Every response carries the count once Zoho sends it: said when it is first seen and when it changes.
        public void OnApiCreditsRemaining(long credits)
        {
            if (Interlocked.Exchange(ref _credits, credits) != credits)
                Lines.Enqueue((!verbose, $"Zoho API credits remaining today: {credits}"));
        }

        public void OnNotice(string text) => Lines.Enqueue((!verbose, text));

        private static string Format(IReadOnlyList<KeyValuePair<string, string>> headers) =>
            headers.Count == 0 ? "(none)" : string.Join("; ", headers.Select(h => $"{h.Key}: {h.Value}"));
    }
}
