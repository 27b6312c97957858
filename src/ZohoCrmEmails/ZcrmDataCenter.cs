namespace ZohoCrmEmails;

/// <summary>Zoho's data centres; each has its own accounts server and API domain.</summary>
public enum ZcrmDataCenter { US, EU, IN, AU, JP, CN, CA, SA, UK }
