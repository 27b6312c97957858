using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Engine.Paging;

/// <summary>A shared user's mailbox on a record: what a failure to read it names ("the mailbox of Will Grandon").</summary>
public sealed record Mailbox(string Module, string RecordId, ZcrmSharedUser User)
{
    public override string ToString() => $"{Module}/{RecordId}, the mailbox of {User.Name ?? "a user"} ({User.Id})";
}
