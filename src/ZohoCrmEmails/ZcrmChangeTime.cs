namespace ZohoCrmEmails;

/// <summary>Which time of a record says it changed, for a sweep that archives only what changed since the last.</summary>
public enum ZcrmChangeTime
{
    /// <summary>
    /// Last_Activity_Time or Modified_Time, whichever moved (COQL, which needs the scope ZohoCRM.coql.READ). Zoho
    /// describes Last_Activity_Time as the last time the record was modified or had an activity, so it moves for more
    /// than Modified_Time does; the default.
    /// </summary>
    LastActivityTime,
    /// <summary>Modified_Time alone (the Records API's If-Modified-Since; no COQL scope needed).</summary>
    ModifiedTime,
}
