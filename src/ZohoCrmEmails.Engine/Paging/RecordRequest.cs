namespace ZohoCrmEmails.Engine.Paging;

/// <summary>One unit of work for a data cmdlet: a record, and for a detail read one message of it.</summary>
public sealed record RecordRequest(string Module, string RecordId, string? MessageId = null)
{
    public override string ToString() => MessageId is null ? $"{Module}/{RecordId}" : $"{Module}/{RecordId}/{MessageId}";
}
