using System.Management.Automation;
using ZohoCrmEmails.Simulator;

namespace ZohoCrmEmails.Module.Tests;

public sealed class CmdletTests : PowerShellTest
{
    private const string Deal = SimRecords.Deal25;

    [Fact]
    public void Lists_a_records_emails_as_typed_objects()
    {
        var r = Run(ConnectScript + "; Get-ZcrmRecordEmail -Module Deals -Id " + Deal);
        Assert.Empty(r.Errors);
        Assert.Equal(25, r.Output.Count);
        var first = r.Output[0];
        Assert.Equal("ZohoCrmEmails.Models.ZcrmEmail", first.TypeNames[0]);
        foreach (var property in new[] { "Module", "RecordId", "MessageId", "Subject", "From", "To", "Cc", "Time", "Sent", "Read", "Bounced",
                     "Opened", "Status", "HasAttachment", "Owner", "Source", "Intent", "Sentiment", "Emotion", "Content", "MailFormat",
                     "Attachments", "ThreadId", "SentTime", "ReplyTo" })
            Assert.NotNull(first.Properties[property]);
        Assert.Equal("Deals", first.Properties["Module"].Value);
        Assert.Equal(Deal, first.Properties["RecordId"].Value);
        Assert.Equal("Pat Boyle <pat@crm.example.com>", first.Properties["From"].Value.ToString());
        Assert.Equal(3, Sim.Stats.ListRequests);
    }

    [Fact]
    public void Where_Object_Bounced_filters_on_the_derived_property()
    {
        var r = Run(ConnectScript + "; Get-ZcrmRecordEmail Deals " + Deal + " | Where-Object Bounced");
        Assert.Equal(4, r.Output.Count);
    }

    [Fact]
    public void Stopping_downstream_after_three_emails_makes_exactly_one_request_and_raises_nothing_of_ours()
    {
        var r = Run(ConnectScript + "; $n = 0; Get-ZcrmRecordEmail Deals " + Deal + " | ForEach-Object { $n++; $_; if ($n -eq 3) { throw 'enough' } }");
        Assert.Equal("enough", r.TerminatingRecord!.Exception.Message);
        Assert.Empty(r.Errors);
        Assert.Equal(3, r.Output.Count);
        Assert.Equal(1, Sim.Stats.ListRequests);
    }

    [Fact]
    public void Select_First_3_makes_one_request_raises_nothing_and_the_pipeline_goes_on()
    {
        var r = Run(ConnectScript + "; Get-ZcrmRecordEmail Deals " + Deal + " | Select-FirstForTest 3; 'after'");
        Assert.Null(r.Caught);
        Assert.Null(r.Terminating);
        Assert.Empty(r.Errors);
        Assert.Equal(4, r.Output.Count);
        Assert.Equal("after", r.Output[3].BaseObject);
        Assert.Equal(1, Sim.Stats.ListRequests);
    }

    [Fact]
    public void Select_First_across_several_records_stops_the_work_queued_for_the_others()
    {
        Sim.Knobs.DefaultEmailCount = 30;
        var ids = Enumerable.Range(11, 8).Select(i => $"41508680000000000{i}").ToArray();
        var r = Run(ConnectScript + "; $ids | Get-ZcrmRecordEmail -Module Deals -ThrottleLimit 4 | Select-FirstForTest 5", null, ("ids", ids));
        Assert.Empty(r.Errors);
        Assert.Null(r.Caught);
        Assert.Equal(5, r.Output.Count);
        // The first record was still being written (one page), so at most the throttle's worth of records behind it
        // had started (3 pages each); the rest never start.
        Assert.InRange(Sim.Stats.ListRequests, 1, 1 + 4 * 3);
        Assert.DoesNotContain(Sim.Stats.Log, t => ids[5..].Any(t.Contains));
    }

    [Fact]
    public void Binds_module_and_id_by_property_name_like_Import_Csv_rows()
    {
        Sim.Knobs.DefaultEmailCount = 3;
        var r = Run(ConnectScript + """
            ; @(
                [pscustomobject]@{ Module = 'Deals'; Id = '4150868000001234001' }
                [pscustomobject]@{ Module = 'Leads'; Id = '3652397000001790111' }
                [pscustomobject]@{ ModuleApiName = 'Contacts'; RecordId = '3652397000001790222' }
              ) | Get-ZcrmRecordEmail -Type SentFromCrm
            """);
        Assert.Empty(r.Errors);
        var records = r.Output.Select(o => $"{o.Properties["Module"].Value}/{o.Properties["RecordId"].Value}").Distinct().ToList();
        Assert.Equal(["Deals/4150868000001234001", "Leads/3652397000001790111", "Contacts/3652397000001790222"], records);
        Assert.Contains(Sim.Stats.Log, t => t.Contains("type=sent_from_crm"));
    }

    [Fact]
    public void Binds_record_ids_by_value()
    {
        Sim.Knobs.DefaultEmailCount = 2;
        var r = Run(ConnectScript + "; '4150868000000000011', '4150868000000000012' | Get-ZcrmRecordEmail -Module Deals");
        Assert.Empty(r.Errors);
        Assert.Equal(4, r.Output.Count);
    }

    [Fact]
    public void Listed_emails_piped_back_in_are_read_in_full()
    {
        var r = Run(ConnectScript + "; $list = Get-ZcrmRecordEmail Deals " + Deal + "; $list | Get-ZcrmRecordEmail");
        Assert.Empty(r.Errors);
        Assert.Equal(25, r.Output.Count);
        Assert.All(r.Output, o =>
        {
            Assert.Equal("ZohoCrmEmails.Models.ZcrmEmail#Detail", o.TypeNames[0]);
            Assert.NotNull(o.Properties["Content"].Value);
        });
        Assert.Equal(25, Sim.Stats.DetailRequests);
        Assert.Contains("<", r.Output[3].Properties["MessageId"].Value.ToString());
    }

    [Fact]
    public void IncludeContent_reads_every_body_in_order()
    {
        var r = Run(ConnectScript + "; Get-ZcrmRecordEmail Deals " + Deal + " -IncludeContent");
        Assert.Equal(25, r.Output.Count);
        Assert.Equal(25, Sim.Stats.DetailRequests);
        Assert.Equal(Enumerable.Range(1, 25).Select(i => $"mail {i}:"), r.Output.Select(o => string.Join(' ', o.Properties["Subject"].Value.ToString()!.Split(' ')[2..4])));
    }

    [Fact]
    public void A_no_permission_record_among_good_ones_is_a_non_terminating_error_and_the_rest_are_read()
    {
        Sim.Knobs.DefaultEmailCount = 2;
        var r = Run(ConnectScript + $"; '4150868000000000011', '{SimRecords.NoPermission}', '4150868000000000012' | Get-ZcrmRecordEmail -Module Deals");
        Assert.Equal(4, r.Output.Count);
        var error = Assert.Single(r.Errors);
        Assert.Equal("Zcrm.NO_PERMISSION,ZohoCrmEmails.Module.GetZcrmRecordEmailCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.PermissionDenied, error.CategoryInfo.Category);
        Assert.Equal(SimRecords.NoPermission, error.TargetObject);
        Assert.False(string.IsNullOrEmpty(error.ErrorDetails.RecommendedAction));
        Assert.Equal(["4150868000000000011", "4150868000000000011", "4150868000000000012", "4150868000000000012"],
            r.Output.Select(o => (string)o.Properties["RecordId"].Value));
    }

    [Fact]
    public void ErrorAction_Stop_makes_a_record_failure_terminating()
    {
        Sim.Knobs.DefaultEmailCount = 2;
        var r = Run(ConnectScript + $"; '4150868000000000011', '{SimRecords.NoPermission}', '4150868000000000012' | Get-ZcrmRecordEmail -Module Deals -ErrorAction Stop");
        Assert.StartsWith("Zcrm.NO_PERMISSION", r.TerminatingRecord!.FullyQualifiedErrorId);
        Assert.Equal(2, r.Output.Count);
    }

    [Theory]
    [InlineData("Get-ZcrmRecordEmail -Module Deals -Id 12ab", "Zcrm.InvalidRecordId", ErrorCategory.InvalidArgument)]
    [InlineData("Get-ZcrmRecordEmail -Module Deals -Id ''", "Zcrm.InvalidRecordId", ErrorCategory.InvalidArgument)]
    [InlineData("Get-ZcrmRecordEmail -Module '../Deals' -Id 1", "Zcrm.InvalidModule", ErrorCategory.InvalidArgument)]
    [InlineData("Get-ZcrmRecordEmail -Module '' -Id 1", "Zcrm.InvalidModule", ErrorCategory.InvalidArgument)]
    [InlineData("Get-ZcrmRecordEmail -Module Deals -Id 1 -OwnerId 5", "Zcrm.InvalidParameterCombination", ErrorCategory.InvalidArgument)]
    [InlineData("Get-ZcrmRecordEmail -Module Deals -Id 1 -Type UserEmails -OwnerId pat", "Zcrm.InvalidOwnerId", ErrorCategory.InvalidArgument)]
    [InlineData("Get-ZcrmRecordEmail -Module Deals -Id 1 -Type AllContactsSentCrmEmails", "Zcrm.InvalidParameterCombination", ErrorCategory.InvalidArgument)]
    [InlineData("Get-ZcrmRecordEmail -Module Deals -Id 1 -MessageId ' '", "Zcrm.InvalidMessageId", ErrorCategory.InvalidArgument)]
    [InlineData("Get-ZcrmRecordEmail -Module Deals -Id 1 -MessageId m1 -Type Drafts", "Zcrm.InvalidParameterCombination", ErrorCategory.InvalidArgument)]
    [InlineData("Get-ZcrmEmailSharing -Module 'Deals?x' -Id 1", "Zcrm.InvalidModule", ErrorCategory.InvalidArgument)]
    public void Bad_input_gets_its_specific_error_and_no_request(string command, string errorId, ErrorCategory category)
    {
        var r = Run(ConnectScript + "; " + command);
        var error = Assert.Single(r.Errors);
        Assert.StartsWith(errorId + ",", error.FullyQualifiedErrorId);
        Assert.Equal(category, error.CategoryInfo.Category);
        Assert.Equal(0, Sim.Stats.CrmRequests);
    }

    [Theory]
    [InlineData("Widgets", SimRecords.Deal25, "Zcrm.INVALID_MODULE", ErrorCategory.InvalidArgument)]
    [InlineData("Deals", SimRecords.InvalidRecord, "Zcrm.INVALID_DATA", ErrorCategory.InvalidArgument)]
    public void Zoho_codes_become_error_ids(string module, string id, string errorId, ErrorCategory category)
    {
        var r = Run(ConnectScript + $"; Get-ZcrmRecordEmail -Module {module} -Id {id}");
        var error = Assert.Single(r.Errors);
        Assert.StartsWith(errorId + ",", error.FullyQualifiedErrorId);
        Assert.Equal(category, error.CategoryInfo.Category);
        Assert.Equal(id, error.TargetObject);
    }

    [Fact]
    public void Throttling_beyond_the_retries_is_Zcrm_TOO_MANY_REQUESTS()
    {
        var r = Run("Connect-Zcrm -ClientId $id -ClientSecret $secret -RefreshToken $refresh -AccountsUrl $base -MaximumRetryCount 1; " +
                    "Get-ZcrmRecordEmail Deals " + Deal, null);
        Assert.Empty(r.Errors);
        Sim.Knobs.Fail429Count = int.MaxValue;
        Sim.Knobs.RetryAfter = "0";
        r = Run("Get-ZcrmRecordEmail Deals " + Deal);
        var error = Assert.Single(r.Errors);
        Assert.StartsWith("Zcrm.TOO_MANY_REQUESTS,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.LimitsExceeded, error.CategoryInfo.Category);
    }

    [Fact]
    public void Timeouts_malformed_json_and_dead_servers_have_their_ids()
    {
        var r = Run("Connect-Zcrm -ClientId $id -ClientSecret $secret -RefreshToken $refresh -AccountsUrl $base -MaximumRetryCount 0 -TimeoutSec 1");
        Assert.Empty(r.Errors);
        Sim.Knobs.SlowResponseCount = 1;
        Sim.Knobs.SlowResponseMs = 4000;
        r = Run("Get-ZcrmRecordEmail Deals " + Deal);
        Assert.StartsWith("Zcrm.Timeout,", Assert.Single(r.Errors).FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.OperationTimeout, r.Errors[0].CategoryInfo.Category);
        Sim.Knobs.MalformedJsonCount = 1;
        r = Run("Get-ZcrmRecordEmail Deals " + Deal);
        Assert.StartsWith("Zcrm.InvalidResponse,", Assert.Single(r.Errors).FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidResult, r.Errors[0].CategoryInfo.Category);
        Sim.Knobs.RepeatingCursor = true;
        r = Run("Get-ZcrmRecordEmail Accounts " + SimRecords.Large);
        Assert.StartsWith("Zcrm.RepeatingCursor,", Assert.Single(r.Errors).FullyQualifiedErrorId);
        Assert.Equal(10, r.Output.Count);   // the page that repeated a cursor is not handed out
        Sim.Knobs.RepeatingCursor = false;
        Sim.Knobs.DropConnectionCount = int.MaxValue;
        r = Run("Get-ZcrmRecordEmail Deals " + Deal);
        Assert.StartsWith("Zcrm.ConnectionFailed,", Assert.Single(r.Errors).FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ConnectionError, r.Errors[0].CategoryInfo.Category);
    }

    [Fact]
    public async Task Ctrl_C_stops_the_request_in_flight_and_nothing_follows()
    {
        Assert.Empty(Run(ConnectScript).Errors);
        Sim.Knobs.LatencyMs = 60_000;
        using var ps = PowerShell.Create();
        ps.Runspace = Runspace;
        ps.AddScript("Get-ZcrmRecordEmail Deals " + Deal);
        var running = ps.BeginInvoke();
        await Sim.Stats.WhenCrmRequests(1).WaitAsync(TimeSpan.FromSeconds(30));
        ps.Stop();
        Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(running));
        Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
        Assert.Equal(1, Sim.Stats.ListRequests);
    }

    [Fact]
    public void Not_connected_is_terminating_Zcrm_NotConnected()
    {
        var r = Run("Get-ZcrmRecordEmail Deals " + Deal);
        Assert.Equal("Zcrm.NotConnected,ZohoCrmEmails.Module.GetZcrmRecordEmailCommand", r.TerminatingRecord!.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.AuthenticationError, r.TerminatingRecord.CategoryInfo.Category);
        r = Run(ConnectScript + "; Disconnect-Zcrm; Get-ZcrmEmailSharing Leads " + SimRecords.LeadWithSharing);
        Assert.StartsWith("Zcrm.NotConnected,", r.TerminatingRecord!.FullyQualifiedErrorId);
        Assert.Equal(0, Sim.Stats.CrmRequests);
    }

    [Fact]
    public void A_connection_closed_by_Disconnect_is_terminating_Zcrm_NotConnected_where_it_is_still_held()
    {
        var r = Run(ConnectScript + " -PassThru");
        var connection = Assert.Single(r.Output).BaseObject;
        r = Run("Disconnect-Zcrm; Get-ZcrmRecordEmail Deals " + Deal + " -Connection $conn", null, ("conn", connection));
        Assert.StartsWith("Zcrm.NotConnected,", r.TerminatingRecord!.FullyQualifiedErrorId);
        Assert.Equal(0, Sim.Stats.CrmRequests);
    }

    [Fact]
    public void Each_runspace_has_its_own_default_connection_and_can_share_one_explicitly()
    {
        var r = Run(ConnectScript + " -PassThru");
        var connection = Assert.Single(r.Output).BaseObject;
        using var other = NewRunspace();
        var elsewhere = Run("Get-ZcrmRecordEmail Deals " + Deal, other);
        Assert.StartsWith("Zcrm.NotConnected,", elsewhere.TerminatingRecord!.FullyQualifiedErrorId);
        var shared = Run("Get-ZcrmRecordEmail Deals " + Deal + " -Connection $conn", other, ("conn", connection));
        Assert.Equal(25, shared.Output.Count);
    }

    [Fact]
    public void Connect_shows_the_connection_without_secrets()
    {
        var r = Run(ConnectScript + " -DataCenter EU -PassThru -Verbose");
        var c = Assert.Single(r.Output);
        Assert.Contains("ZohoCrmEmails.ZcrmConnection", c.TypeNames);
        Assert.Equal("EU", c.Properties["DataCenter"].Value.ToString());
        Assert.NotNull(c.Properties["TokenExpiresAt"].Value);
        var dump = string.Join("\n", c.Properties.Select(p => $"{p.Name}={p.Value}"));
        Assert.DoesNotContain(SimCredentials.ClientSecret, dump);
        Assert.DoesNotContain(SimCredentials.RefreshToken, dump);
        Assert.DoesNotContain(SimCredentials.AccessTokenPrefix, dump + r.AllText);
    }

    [Theory]
    [InlineData("Connect-Zcrm -ClientId 1000.WRONG -ClientSecret $secret -RefreshToken $refresh -AccountsUrl $base", "invalid_client")]
    [InlineData("Connect-Zcrm -ClientId $id -ClientSecret $secret -RefreshToken ([System.Net.NetworkCredential]::new('', 'bad')).SecurePassword -AccountsUrl $base", "invalid_code")]
    public void Connect_failure_is_terminating_Zcrm_AuthenticationFailed_with_the_reason(string script, string reason)
    {
        var r = Run(script);
        var record = r.TerminatingRecord!;
        Assert.Equal("Zcrm.AuthenticationFailed,ZohoCrmEmails.Module.ConnectZcrmCommand", record.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.AuthenticationError, record.CategoryInfo.Category);
        Assert.Contains(reason, record.Exception.Message);
        Assert.DoesNotContain(SimCredentials.ClientSecret, r.AllText);
    }

    [Fact]
    public void Connect_refuses_insecure_urls()
    {
        var r = Run("Connect-Zcrm -ClientId $id -ClientSecret $secret -RefreshToken $refresh -AccountsUrl http://accounts.example.com");
        Assert.StartsWith("Zcrm.InsecureEndpoint,", r.TerminatingRecord!.FullyQualifiedErrorId);
        Assert.Equal(0, Sim.Stats.TotalRequests);
    }

    [Fact]
    public void Connect_with_a_client_credential_an_access_token_or_the_environment()
    {
        var cred = new PSCredential(SimCredentials.ClientId, Secure(SimCredentials.ClientSecret));
        Assert.Empty(Run("Connect-Zcrm -ClientCredential $cred -RefreshToken $refresh -AccountsUrl $base; Get-ZcrmRecordEmail Deals " + Deal, null, ("cred", cred)).Errors);
        var r = Run("Connect-Zcrm -AccessToken $at -ApiDomain $base -PassThru; Get-ZcrmRecordEmail Deals " + Deal, null, ("at", Secure(SimCredentials.StaticAccessToken)));
        Assert.Empty(r.Errors);
        Assert.Equal(26, r.Output.Count);
        Assert.Equal("AccessToken", r.Output[0].Properties["Authentication"].Value);

        var names = new[] { "ZCRM_CLIENT_ID", "ZCRM_CLIENT_SECRET", "ZCRM_REFRESH_TOKEN", "ZCRM_ACCOUNTS_URL", "ZCRM_DATA_CENTER" };
        try
        {
            Environment.SetEnvironmentVariable("ZCRM_CLIENT_ID", SimCredentials.ClientId);
            Environment.SetEnvironmentVariable("ZCRM_CLIENT_SECRET", SimCredentials.ClientSecret);
            Environment.SetEnvironmentVariable("ZCRM_ACCOUNTS_URL", Sim.BaseUri.ToString());
            Environment.SetEnvironmentVariable("ZCRM_DATA_CENTER", "AU");
            r = Run("Connect-Zcrm -FromEnvironment");
            Assert.StartsWith("Zcrm.InvalidConfiguration,", r.TerminatingRecord!.FullyQualifiedErrorId);
            Assert.Contains("ZCRM_REFRESH_TOKEN", r.TerminatingRecord.Exception.Message);
            Environment.SetEnvironmentVariable("ZCRM_REFRESH_TOKEN", SimCredentials.RefreshToken);
            r = Run("Connect-Zcrm -FromEnvironment -PassThru");
            Assert.Empty(r.Errors);
            Assert.Equal("AU", Assert.Single(r.Output).Properties["DataCenter"].Value.ToString());
        }
        finally
        {
            foreach (var n in names) Environment.SetEnvironmentVariable(n, null);
        }
    }

    [Fact]
    public void Verbose_has_one_line_per_request_and_no_stream_shows_a_secret()
    {
        var r = Run("$DebugPreference = 'Continue'; " + ConnectScript + " -Verbose; Get-ZcrmRecordEmail Deals " + Deal + " -Verbose");
        var requests = r.Verbose.Where(v => v.StartsWith("GET /crm/")).ToList();
        Assert.Equal(3, requests.Count);
        Assert.Matches(@"^GET /crm/v8/Deals/\d+/Emails -> 200 in \d+ ms, 10 read$", requests[0]);
        Assert.Contains("index=", requests[1]);
        Assert.EndsWith("5 read", requests[2]);
        Assert.Contains(r.Debug, d => d.Contains("Authorization: Zoho-oauthtoken [redacted]"));
        var all = r.AllText;
        Assert.DoesNotContain(SimCredentials.ClientSecret, all);
        Assert.DoesNotContain(SimCredentials.RefreshToken, all);
        Assert.DoesNotContain(SimCredentials.AccessTokenPrefix, all);
    }

    [Fact]
    public void Progress_is_shown_for_several_records_and_completed()
    {
        Sim.Knobs.DefaultEmailCount = 3;
        var r = Run(ConnectScript + "; Get-ZcrmRecordEmail -Module Deals -Id 4150868000000000011, 4150868000000000012, 4150868000000000013");
        Assert.Equal(9, r.Output.Count);
        Assert.NotEmpty(r.Progress);
        Assert.Equal(ProgressRecordType.Completed, r.Progress[^1].RecordType);
        Assert.Contains("of 3 records", r.Progress[^1].StatusDescription);
        var hidden = Run("$ProgressPreference = 'SilentlyContinue'; Get-ZcrmRecordEmail -Module Deals -Id 4150868000000000011, 4150868000000000012");
        Assert.Empty(hidden.Progress);
    }

    [Fact]
    public void Two_data_cmdlets_of_one_pipeline_show_two_progress_bars_however_often_either_ran_before()
    {
        Sim.Knobs.DefaultEmailCount = 3;
        var dir = Path.Combine(Path.GetTempPath(), "zcrm-progress-" + Guid.NewGuid().ToString("N"));
        try
        {
            // The archive cmdlets ran more often than the listing before: their bars' ids must still differ from its.
            var before = "$m = @(Get-ZcrmRecordEmail -Module Deals -Id 4150868000000000011)[0].MessageId; " +
                $"1..3 | ForEach-Object {{ Export-ZcrmEmail -Module Deals -RecordId 4150868000000000011 -MessageId $m -Path '{dir}/x' -NoAttachments -Force | Out-Null }}; ";
            var r = Run(ConnectScript + "; " + before +
                $"Get-ZcrmRecordEmail -Module Deals -Id 4150868000000000011, 4150868000000000012 | Export-ZcrmEmail -Path '{dir}/y' -NoAttachments");
            Assert.Equal(6, r.Output.Count);
            var last = r.Progress.Where(p => p.Activity is "Reading Zoho CRM e-mails" or "Exporting Zoho CRM e-mails")
                .GroupBy(p => p.Activity).ToDictionary(g => g.Key, g => g.Last().ActivityId);
            Assert.Equal(2, last.Count);
            Assert.NotEqual(last["Reading Zoho CRM e-mails"], last["Exporting Zoho CRM e-mails"]);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Two_spellings_of_one_folder_are_one_archive_folder_in_a_run()
    {
        Sim.Knobs.DefaultEmailCount = 4;
        var dir = Path.Combine(Path.GetTempPath(), "zcrm-spellings-" + Guid.NewGuid().ToString("N"));
        try
        {
            // Each e-mail's -Path is evaluated for it: the same folder, with and without a trailing separator.
            var r = Run(ConnectScript + "; $n = 0; Get-ZcrmRecordEmail -Module Deals -Id 4150868000000000011 | " +
                $"Export-ZcrmEmail -NoAttachments -Path {{ if ($script:n++ % 2) {{ '{dir}{Path.DirectorySeparatorChar}' }} else {{ '{dir}' }} }}");
            Assert.Equal(4, r.Output.Count);
            Assert.Empty(r.Errors);
            Assert.Contains($"to {dir};", r.Progress.Last(p => p.RecordType == ProgressRecordType.Completed).StatusDescription);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ThrottleLimit_keeps_input_order_and_is_validated()
    {
        Sim.Knobs.DefaultEmailCount = 12;
        Sim.Knobs.LatencyMs = 5;
        var ids = Enumerable.Range(11, 12).Select(i => $"41508680000000000{i}").ToArray();
        var r = Run(ConnectScript + "; $ids | Get-ZcrmRecordEmail -Module Deals -ThrottleLimit 6", null, ("ids", ids));
        Assert.Empty(r.Errors);
        Assert.Equal(ids.SelectMany(id => Enumerable.Repeat(id, 12)), r.Output.Select(o => (string)o.Properties["RecordId"].Value));
        Assert.InRange(Sim.Stats.PeakInFlight, 1, 6);
        var bad = Run("Get-ZcrmRecordEmail -Module Deals -Id 1 -ThrottleLimit 0");
        Assert.StartsWith("ParameterArgumentValidationError", bad.TerminatingRecord!.FullyQualifiedErrorId);
    }

    [Fact]
    public void Sharing_details_are_typed_and_stream_by_record()
    {
        var r = Run(ConnectScript + $"; '{SimRecords.LeadWithSharing}', '{SimRecords.NoPermission}' | Get-ZcrmEmailSharing -Module Leads");
        var s = Assert.Single(r.Output);
        Assert.Equal("ZohoCrmEmails.Models.ZcrmEmailSharing", s.TypeNames[0]);
        Assert.Equal(3, ((System.Collections.ICollection)s.Properties["ShareFromUsers"].Value).Count);
        Assert.StartsWith("Zcrm.NO_PERMISSION,", Assert.Single(r.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void Module_names_complete_on_tab()
    {
        var r = Run("$s = 'Get-ZcrmRecordEmail -Module De'; (TabExpansion2 -inputScript $s -cursorColumn $s.Length).CompletionMatches.CompletionText");
        Assert.Contains("Deals", r.Output.Select(o => o.ToString()));
        r = Run("$s = 'Get-ZcrmRecordEmail -Module Deals -Id 1 -Type Sent'; (TabExpansion2 -inputScript $s -cursorColumn $s.Length).CompletionMatches.CompletionText");
        Assert.Contains("SentFromCrm", r.Output.Select(o => o.ToString()));
    }
}
