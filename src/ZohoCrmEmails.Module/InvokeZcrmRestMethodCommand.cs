using System.Collections;
using System.Management.Automation;
using System.Text;
using System.Text.Json;
using ZohoCrmEmails.Engine;

namespace ZohoCrmEmails.Module;

/// <summary>
/// Any Zoho CRM call through the connection, with everything it already does: token, data centre, retries, breaker,
/// credit reserve, concurrency, -Verbose trace and redaction. Like Invoke-RestMethod: JSON comes back as objects,
/// 204/304 as nothing, any other body as text; -All follows Zoho's own paging and writes each page's items as it comes.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "ZcrmRestMethod", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(PSObject), typeof(string))]
public sealed class InvokeZcrmRestMethodCommand : ZcrmCmdletBase
{
    [Parameter(Position = 0)]
    [ValidateSet("GET", "POST", "PUT", "PATCH", "DELETE", IgnoreCase = true)]
    public string Method { get; set; } = "GET";

    /// <summary>A path of Zoho CRM's API with its query: /crm/v8/users?type=ActiveUsers. Sent to the connection's API domain only.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [AllowEmptyString]
    public string Path { get; set; } = "";

    /// <summary>The request's JSON body: a string as it is, or a hashtable or object converted to JSON.</summary>
    [Parameter]
    public object? Body { get; set; }

    /// <summary>With GET: every page, following Zoho's paging (page_token, next_index, page), each page's items written as it comes.</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    [Parameter]
    [ValidateNotNull]
    public ZcrmConnection? Connection { get; set; }

    protected override void EndProcessing()
    {
        var client = ResolveConnection(Connection);
        var context = CreateCallContext();
        var method = new HttpMethod(Method.ToUpperInvariant());
        var line = $"{method} {Path}";
        try
        {
            if (All && method != HttpMethod.Get)
                throw new ZcrmException(ZcrmErrorCodes.InvalidParameterCombination, ZcrmErrorKind.InvalidArgument, "-All follows the pages of a GET.");
            InputValidator.ApiPath(Path);
            var body = Body is null ? null : JsonBody(Body);
            if (method != HttpMethod.Get && !ShouldProcess(Redact(Path), $"Invoke {method} on Zoho CRM"))
                return;
            if (All)
            {
                foreach (var page in Each(client.InvokePages(Path, context)))
                {
                    FlushTrace();
                    foreach (var item in page) WriteObject(ToPowerShell(item));
                }
            }
            else
            {
                var answer = Wait(client.InvokeAsync(method, Path, body, context, CancelToken));
                if (answer.Json is { } json) WriteObject(ToPowerShell(json));
                else if (answer.Text is { } text) WriteObject(Redact(text));
            }
            FlushTrace();
        }
        catch (ZcrmException ex)
        {
            ReportError(ex, Path, Redact(line));
        }
    }

    // A string is sent as it is (it must be JSON already); anything else as PowerShell's ConvertTo-Json makes it.
    private byte[] JsonBody(object body)
    {
        var value = body is PSObject pso ? pso.BaseObject : body;
        if (value is string text) return Encoding.UTF8.GetBytes(text);
        var json = InvokeCommand.InvokeScript("param($b) ConvertTo-Json -InputObject $b -Depth 32 -Compress", false,
            System.Management.Automation.Runspaces.PipelineResultTypes.None, null, body);
        return Encoding.UTF8.GetBytes(string.Concat(json.Select(o => o?.ToString())));
    }

    /// <summary>
    /// JSON as ConvertFrom-Json gives it (objects with properties in order, arrays, numbers, flags, text), every text
    /// redacted: a server may echo what it was sent.
    /// </summary>
    internal object? ToPowerShell(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var obj = new PSObject();
                foreach (var property in element.EnumerateObject())
                    obj.Properties.Add(new PSNoteProperty(Redact(property.Name), ToPowerShell(property.Value)));
                return obj;
            case JsonValueKind.Array:
                var list = new ArrayList();
                foreach (var item in element.EnumerateArray()) list.Add(ToPowerShell(item));
                return list.ToArray();
            case JsonValueKind.String:
                return Redact(element.GetString()!);
            case JsonValueKind.Number:
                if (element.TryGetInt64(out var whole)) return whole;
                if (element.TryGetDecimal(out var number)) return number;
                return element.GetDouble();
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            default:
                return null;
        }
    }
}
