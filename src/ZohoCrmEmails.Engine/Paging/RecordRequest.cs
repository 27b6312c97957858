namespace ZohoCrmEmails.Engine.Paging;

/// <summary>One unit of work for a data cmdlet: a record, and for a detail read one message of it.</summary>
public sealed record RecordRequest(string Module, string RecordId, string? MessageId = null)
{
    /// <summary>"Deals/4150868000001234001", or the e-mail's one text form (<see cref="EmailId"/>).</summary>
    public override string ToString() => MessageId is null ? $"{Module}/{RecordId}" : new EmailId(Module, RecordId, MessageId).ToString();
}
