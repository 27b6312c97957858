using System.Text.RegularExpressions;
using System.Xml.Linq;
using ZohoCrmEmails.HelpGen;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: ZohoCrmEmails.HelpGen <folder of cmdlet .md files> <output -Help.xml>");
    return 2;
}
var commands = Directory.GetFiles(args[0], "*-*.md").Order(StringComparer.Ordinal).Select(f => CommandDoc.Parse(File.ReadAllText(f), f)).ToList();
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(args[1]))!);
Maml.Write(commands).Save(args[1]);
Console.WriteLine($"HelpGen: {commands.Count} commands -> {args[1]}");
return 0;

namespace ZohoCrmEmails.HelpGen
{
    /// <summary>
    /// A parameter as platyPS writes it: one ```yaml block per group of parameter sets in which it behaves alike, so a
    /// parameter can be mandatory in one set and optional in another.
    /// </summary>
    public sealed record ParameterDoc(string Name, string Description, string Type, List<(string[] Sets, bool Required)> Usage,
        string[] Aliases, string Position, string DefaultValue, string PipelineInput, bool Wildcards)
    {
        public bool AppliesTo(string set) => Usage.Any(u => u.Sets.Contains("(All)") || u.Sets.Contains(set));
        public bool RequiredIn(string set) => Usage.Any(u => (u.Sets.Contains("(All)") || u.Sets.Contains(set)) && u.Required);
        /// <summary>For the parameter list, which has one flag: mandatory in some set.</summary>
        public bool RequiredAnywhere => Usage.Any(u => u.Required);
    }

    public sealed record ExampleDoc(string Title, string Code, string Remarks);

    public sealed record CommandDoc(string Name, string Synopsis, string Description, List<string> Sets, string? DefaultSet,
        List<ExampleDoc> Examples, List<ParameterDoc> Parameters, List<(string Type, string Text)> Inputs,
        List<(string Type, string Text)> Outputs, string Notes, List<string> Links)
    {
        /// <summary>Reads the platyPS markdown layout: ## sections, ### sub-sections, ```yaml parameter metadata.</summary>
        public static CommandDoc Parse(string markdown, string file)
        {
            var text = Regex.Replace(markdown.Replace("\r\n", "\n"), @"\A---\n.*?\n---\n", "", RegexOptions.Singleline);
            var name = Regex.Match(text, @"^# (\S+)", RegexOptions.Multiline).Groups[1].Value;
            if (name.Length == 0) throw new InvalidDataException($"{file}: no '# Name' heading.");
            var sections = Split(text, "## ");
            string Section(string title) => sections.TryGetValue(title, out var s) ? s.Trim() : throw new InvalidDataException($"{file}: no '## {title}'.");

            var syntax = Split(Section("SYNTAX"), "### ");
            var sets = syntax.Keys.Select(k => k.Replace("(Default)", "").Trim()).ToList();
            var defaultSet = syntax.Keys.FirstOrDefault(k => k.Contains("(Default)"))?.Replace("(Default)", "").Trim();

            var examples = Split(Section("EXAMPLES"), "### ").Select(e =>
            {
                var code = Regex.Match(e.Value, @"```(?:powershell)?\n(.*?)```", RegexOptions.Singleline);
                if (!code.Success) throw new InvalidDataException($"{file}: example '{e.Key}' has no code block.");
                return new ExampleDoc(e.Key, code.Groups[1].Value.TrimEnd(), e.Value[(code.Index + code.Length)..].Trim());
            }).ToList();

            var parameters = Split(Section("PARAMETERS"), "### ").Where(p => p.Key.StartsWith('-')).Select(p =>
            {
                var blocks = Regex.Matches(p.Value, @"```yaml\n(.*?)```", RegexOptions.Singleline);
                if (blocks.Count == 0) throw new InvalidDataException($"{file}: parameter {p.Key} has no yaml block.");
                var metas = blocks.Select(b => b.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                    .Select(l => l.Split(':', 2)).ToDictionary(kv => kv[0].Trim(), kv => kv[1].Trim())).ToList();
                string Meta(Dictionary<string, string> meta, string key) =>
                    meta.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"{file}: {p.Key} lacks '{key}'.");
                var first = metas[0];
                return new ParameterDoc(p.Key[1..], p.Value[..blocks[0].Index].Trim(), Meta(first, "Type"),
                    metas.Select(m => (Meta(m, "Parameter Sets").Split(',', StringSplitOptions.TrimEntries), Meta(m, "Required") == "True")).ToList(),
                    Meta(first, "Aliases") is "None" or "" ? [] : Meta(first, "Aliases").Split(',', StringSplitOptions.TrimEntries),
                    Meta(first, "Position"), Meta(first, "Default value"), Meta(first, "Accept pipeline input"),
                    Meta(first, "Accept wildcard characters") == "True");
            }).ToList();

            List<(string, string)> Typed(string title) => Split(Section(title), "### ").Select(kv => (kv.Key, kv.Value.Trim())).ToList();
            var links = Regex.Matches(sections.GetValueOrDefault("RELATED LINKS", ""), @"\[([^\]]+)\]").Select(m => m.Groups[1].Value).ToList();
            return new CommandDoc(name, Section("SYNOPSIS"), Section("DESCRIPTION"), sets, defaultSet, examples, parameters,
                Typed("INPUTS"), Typed("OUTPUTS"), sections.GetValueOrDefault("NOTES", "").Trim(), links);
        }

        private static Dictionary<string, string> Split(string text, string marker)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            string? current = null;
            var body = new List<string>();
            var inCode = false;
            foreach (var line in text.Split('\n'))
            {
                if (line.StartsWith("```")) inCode = !inCode;
                if (!inCode && line.StartsWith(marker))
                {
                    if (current is not null) result[current] = string.Join('\n', body);
                    current = line[marker.Length..].Trim();
                    body.Clear();
                }
                else if (current is not null) body.Add(line);
            }
            if (current is not null) result[current] = string.Join('\n', body);
            return result;
        }
    }

    /// <summary>
    /// Markdown prose as MAML wants it: plain paragraphs. Blank lines separate paragraphs; each list item ("- ", "* ",
    /// "1. ") is a paragraph of its own and keeps its marker, so Get-Help shows a list; line breaks inside a paragraph
    /// become spaces; a code span keeps its text exactly (backticks inside it included), only its delimiters go; a
    /// link keeps its text and its address.
    /// </summary>
    public static partial class Markdown
    {
        [GeneratedRegex(@"^\s*(?:[-*+]|\d+[.)])\s+")]
        private static partial Regex ListItem();

        // CommonMark: a span opens with a run of N backticks and closes with the next run of exactly N.
        [GeneratedRegex(@"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", RegexOptions.Singleline)]
        private static partial Regex CodeSpan();

        [GeneratedRegex(@"\[([^\]]+)\]\(([^)\s]+)\)")]
        private static partial Regex Link();

        public static List<string> Paragraphs(string markdown)
        {
            var paragraphs = new List<string>();
            var current = new List<string>();
            void Flush()
            {
                if (current.Count == 0) return;
                paragraphs.Add(Inline(string.Join(' ', current.Select(l => l.Trim()))));
                current.Clear();
            }
            foreach (var line in markdown.Replace("\r\n", "\n").Split('\n'))
            {
                if (line.Trim().Length == 0)
                {
                    Flush();
                    continue;
                }
                if (ListItem().IsMatch(line)) Flush();
                current.Add(line);
            }
            Flush();
            return paragraphs;
        }

        public static string Inline(string text)
        {
            // Code spans first, kept aside, so that nothing inside them is read as a link.
            var spans = new List<string>();
            text = CodeSpan().Replace(text, m =>
            {
                var code = m.Groups[2].Value;
                if (code.Length > 2 && code[0] == ' ' && code[^1] == ' ') code = code[1..^1];
                spans.Add(code);
                return $"\u0000{spans.Count - 1}\u0000";
            });
            text = Link().Replace(text, m => $"{m.Groups[1].Value} ({m.Groups[2].Value})");
            return Regex.Replace(text, "\u0000(\\d+)\u0000", m => spans[int.Parse(m.Groups[1].Value)]);
        }
    }

    public static class Maml
    {
        private static readonly XNamespace Msh = "http://msh";
        private static readonly XNamespace MamlNs = "http://schemas.microsoft.com/maml/2004/10";
        private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

        public static XDocument Write(IEnumerable<CommandDoc> commands) => new(new XDeclaration("1.0", "utf-8", null),
            new XElement(Msh + "helpItems", new XAttribute("schema", "maml"),
                new XAttribute(XNamespace.Xmlns + "maml", MamlNs), new XAttribute(XNamespace.Xmlns + "command", Command),
                new XAttribute(XNamespace.Xmlns + "dev", Dev),
                commands.Select(CommandElement)));

        private static XElement Paras(XName name, string text) => new(name, Markdown.Paragraphs(text).Select(p => new XElement(MamlNs + "para", p)));

        private static XElement CommandElement(CommandDoc c)
        {
            var dash = c.Name.IndexOf('-');
            var sets = c.Sets.OrderBy(s => s == c.DefaultSet ? 0 : 1).ToList();
            return new XElement(Command + "command",
                new XElement(Command + "details",
                    new XElement(Command + "name", c.Name),
                    Paras(MamlNs + "description", c.Synopsis),
                    new XElement(Command + "verb", c.Name[..dash]),
                    new XElement(Command + "noun", c.Name[(dash + 1)..])),
                Paras(MamlNs + "description", c.Description),
                new XElement(Command + "syntax", sets.Select(set => new XElement(Command + "syntaxItem",
                    new XElement(MamlNs + "name", c.Name),
                    c.Parameters.Where(p => p.AppliesTo(set)).OrderBy(p => int.TryParse(p.Position, out var n) ? n : int.MaxValue)
                        .Select(p => Parameter(p, set))))),
                new XElement(Command + "parameters", c.Parameters.Select(p => Parameter(p, null))),
                new XElement(Command + "inputTypes", c.Inputs.Select(i => new XElement(Command + "inputType",
                    new XElement(Dev + "type", new XElement(MamlNs + "name", i.Type)), Paras(MamlNs + "description", i.Text)))),
                new XElement(Command + "returnValues", c.Outputs.Select(o => new XElement(Command + "returnValue",
                    new XElement(Dev + "type", new XElement(MamlNs + "name", o.Type)), Paras(MamlNs + "description", o.Text)))),
                new XElement(MamlNs + "alertSet", new XElement(MamlNs + "alert", Paras(MamlNs + "description", c.Notes).Elements())),
                new XElement(Command + "examples", c.Examples.Select(e => new XElement(Command + "example",
                    new XElement(MamlNs + "title", $"-------------------------- {e.Title} --------------------------"),
                    new XElement(Dev + "code", e.Code),
                    Paras(Dev + "remarks", e.Remarks)))),
                new XElement(Command + "relatedLinks", c.Links.Select(l => new XElement(MamlNs + "navigationLink",
                    new XElement(MamlNs + "linkText", l), new XElement(MamlNs + "uri")))));
        }

        private static XElement Parameter(ParameterDoc p, string? set)
        {
            var isSwitch = p.Type == "SwitchParameter";
            var required = set is null ? p.RequiredAnywhere : p.RequiredIn(set);
            return new XElement(Command + "parameter",
                new XAttribute("required", required ? "true" : "false"),
                new XAttribute("variableLength", p.Type.EndsWith("[]", StringComparison.Ordinal) ? "true" : "false"),
                new XAttribute("globbing", p.Wildcards ? "true" : "false"),
                new XAttribute("pipelineInput", p.PipelineInput),
                new XAttribute("position", p.Position == "Named" ? "named" : p.Position),
                new XAttribute("aliases", p.Aliases.Length == 0 ? "none" : string.Join(", ", p.Aliases)),
                new XElement(MamlNs + "name", p.Name),
                Paras(MamlNs + "description", p.Description),
                isSwitch ? null : new XElement(Command + "parameterValue", new XAttribute("required", "true"), new XAttribute("variableLength", "false"), p.Type),
                new XElement(Dev + "type", new XElement(MamlNs + "name", p.Type)),
                new XElement(Dev + "defaultValue", p.DefaultValue));
        }
    }
}
