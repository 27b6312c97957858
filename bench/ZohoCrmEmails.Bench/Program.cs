using System.Diagnostics;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using ZohoCrmEmails.Bench;
using ZohoCrmEmails.Engine;
using ZohoCrmEmails.Engine.Archive;
using ZohoCrmEmails.Engine.FanOut;
using ZohoCrmEmails.Engine.Http;
using ZohoCrmEmails.Engine.Json;
using ZohoCrmEmails.Engine.Paging;
using ZohoCrmEmails.Models;
using ZohoCrmEmails.Simulator;

// The engine's own table: the four scenarios and the archive index's load against the standalone simulator over loopback, in one process, so the
// engine is measured without pwsh. Numbers, not assertions: the tests assert behaviour; this reports how fast and
// how lean that behaviour is on this machine. "raw <base> <concurrency> <id>…" instead pages records with a bare
// HttpClient and no model (the wire's ceiling next to the module), for bench/Measure-Module.ps1; "raw-detail <base>
// content|export|save <concurrency> <id>" lists one record and reads its e-mails in full (and downloads their
// attachments), overlapped with the listing, the same way.

if (args is ["raw-detail", var detailBase, var work, var detailConcurrency, var detailId])
{
    Console.WriteLine(await RawPaging.RunDetailAsync(new Uri(detailBase), work, int.Parse(detailConcurrency), detailId));
    return 0;
}
if (args is ["raw", var rawBase, var rawConcurrency, .. var rawIds])
{
    Console.WriteLine(await RawPaging.RunAsync(new Uri(rawBase), int.Parse(rawConcurrency), rawIds));
    return 0;
}

await using var sim = await SimulatorProcess.StartAsync();
using var connection = new ZcrmClient(new ZcrmConnectionOptions
{
    AccountsUrl = sim.BaseUri,
    ClientId = SimCredentials.ClientId,
    ClientSecret = SimCredentials.ClientSecret,
    RefreshToken = SimCredentials.RefreshToken,
});
await connection.ConnectAsync();
// Warm-up through the measured path (JIT tiers, token cached, pooled connections open); not measured.
await sim.SetKnobsAsync(new { latencyMs = 0, defaultEmailCount = 1000 });
await Scenario.RunAsync(sim, connection, Enumerable.Range(1, 12).Select(i => $"41508680009{i:d8}").ToArray(), throttle: 10);

Console.WriteLine($"ZohoCrmEmails benchmark — {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription.Trim()}, " +
    $"{RuntimeInformation.FrameworkDescription}, {RuntimeInformation.ProcessArchitecture}, simulator {sim.BaseUri}");
Console.WriteLine();

var rows = new List<string[]>();
var notes = new List<string>();

// S1: one record, 1,000 e-mails, 20 ms a request. Pages are sequential (each cursor comes from the page before).
{
    await sim.SetKnobsAsync(new { latencyMs = 20, defaultEmailCount = 1000 });
    var run = await Scenario.RunAsync(sim, connection, ["4150868000000090001"], throttle: 1);
    var bound = TimeSpan.FromMilliseconds(100 * 20);
    var firstOk = run.FirstItem.TotalMilliseconds <= 20 + 10;
    rows.Add(Row("S1", "1 record × 1,000 e-mails, 20 ms", run, bound, "—", run.Wall <= bound * 1.1 && firstOk, "≤ 1.1× bound; first e-mail ≤ 30 ms"));
    notes.Add($"S1 first e-mail after {run.FirstItem.TotalMilliseconds:F1} ms (goal ≤ 30 ms).");
}

// S2: 500 records × 25 e-mails, 20 ms, throttle 10; the sequential baseline is the same work at throttle 1.
{
    await sim.SetKnobsAsync(new { latencyMs = 20, defaultEmailCount = 25 });
    var ids = Enumerable.Range(1, 500).Select(i => $"41508680001{i:d8}").ToArray();
    var run = await Scenario.RunAsync(sim, connection, ids, throttle: 10);
    var sequential = await Scenario.RunAsync(sim, connection, ids, throttle: 1);
    var bound = TimeSpan.FromMilliseconds(1500 * 20 / 10.0);
    var speedUp = sequential.Wall / run.Wall;
    rows.Add(Row("S2", "500 records × 25 e-mails, 20 ms, throttle 10", run, bound, $"{speedUp:F1}×",
        run.Wall <= bound * 1.25 && speedUp >= 8, "≤ 1.25× bound; ≥ 8× sequential"));
    notes.Add($"S2 sequential baseline (throttle 1, same 500 records): {sequential.Requests} requests in {sequential.Wall.TotalSeconds:F2} s; " +
              $"peak requests in flight at throttle 10: {run.PeakInFlight}.");
}

// S3: parse throughput and allocation, on the client's own page-parse path, from a real simulator page.
{
    var page = await sim.GetRawPageAsync();
    var parse = Scenario.Parse(page, pages: 10_000);
    var ok = parse.EmailsPerSecond >= 100_000 && parse.BytesPerEmail <= 2048;
    rows.Add([
        "S3", "100,000 e-mails parsed into models, no latency", "—", $"{parse.Wall.TotalSeconds:F2} s", "—", "—", "—", "—",
        $"{parse.EmailsPerSecond:N0} e-mails/s, {parse.BytesPerEmail:N0} B/e-mail", "≥ 100,000/s; ≤ 2 KB/e-mail", ok ? "yes" : "NO",
    ]);
}

// S4: stream 100,000 e-mails end to end (40 records × 2,500, throttle 4) and watch memory; 20,000 for comparison.
{
    await sim.SetKnobsAsync(new { latencyMs = 0, defaultEmailCount = 2500 });
    var small = await Scenario.RunAsync(sim, connection, Enumerable.Range(1, 8).Select(i => $"41508680002{i:d8}").ToArray(), throttle: 4);
    var large = await Scenario.RunAsync(sim, connection, Enumerable.Range(1, 40).Select(i => $"41508680003{i:d8}").ToArray(), throttle: 4);
    var ok = large.PeakHeapGrowth <= 64L << 20 && large.PeakHeapGrowth <= small.PeakHeapGrowth + (16L << 20);
    rows.Add([
        "S4", "stream 100,000 e-mails (40 × 2,500), throttle 4", large.Requests.ToString("N0"), $"{large.Wall.TotalSeconds:F2} s", "—", "—", "—",
        $"{Mb(large.PeakHeapGrowth)} heap / {Mb(large.PeakWorkingSetGrowth)} RSS",
        $"20,000 e-mails: {Mb(small.PeakHeapGrowth)} heap / {Mb(small.PeakWorkingSetGrowth)} RSS",
        "≤ 64 MB, flat with count", ok ? "yes" : "NO",
    ]);
    notes.Add($"S4 end to end over loopback (client and simulator sharing {Environment.ProcessorCount} cores): " +
              $"{large.Emails / large.Wall.TotalSeconds:N0} e-mails/s, {large.Emails:N0} e-mails.");
}

// A1: a nightly archive's index of 100,000 rows (attachments and .eml files, realistic names), opened cold: what every
// run into that folder pays before its first request. Median of 5 loads, each in a fresh ArchiveIndex.
{
    var folder = Path.Combine(Path.GetTempPath(), $"zcrm-bench-index-{Environment.ProcessId}");
    Directory.CreateDirectory(folder);
    try
    {
        var text = new StringBuilder().Append(IndexCsv.Header).Append('\n');
        var at = DateTimeOffset.UtcNow;
        for (var i = 0; i < 100_000; i++)
        {
            var record = $"41508680001{i / 100:d8}";
            var message = $"c4f1e0b2a3d4{i:x8}e5f60718293a4b5c6d7e8f90a1b2c3d4";
            text.Append(IndexCsv.Line(i % 4 == 0
                ? new ArchiveEntry(new(new("Deals", record, message), ""), "", 2, $"2024-05-09 123312 Quote follow-up {i}.eml", 48_213, new string('a', 64), at)
                : new ArchiveEntry(new(new("Deals", record, message), $"{i}"), $"quote-{i}.pdf", null, $"quote-{i}.pdf", 120_000 + i, new string('b', 64), at)));
        }
        File.WriteAllBytes(Path.Combine(folder, ArchiveIndex.FileName), [.. IndexCsv.Preamble, .. Encoding.UTF8.GetBytes(text.ToString())]);
        var loads = new List<TimeSpan>();
        var count = 0;
        for (var i = 0; i < 5; i++)
        {
            var clock = Stopwatch.StartNew();
            using var index = ArchiveIndex.Open(folder);
            count = index.Entries.Count;
            loads.Add(clock.Elapsed);
        }
        var median = loads.Order().ElementAt(loads.Count / 2);
        rows.Add([
            "A1", "open an archive index of 100,000 rows", "—", $"{median.TotalSeconds:F2} s", "1.00 s", $"{median / TimeSpan.FromSeconds(1):F2}×", "—", "—",
            $"{count:N0} rows, {new FileInfo(Path.Combine(folder, ArchiveIndex.FileName)).Length / (1024.0 * 1024.0):F1} MB; loads {string.Join(", ", loads.Select(l => $"{l.TotalMilliseconds:F0} ms"))}",
            "≤ 1 s", median <= TimeSpan.FromSeconds(1) && count == 100_000 ? "yes" : "NO",
        ]);
    }
    finally
    {
        Directory.Delete(folder, recursive: true);
    }
}

string[] header = ["id", "work", "requests", "wall", "bound", "ratio", "speed-up", "peak memory growth", "other", "goal", "met"];
Console.WriteLine("| " + string.Join(" | ", header) + " |");
Console.WriteLine("|" + string.Concat(header.Select(_ => "---|")));
foreach (var r in rows) Console.WriteLine("| " + string.Join(" | ", r) + " |");
Console.WriteLine();
foreach (var n in notes) Console.WriteLine(n);
return rows.All(r => r[^1] == "yes") ? 0 : 1;

static string Mb(long bytes) => $"{bytes / (1024.0 * 1024.0):F1} MB";

static string[] Row(string id, string work, Scenario.Result run, TimeSpan bound, string speedUp, bool met, string goal) =>
[
    id, work, run.Requests.ToString("N0"), $"{run.Wall.TotalSeconds:F2} s", $"{bound.TotalSeconds:F2} s", $"{run.Wall / bound:F2}×", speedUp,
    $"{Mb(run.PeakHeapGrowth)} heap / {Mb(run.PeakWorkingSetGrowth)} RSS", "—", goal, met ? "yes" : "NO",
];

namespace ZohoCrmEmails.Bench
{
    internal static class Scenario
    {
        public sealed record Result(long Requests, long Emails, TimeSpan Wall, TimeSpan FirstItem, int PeakInFlight, long PeakHeapGrowth, long PeakWorkingSetGrowth);

        public sealed record ParseResult(TimeSpan Wall, double EmailsPerSecond, double BytesPerEmail);

        /// <summary>The cmdlets' path: records through the ordered fan-out, results consumed on this thread.</summary>
        public static async Task<Result> RunAsync(SimulatorProcess sim, ZcrmClient connection, string[] ids, int throttle)
        {
            var before = await sim.StatsAsync();
            await sim.ResetPeakAsync();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var baseHeap = GC.GetTotalMemory(false);
            var baseRss = Environment.WorkingSet;
            long peakHeap = baseHeap, peakRss = baseRss, emails = 0;
            TimeSpan first = default;

            var clock = Stopwatch.StartNew();
            using (var fanOut = new OrderedFanOut<RecordRequest, ZcrmEmail>(throttle, RecordPages.Emails(connection, null, false, new ZcrmCallContext(throttle)), CancellationToken.None))
            {
                void Take(IEnumerable<FanOutResult<RecordRequest, ZcrmEmail>> results)
                {
                    foreach (var r in results)
                    {
                        if (r.IsPending) continue;
                        if (r.IsError) throw r.Error!;
                        if (emails++ == 0) first = clock.Elapsed;
                        // What is live, not what the collector has not yet swept: a full collection at each sample.
                        if (emails % 1000 == 0)
                        {
                            peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(true));
                            peakRss = Math.Max(peakRss, Environment.WorkingSet);
                        }
                    }
                }
                foreach (var id in ids) Take(fanOut.Add(new RecordRequest("Deals", id)));
                Take(fanOut.Complete());
            }
            var wall = clock.Elapsed;
            peakRss = Math.Max(peakRss, Environment.WorkingSet);

            var after = await sim.StatsAsync();
            return new Result(after.ListRequests - before.ListRequests, emails, wall, first, after.PeakInFlight, peakHeap - baseHeap, peakRss - baseRss);
        }

        /// <summary>Parses one real list page <paramref name="pages"/> times, exactly as a response is parsed.</summary>
        public static ParseResult Parse(byte[] bytes, int pages)
        {
            // The body as the wire handler leaves it: read once into a rented buffer, then parsed in place.
            using var body = BufferedBody.ReadAsync(new ByteArrayContent(bytes), bytes.Length, "GET /bench", 200, CancellationToken.None).GetAwaiter().GetResult();
            var strings = new Utf8StringPool();   // as a connection has one
            var perPage = ResponseParser.EmailPage(200, body, "Deals", "1", "GET /bench", strings).Emails.Count;
            for (var i = 0; i < 500; i++) ResponseParser.EmailPage(200, body, "Deals", "1", "GET /bench", strings);   // JIT and caches

            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < pages; i++) ResponseParser.EmailPage(200, body, "Deals", "1", "GET /bench", strings);
            var wall = clock.Elapsed;
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            var emails = (double)pages * perPage;
            return new ParseResult(wall, emails / wall.TotalSeconds, allocated / emails);
        }
    }

    /// <summary>The simulator as its own process on a free loopback port, and its control endpoints.</summary>
    internal sealed class SimulatorProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly HttpClient _control = new();

        private SimulatorProcess(Process process, Uri baseUri)
        {
            _process = process;
            BaseUri = baseUri;
        }

        public Uri BaseUri { get; }

        public sealed record Stats(long ListRequests, int PeakInFlight);

        public static async Task<SimulatorProcess> StartAsync()
        {
            var binDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));   // …/bin/<Configuration>/net10.0
            var configuration = binDir.Parent!.Name;
            var repo = binDir;
            while (!File.Exists(Path.Combine(repo.FullName, "ZohoCrmEmails.sln"))) repo = repo.Parent ?? throw new InvalidOperationException("Repository root not found.");
            var dll = Path.Combine(repo.FullName, "tests", "ZohoCrmEmails.Simulator", "bin", configuration, "net10.0", "ZohoCrmEmails.Simulator.dll");
            var info = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in new[] { dll, "--port", "0", "--exit-on-stdin-close" }) info.ArgumentList.Add(a);
            var process = Process.Start(info)!;
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            const string prefix = "Listening on ";
            if (line is null || !line.StartsWith(prefix, StringComparison.Ordinal))
            {
                process.Kill(true);
                throw new InvalidOperationException($"The simulator did not start: {line}");
            }
            _ = process.StandardOutput.ReadToEndAsync();   // keep its pipe drained
            return new SimulatorProcess(process, new Uri(line[prefix.Length..]));
        }

        public async Task SetKnobsAsync(object knobs)
        {
            using var content = new StringContent(JsonSerializer.Serialize(knobs), Encoding.UTF8, "application/json");
            (await _control.PostAsync(new Uri(BaseUri, "/__sim/knobs"), content)).EnsureSuccessStatusCode();
        }

        public async Task<Stats> StatsAsync()
        {
            using var doc = JsonDocument.Parse(await _control.GetStringAsync(new Uri(BaseUri, "/__sim/stats")));
            return new Stats(doc.RootElement.GetProperty("listRequests").GetInt64(), doc.RootElement.GetProperty("peakInFlight").GetInt32());
        }

        public async Task ResetPeakAsync()
        {
            using var content = new StringContent("");
            (await _control.PostAsync(new Uri(BaseUri, "/__sim/reset-peak"), content)).EnsureSuccessStatusCode();
        }

        /// <summary>A full first page of a record's e-mails, as bytes on the wire.</summary>
        public async Task<byte[]> GetRawPageAsync()
        {
            await SetKnobsAsync(new { latencyMs = 0, defaultEmailCount = 100 });
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUri, "/crm/v8/Deals/4150868000000090002/Emails"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Zoho-oauthtoken", SimCredentials.StaticAccessToken);
            using var response = await _control.SendAsync(request);
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadAsByteArrayAsync();
        }

        public async ValueTask DisposeAsync()
        {
            _control.Dispose();
            _process.StandardInput.Close();
            if (!_process.WaitForExit(10_000)) _process.Kill(true);
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
    }

    /// <summary>
    /// The wire's ceiling: records paged with a bare HttpClient (cursor found with a reader, no model built), the
    /// records worked on <c>concurrency</c> at a time. One JSON line: e-mails, ms, CPU µs per e-mail.
    /// </summary>
    internal static class RawPaging
    {
        public static async Task<string> RunAsync(Uri baseUri, int concurrency, string[] ids)
        {
            using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Zoho-oauthtoken", SimCredentials.StaticAccessToken);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            long emails = 0, requests = 0;
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
            {
                for (var i = Interlocked.Increment(ref next); i < ids.Length; i = Interlocked.Increment(ref next))
                {
                    string? index = null;
                    do
                    {
                        var url = $"{baseUri.GetLeftPart(UriPartial.Authority)}/crm/v8/Deals/{ids[i]}/Emails" + (index is null ? "" : "?index=" + Uri.EscapeDataString(index));
                        var body = await http.GetByteArrayAsync(url);
                        Interlocked.Increment(ref requests);
                        (var count, index) = Skim(body);
                        Interlocked.Add(ref emails, count);
                    }
                    while (index is not null);
                }
            }));
            var ms = clock.Elapsed.TotalMilliseconds;
            var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
            return JsonSerializer.Serialize(new { emails, requests, ms = Math.Round(ms), cpu_us_per_email = Math.Round(cpuMs * 1000 / Math.Max(1, emails), 1) });
        }

        /// <summary>
        /// One record listed page by page while its e-mails are read in full (content, export: all of them; save: those
        /// listed with attachments) and, for export and save, their attachments downloaded and dropped: at most
        /// <paramref name="concurrency"/> reads and downloads at once beside the listing. No model, no file.
        /// </summary>
        public static async Task<string> RunDetailAsync(Uri baseUri, string work, int concurrency, string id)
        {
            using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, MaxConnectionsPerServer = 64 });
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Zoho-oauthtoken", SimCredentials.StaticAccessToken);
            var api = $"{baseUri.GetLeftPart(UriPartial.Authority)}/crm/v8/Deals/{id}/Emails";
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            long requests = 0, emails = 0, files = 0;
            using var slots = new SemaphoreSlim(concurrency);
            var pending = new List<Task>();
            async Task<byte[]> Get(string url)
            {
                await slots.WaitAsync();
                try { Interlocked.Increment(ref requests); return await http.GetByteArrayAsync(url); }
                finally { slots.Release(); }
            }
            async Task Detail(string messageId, string owner)
            {
                using var doc = JsonDocument.Parse(await Get($"{api}/{Uri.EscapeDataString(messageId)}?owner_id={owner}"));
                Interlocked.Increment(ref emails);
                if (work == "content") return;
                var downloads = new List<Task>();
                foreach (var a in doc.RootElement.GetProperty("Emails")[0].GetProperty("attachments").EnumerateArray())
                    downloads.Add(Get($"{api}/actions/download_attachments?message_id={Uri.EscapeDataString(messageId)}&user_id={owner}" +
                        $"&id={Uri.EscapeDataString(a.GetProperty("id").GetString()!)}&name={Uri.EscapeDataString(a.GetProperty("name").GetString()!)}")
                        .ContinueWith(_ => Interlocked.Increment(ref files), TaskScheduler.Default));
                await Task.WhenAll(downloads);
            }
            string? index = null;
            do
            {
                var body = await http.GetByteArrayAsync(api + (index is null ? "" : "?index=" + Uri.EscapeDataString(index)));
                Interlocked.Increment(ref requests);
                if (body.Length == 0) break;
                using var page = JsonDocument.Parse(body);
                foreach (var e in page.RootElement.GetProperty("Emails").EnumerateArray())
                    if (work != "save" || e.GetProperty("has_attachment").GetBoolean())
                        pending.Add(Detail(e.GetProperty("message_id").GetString()!, e.GetProperty("owner").GetProperty("id").GetString()!));
                var info = page.RootElement.GetProperty("info");
                index = info.GetProperty("more_records").GetBoolean() ? info.GetProperty("next_index").GetString() : null;
            }
            while (index is not null);
            await Task.WhenAll(pending);
            var ms = clock.Elapsed.TotalMilliseconds;
            var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
            return JsonSerializer.Serialize(new { emails, files, requests, ms = Math.Round(ms), cpu_ms = Math.Round(cpuMs) });
        }

        // info.count and info.next_index (when more_records), read without building anything.
        private static (int Count, string? Next) Skim(byte[] body)
        {
            if (body.Length == 0) return (0, null);
            var reader = new Utf8JsonReader(body);
            int count = 0, depth = 0;
            string? next = null;
            var more = false;
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) depth++;
                else if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray) depth--;
                else if (depth == 2 && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("count")) { reader.Read(); count = reader.GetInt32(); }
                    else if (reader.ValueTextEquals("next_index")) { reader.Read(); next = reader.TokenType == JsonTokenType.String ? reader.GetString() : null; }
                    else if (reader.ValueTextEquals("more_records")) { reader.Read(); more = reader.GetBoolean(); }
                }
            }
            return (count, more ? next : null);
        }
    }
}
