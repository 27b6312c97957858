namespace ZohoCrmEmails.Models;

/// <summary>
/// A list that prints as its items joined by "; ", so that Export-Csv and string conversion of an e-mail give
/// "Ann &lt;ann@x.com&gt;; Bo &lt;bo@x.com&gt;" rather than a type name.
/// </summary>
public sealed class ZcrmList<T> : List<T>
{
    public override string ToString() => string.Join("; ", this);
}
