using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace ZohoCrmEmails.Module;

/// <summary>Tab completion of the standard modules' API names; any other valid API name is still accepted.</summary>
public sealed class ModuleNameCompleter : IArgumentCompleter
{
    internal static readonly string[] StandardModules =
        ["Leads", "Accounts", "Contacts", "Deals", "Quotes", "Invoices", "Sales_Orders", "Purchase_Orders"];

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = (wordToComplete ?? "").Trim('\'', '"');
        return StandardModules
            .Where(m => m.StartsWith(word, StringComparison.OrdinalIgnoreCase))
            .Select(m => new CompletionResult(m, m, CompletionResultType.ParameterValue, $"The {m} module"));
    }
}
