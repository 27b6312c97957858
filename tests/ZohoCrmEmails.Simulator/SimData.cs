using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ZohoCrmEmails.Simulator;

/// <summary>The fixed records tests rely on; any other positive id is a record with a deterministic e-mail count.</summary>
public static class SimRecords
{
    public const string Deal25 = "4150868000001234001";
    public const string Empty = "4150868000000000204";
    public const string NoPermission = "4150868000000000403";
    public const string InvalidRecord = "4150868000000000400";
    public const string Large = "4150868000000000150";
    public const string LeadWithSharing = "3652397000001790004";
    public const string CustomModule = "Shipments";

    public static readonly string[] Modules =
        ["Leads", "Accounts", "Contacts", "Deals", "Quotes", "Invoices", "Sales_Orders", "Purchase_Orders", CustomModule];
}

/// <summary>Credentials the simulator accepts. Distinctive on purpose, so tests can search any output for them.</summary>
public static class SimCredentials
{
    public const string ClientId = "1000.SIMCLIENTID7Q3X";
    public const string ClientSecret = "sim-client-secret-5f9d2c7e1b";
    public const string RefreshToken = "1000.sim-refresh-token-8e4a6b0d3c";
    /// <summary>A long-lived access token for access-token-only connections.</summary>
    public const string StaticAccessToken = "1000.sim-static-access-token-2b7c9e";
    public const string AccessTokenPrefix = "1000.sim-access-";

    /// <summary>
    /// Clients the accounts server knows: the module's fixture, and the one ../shared/peers/raw-capacity.mjs (the bare
    /// wire of the benchmarks) sends.
    /// </summary>
    public static readonly (string ClientId, string ClientSecret, string RefreshToken)[] Clients =
    [
        (ClientId, ClientSecret, RefreshToken),
        ("1000.ACCEPTCLIENT", "accept-secret-9f8e7d", "1000.accept-refresh-5c4b3a"),
    ];
}

/// <summary>Deterministic e-mails: the same module, record and index always give the same e-mail.</summary>
public static class SimData
{
    private static readonly DateTimeOffset BaseTime = new(2024, 5, 9, 12, 33, 12, TimeSpan.FromHours(5.5));
    private static readonly string[] Names = ["Lee Chen", "Ann Ortiz", "Sam Patel", "Kim Novak", "Ravi Iyer", "Mia Rossi"];

    public static int EmailCount(string module, string recordId, SimulatorKnobs knobs) => recordId switch
    {
        SimRecords.Deal25 => 25,
        SimRecords.Empty => 0,
        SimRecords.Large => 150,
        SimRecords.LeadWithSharing => 12,
        _ => knobs.DefaultEmailCount ?? (int)(ulong.Parse(recordId) % 23),
    };

    public static string MessageId(string module, string recordId, int index)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{module}/{recordId}/{index}")));
        // Some ids are RFC 2822 style, to prove they travel as one escaped path segment.
        return index % 7 == 3 ? $"<{hash[..16]}.{index}@mail.example.com>" : hash[..56] + index.ToString("x8");
    }

    public static int? IndexOf(string module, string recordId, string messageId)
    {
        int index;
        if (messageId.StartsWith('<'))
        {
            var dot = messageId.IndexOf('.');
            var at = messageId.IndexOf('@');
            if (dot < 0 || at < dot || !int.TryParse(messageId.AsSpan(dot + 1, at - dot - 1), out index)) return null;
        }
        else if (messageId.Length != 64 || !int.TryParse(messageId.AsSpan(56), System.Globalization.NumberStyles.HexNumber, null, out index))
        {
            return null;
        }
        return MessageId(module, recordId, index) == messageId ? index : null;
    }

    /// <summary>Status kinds by index: sent; sent+opened; bounced; scheduled; draft; opened once.</summary>
    public static string[] StatusTypes(int index) => (index % 6) switch
    {
        0 => ["sent"],
        1 => ["sent", "opened"],
        2 => ["bounced"],
        3 => ["scheduled"],
        4 => ["draft"],
        _ => ["opened"],
    };

    public static bool Matches(int index, string? type) => type switch
    {
        null => true,
        "sent_from_crm" or "all_contacts_sent_crm_emails" => StatusTypes(index).Contains("sent") || StatusTypes(index).Contains("opened") || StatusTypes(index).Contains("bounced"),
        "scheduled_in_crm" or "all_contacts_scheduled_crm_emails" => StatusTypes(index).Contains("scheduled"),
        "drafts" or "all_contacts_draft_crm_emails" => StatusTypes(index).Contains("draft"),
        "user_emails" => index % 2 == 1,
        _ => false,
    };

    /// <summary>Names a hostile sender could give its attachments; every one must land inside the target folder, legally named.</summary>
    public static readonly string[] HostileNames =
    [
        "../../escape.pdf", "/etc/passwd", "C:\\Windows\\evil.pdf", "CON", "nul.txt", "tab\tand\u0001control\r\n.pdf", "",
        new string('n', 300) + ".pdf", "invoice\u202Efdp.exe", "same.pdf", "SAME.pdf", "..", " .hidden ", "ünïcödé – 報告.pdf",
    ];

    /// <summary>The attachments of one e-mail, the same in the one-e-mail call and the download call.</summary>
    public static IReadOnlyList<SimAttachment> Attachments(string recordId, int index, SimulatorKnobs knobs)
    {
        if (index % 4 != 0) return [];
        if (knobs.HostileAttachmentNames)
            return HostileNames.Select((name, a) => new SimAttachment($"2cceafa194d037b63f2{index:d4}h{a:d2}", name, 1000 + a * 37)).ToList();
        if (knobs.LargeAttachmentBytes is { } large && index == 0)
            return [new SimAttachment($"2cceafa194d037b63f2{index:d4}L", "large.bin", large)];
        return Enumerable.Range(0, 1 + index % 2 + 1)
            .Select(a => new SimAttachment($"2cceafa194d037b63f2{index:d4}{a}", $"quote-{index + 1}-{a + 1}.pdf", 24792 + a * 1000 + index))
            .ToList();
    }

    /// <summary>Byte <paramref name="offset"/> of an attachment's content: deterministic, so a test can compute what it must hold.</summary>
    public static byte AttachmentByte(string attachmentId, long offset) => (byte)((offset * 31 + attachmentId.Length * 7 + attachmentId[^1]) & 0xFF);

    public const string DefaultOwnerId = "4150868000000225013";

    /// <summary>Users who may share their mailboxes on a record, in the order the sharing details list them.</summary>
    public static readonly (string Id, string Name, string Type)[] SharedUsers =
        [("412463000001213019", "Will Grandon", "pop"), ("412463000000867017", "boyle", "imap"), ("412463000000867099", "Rosa Diaz", "imap")];

    /// <summary>E-mail index of a shared user's own mailbox: user j's k-th e-mail is 1000 × (j + 1) + k.</summary>
    public const int MailboxBase = 1000;

    /// <summary>The owner of the e-mail at <paramref name="index"/>: a shared user's for their mailbox's e-mails, else <see cref="Owner"/>.</summary>
    public static (string Id, string Name) OwnerOf(int index, SimulatorKnobs knobs) =>
        index >= MailboxBase && index / MailboxBase - 1 < SharedUsers.Length
            ? (SharedUsers[index / MailboxBase - 1].Id, SharedUsers[index / MailboxBase - 1].Name)
            : Owner(index, knobs);

    /// <summary>Whether <paramref name="index"/> is an e-mail the record has: its own, or a shared mailbox's.</summary>
    public static bool Exists(int index, int count, SimulatorKnobs knobs) =>
        index < count || (knobs.MailboxEmails is { } n && index >= MailboxBase && index / MailboxBase - 1 < SharedUsers.Length && index % MailboxBase < n);

    /// <summary>The name the one-e-mail call lists for an attachment (and the download must be asked with).</summary>
    public static string ListedName(SimAttachment attachment, SimulatorKnobs? knobs) => knobs?.UnnamedAttachments == true ? "" : attachment.Name;

    /// <summary>The owner of an e-mail: the default user, or the shared user when the knob names one.</summary>
    public static (string Id, string Name) Owner(int index, SimulatorKnobs knobs) =>
        knobs.SharedOwnerId is { } shared ? (shared, "Rosa Diaz") : (DefaultOwnerId, "Pat Boyle");

    public static void WriteEmail(Utf8JsonWriter w, string module, string recordId, int index, bool detail, bool threadIdAsNumber,
        IReadOnlyList<SimAttachment>? attachments = null, long listedSizeExtra = 0, SimulatorKnobs? knobs = null, (string Id, string Name)? listedOwner = null)
    {
        var owner = listedOwner ?? OwnerOf(index, knobs ?? new SimulatorKnobs());
        var nullFlags = knobs?.NullFlags == true && !detail;
        var time = BaseTime.AddHours(-index);
        var statuses = StatusTypes(index);
        w.WriteStartObject();
        w.WriteStartArray("cc");
        for (var c = 0; c < index % 3; c++) Address(w, null, Names[(index + c + 2) % Names.Length]);
        w.WriteEndArray();
        w.WriteBoolean("has_thread_attachment", index % 9 == 0);
        w.WriteNull("summary");
        w.WriteStartObject("owner");
        w.WriteString("name", owner.Name);
        w.WriteString("id", owner.Id);
        w.WriteEndObject();
        if (nullFlags) w.WriteNull("read"); else w.WriteBoolean("read", index % 2 == 0);
        w.WriteString("subject", $"{module} {recordId[^4..]} mail {index + 1}: quote follow-up");
        if (knobs?.BadMessageIdAt == index && !detail)
        {
            switch (knobs.BadMessageIdAs)
            {
                case "absent": break;
                case "null": w.WriteNull("message_id"); break;
                case "dots": w.WriteString("message_id", ".."); break;
                default: w.WriteString("message_id", ""); break;
            }
        }
        else
        {
            w.WriteString("message_id", MessageId(module, recordId, index));
        }
        if (nullFlags) w.WriteNull("has_attachment"); else w.WriteBoolean("has_attachment", index % 4 == 0);
        w.WriteString("source", "crm_mail");
        if (nullFlags) w.WriteNull("sent"); else w.WriteBoolean("sent", statuses[0] is "sent" or "opened" or "bounced");
        if (index % 5 == 1) w.WriteString("intent", "purchase"); else w.WriteNull("intent");
        if (index % 3 == 0) w.WriteString("sentiment_info", index % 2 == 0 ? "positive" : "neutral"); else w.WriteNull("sentiment_info");
        w.WriteNull("activity_info");
        w.WriteNull("emotion");
        w.WriteStartObject("linked_record");
        w.WriteString("id", recordId);
        w.WriteString("name", "Acme");
        w.WriteStartObject("module");
        w.WriteString("api_name", module);
        w.WriteString("id", "4150868000000002175");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartObject("from");
        w.WriteString("user_name", "Pat Boyle");
        w.WriteString("email", "pat@crm.example.com");
        w.WriteEndObject();
        w.WriteStartArray("to");
        for (var t = 0; t <= index % 3; t++) Address(w, null, Names[(index + t) % Names.Length]);
        w.WriteEndArray();
        w.WriteString("time", time.ToString("yyyy-MM-ddTHH:mm:sszzz"));
        w.WriteStartArray("status");
        foreach (var type in statuses)
        {
            w.WriteStartObject();
            w.WriteString("type", type);
            if (type == "bounced")
            {
                w.WriteString("bounced_time", time.AddHours(20).ToString("yyyy-MM-ddTHH:mm:sszzz"));
                w.WriteString("bounced_reason", "Retries Exhausted. Host not reachable.");
                w.WriteString("category", "Temporarily blocked");
                w.WriteString("sub_category", "Temporary Domain Failure");
            }
            if (type == "opened")
            {
                w.WriteString("first_open", time.AddHours(1).ToString("yyyy-MM-ddTHH:mm:sszzz"));
                w.WriteString("last_open", time.AddHours(5).ToString("yyyy-MM-ddTHH:mm:sszzz"));
                w.WriteString("count", index % 6 == 1 ? "3" : "1");
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        // A field the contract does not name: clients must keep it, not fail on it.
        w.WriteStartObject("x_sim_extra");
        w.WriteNumber("index", index);
        w.WriteEndObject();

        if (detail)
        {
            var html = index % 5 != 0;
            w.WriteString("mail_format", html ? "html" : "text");
            w.WriteString("content", html
                ? $"<html><body><p>Hello,</p><p>Following up on quote {index + 1} for {module} {recordId}.</p></body></html>"
                : $"Hello,\nFollowing up on quote {index + 1} for {module} {recordId}.");
            w.WriteStartArray("attachments");
            foreach (var a in attachments ?? [])
            {
                w.WriteStartObject();
                w.WriteString("size", (a.Size + listedSizeExtra).ToString());
                w.WriteString("name", ListedName(a, knobs));
                w.WriteString("id", a.Id);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteBoolean("editable", statuses[0] is "draft" or "scheduled");
            w.WriteString("sent_time", time.ToString("yyyy-MM-ddTHH:mm:sszzz"));
            if (threadIdAsNumber) w.WriteNumber("thread_id", 4150868000002000000 + index);
            else w.WriteString("thread_id", (4150868000002000000 + index).ToString());
            w.WriteStartObject("reply_to");
            w.WriteString("user_name", "Pat Boyle");
            w.WriteString("email", "pat@crm.example.com");
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void Address(Utf8JsonWriter w, string? property, string name)
    {
        if (property is null) w.WriteStartObject(); else w.WriteStartObject(property);
        w.WriteString("user_name", name);
        w.WriteString("email", name.ToLowerInvariant().Replace(' ', '.') + "@customer.example.org");
        w.WriteEndObject();
    }
}

/// <summary>One attachment of a simulated e-mail.</summary>
public sealed record SimAttachment(string Id, string Name, long Size);
