using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net;
using System.Reflection;
using System.Security;
using ZohoCrmEmails.Simulator;

namespace ZohoCrmEmails.Module.Tests;

/// <summary>A simulator and a fresh PowerShell runspace with the built module imported, per test.</summary>
public abstract class PowerShellTest : IAsyncLifetime
{
    /// <summary>The configuration these tests were built in, and so the module folder they import (out/Release or out/Debug).</summary>
    protected static readonly string Configuration = typeof(PowerShellTest).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;

    internal static readonly string ModuleManifest = FindManifest();
    protected ZohoSimulator Sim { get; private set; } = null!;
    protected Runspace Runspace { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Sim = await ZohoSimulator.StartAsync();
        Runspace = NewRunspace();
    }

    public async Task DisposeAsync()
    {
        Runspace.Dispose();
        await Sim.DisposeAsync();
    }

    protected Runspace NewRunspace()
    {
        var iss = InitialSessionState.CreateDefault2();
        iss.Commands.Add(new SessionStateCmdletEntry("Select-FirstForTest", typeof(SelectFirstForTestCommand), null));
        var rs = RunspaceFactory.CreateRunspace(iss);
        rs.Open();
        using var ps = PowerShell.Create();
        ps.Runspace = rs;
        ps.AddCommand("Import-Module").AddParameter("Name", ModuleManifest).Invoke();
        if (ps.HadErrors) throw new InvalidOperationException("Import failed: " + string.Join("; ", ps.Streams.Error));
        return rs;
    }

    private static string FindManifest()
    {
        var configuration = Configuration;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "out", configuration, "ZohoCrmEmails", "ZohoCrmEmails.psd1");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"out/{configuration}/ZohoCrmEmails/ZohoCrmEmails.psd1 not found: build src/ZohoCrmEmails.Module first.");
    }

    protected static SecureString Secure(string value) => new NetworkCredential("", value).SecurePassword;

    /// <summary>Variables every script gets: $base (simulator URL), $id, $secret, $refresh, $fast (fast retry settings).</summary>
    protected Result Run(string script, Runspace? runspace = null, params (string Name, object? Value)[] variables)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = runspace ?? Runspace;
        var rs = ps.Runspace;
        rs.SessionStateProxy.SetVariable("base", Sim.BaseUri.GetLeftPart(UriPartial.Authority));
        rs.SessionStateProxy.SetVariable("id", SimCredentials.ClientId);
        rs.SessionStateProxy.SetVariable("secret", Secure(SimCredentials.ClientSecret));
        rs.SessionStateProxy.SetVariable("refresh", Secure(SimCredentials.RefreshToken));
        foreach (var (name, value) in variables) rs.SessionStateProxy.SetVariable(name, value);
        rs.SessionStateProxy.SetVariable("__caught", null);
        // A terminating error (statement-terminating or -ErrorAction Stop) is caught and kept; output before it stays.
        ps.AddScript("try {\n" + script + "\n} catch { $global:__caught = $_ }");
        Collection<PSObject> output;
        Exception? terminating = null;
        try
        {
            output = ps.Invoke();
        }
        catch (RuntimeException ex)
        {
            terminating = ex;
            output = [];
        }
        var caught = rs.SessionStateProxy.GetVariable("__caught") as ErrorRecord;
        return new Result(output, caught, ps.Streams.Error.ToList(), ps.Streams.Verbose.Select(v => v.Message).ToList(),
            ps.Streams.Debug.Select(d => d.Message).ToList(), ps.Streams.Warning.Select(w => w.Message).ToList(),
            ps.Streams.Progress.ToList(), terminating);
    }

    /// <summary>Connects the test's runspace to the simulator.</summary>
    protected const string ConnectScript = "Connect-Zcrm -ClientId $id -ClientSecret $secret -RefreshToken $refresh -AccountsUrl $base";

    protected sealed record Result(Collection<PSObject> Output, ErrorRecord? Caught, List<ErrorRecord> Errors, List<string> Verbose, List<string> Debug,
        List<string> Warnings, List<ProgressRecord> Progress, Exception? Terminating)
    {
        /// <summary>The terminating error, unwrapped from -ErrorAction Stop's ActionPreferenceStopException.</summary>
        public ErrorRecord? TerminatingRecord => Caught?.Exception is ActionPreferenceStopException stop ? stop.ErrorRecord : Caught ?? (Terminating as IContainsErrorRecord)?.ErrorRecord;

        public string AllText => string.Join("\n", Output.Select(o => o?.ToString()))
            + string.Join("\n", Errors.Select(e => e + " " + e.Exception + " " + e.ErrorDetails?.Message + " " + e.ErrorDetails?.RecommendedAction))
            + string.Join("\n", Verbose) + string.Join("\n", Debug) + string.Join("\n", Warnings)
            + string.Join("\n", Progress.Select(p => p.StatusDescription)) + Terminating + Caught + Caught?.Exception;
    }
}
