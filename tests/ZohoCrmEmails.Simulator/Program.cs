using ZohoCrmEmails.Simulator;

const string Help = """
ZohoCrmEmails simulator: a fake Zoho accounts server and CRM e-mail API on 127.0.0.1.

Usage: dotnet run --project tests/ZohoCrmEmails.Simulator -- [--port N] [knob options]

  --port N                  Port to listen on; 0 (default) picks a free one. The first line printed is
                            "Listening on http://127.0.0.1:PORT".
  --latency-ms N            Delay added to every CRM response.
  --default-email-count N   E-mails of every record other than the fixed test records.
  --token-lifetime N        expires_in of issued tokens, in seconds (default 3600).
  --credits-remaining N     Send X-API-CREDITS-REMAINING: N.
  --exit-on-stdin-close     Stop when standard input closes (lets a parent end it without signals).
  --help                    This text.

Control endpoints (loopback only; knobs as JSON, property names as in SimulatorKnobs, camelCase):
  GET  /__sim/stats          requests served per route, peak concurrency
  GET  /__sim/log            method and raw target of recent requests (token and CRM)
  GET  /__sim/knobs          current knobs
  POST /__sim/knobs          replace the knobs, e.g. {"fail429Count":2,"retryAfter":"1"}
  POST /__sim/reset          default knobs, zero counters, forget tokens
  POST /__sim/reset-peak     restart the peak-in-flight count (nothing else changes)
  POST /__sim/expire-tokens  invalidate every access token issued so far
""";

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(Help);
    // Every knob, as SimulatorKnobs names it (its doc comments say what each does).
    Console.WriteLine("Knobs: " + string.Join(", ", typeof(SimulatorKnobs).GetProperties().Where(p => p.CanWrite)
        .Select(p => char.ToLowerInvariant(p.Name[0]) + p.Name[1..])) + ".");
    Console.WriteLine();
    Console.WriteLine("Credentials it accepts (simulator fixtures, not secrets):");
    Console.WriteLine($"  client id      {SimCredentials.ClientId}");
    Console.WriteLine($"  client secret  {SimCredentials.ClientSecret}");
    Console.WriteLine($"  refresh token  {SimCredentials.RefreshToken}");
    Console.WriteLine($"  access token   {SimCredentials.StaticAccessToken}");
    Console.WriteLine();
    Console.WriteLine("Fixed records: Deals/" + SimRecords.Deal25 + " (25 e-mails), any module/" + SimRecords.Empty + " (none), /" +
        SimRecords.NoPermission + " (NO_PERMISSION), /" + SimRecords.InvalidRecord + " (INVALID_DATA), /" + SimRecords.Large +
        " (150), Leads/" + SimRecords.LeadWithSharing + "; custom module " + SimRecords.CustomModule + ".");
    return 0;
}

var port = 0;
var exitOnStdinClose = false;
var knobs = new SimulatorKnobs();
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--port": port = int.Parse(Next()); break;
        case "--latency-ms": knobs.LatencyMs = int.Parse(Next()); break;
        case "--default-email-count": knobs.DefaultEmailCount = int.Parse(Next()); break;
        case "--token-lifetime": knobs.TokenLifetimeSeconds = int.Parse(Next()); break;
        case "--credits-remaining": knobs.CreditsRemaining = long.Parse(Next()); break;
        case "--exit-on-stdin-close": exitOnStdinClose = true; break;
        default:
            Console.Error.WriteLine($"Unknown option '{args[i]}'. Try --help.");
            return 2;
    }
}

await using var sim = await ZohoSimulator.StartAsync(port, knobs);
Console.WriteLine($"Listening on {sim.BaseUri.GetLeftPart(UriPartial.Authority)}");
Console.Out.Flush();
var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
if (exitOnStdinClose)
    _ = Task.Run(() => { while (Console.In.Read() >= 0) { } stop.TrySetResult(); });
await stop.Task;
return 0;
