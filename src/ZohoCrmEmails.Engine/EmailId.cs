using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Engine;

/// <summary>
/// An e-mail's identity: its record's module and id, and its message id. Its one text form names it in errors and
/// traces: "Deals/4150868000001234001, e-mail 'de735c09…'".
/// </summary>
public readonly record struct EmailId(string Module, string RecordId, string MessageId)
{
    public static EmailId Of(ZcrmEmail email) => new(email.Module, email.RecordId, email.MessageId);

    public override string ToString() => $"{Module}/{RecordId}, e-mail '{SecretRedactor.Shorten(MessageId, 48)}'";
}
