using System.Globalization;
using System.Text.RegularExpressions;

namespace ZohoCrmEmails.Simulator;

/// <summary>
/// The subset of COQL the simulator answers: <c>select f, … from Module [where …] [order by f [asc|desc]]
/// [limit n | limit o, n | limit n offset o]</c>, the where clause with =, !=, &lt;, &lt;=, &gt;, &gt;=, like, in,
/// not in, between, is null and is not null, joined by and/or with parentheses. Errors are Zoho's: SYNTAX_ERROR with
/// the clause and position, INVALID_QUERY naming the column, LIMIT_EXCEEDED.
/// </summary>
public sealed class SimCoql
{
    public required List<string> Fields { get; init; }
    public required string Module { get; init; }
    public Func<IReadOnlyDictionary<string, object?>, bool> Where { get; init; } = _ => true;
    public int Criteria { get; init; }
    public string OrderBy { get; init; } = "id";
    public bool Descending { get; init; }
    public int Offset { get; init; }
    public int Limit { get; init; } = 200;

    /// <summary>A COQL error as Zoho sends it.</summary>
    public sealed class Error(string code, string message, params (string Key, string Value)[] details) : Exception(message)
    {
        public string Code { get; } = code;
        public (string Key, string Value)[] Details { get; } = details;
    }

    private static readonly Regex Shape = new(
        @"^\s*select\s+(?<fields>.+?)\s+from\s+(?<module>[A-Za-z0-9_]+)(?:\s+where\s+(?<where>.+?))?(?:\s+order\s+by\s+(?<order>[A-Za-z0-9_]+)(?:\s+(?<dir>asc|desc))?)?(?:\s+limit\s+(?<a>\d+)(?:\s*,\s*(?<b>\d+)|\s+offset\s+(?<o>\d+))?)?\s*$",
        RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant);

    public static SimCoql Parse(string query, IReadOnlyCollection<string> knownFields)
    {
        var m = Shape.Match(query);
        if (!m.Success)
            throw new Error("SYNTAX_ERROR", "invalid query formed", ("clause", "select"), ("near", Near(query, 0)), ("line", "1"), ("column", "1"));
        var fields = m.Groups["fields"].Value.Split(',').Select(f => f.Trim()).ToList();
        foreach (var f in fields.Where(f => !knownFields.Contains(f, StringComparer.OrdinalIgnoreCase)))
            throw new Error("INVALID_QUERY", "column given seems to be invalid", ("column_name", f), ("clause", "select"));
        var order = m.Groups["order"].Success ? m.Groups["order"].Value : "id";
        if (!knownFields.Contains(order, StringComparer.OrdinalIgnoreCase))
            throw new Error("INVALID_QUERY", "column given seems to be invalid", ("column_name", order), ("clause", "order by"));
        int offset = 0, limit = 200;
        if (m.Groups["a"].Success)
        {
            if (m.Groups["b"].Success) { offset = int.Parse(m.Groups["a"].Value, CultureInfo.InvariantCulture); limit = int.Parse(m.Groups["b"].Value, CultureInfo.InvariantCulture); }
            else
            {
                limit = int.Parse(m.Groups["a"].Value, CultureInfo.InvariantCulture);
                if (m.Groups["o"].Success) offset = int.Parse(m.Groups["o"].Value, CultureInfo.InvariantCulture);
            }
        }
        Func<IReadOnlyDictionary<string, object?>, bool> where = _ => true;
        var criteria = 0;
        if (m.Groups["where"].Success)
        {
            var parser = new WhereParser(m.Groups["where"].Value, m.Groups["where"].Index, knownFields);
            where = parser.ParseAll();
            criteria = parser.Criteria;
        }
        return new SimCoql
        {
            Fields = fields,
            Module = m.Groups["module"].Value,
            Where = where,
            Criteria = criteria,
            OrderBy = order,
            Descending = m.Groups["dir"].Success && m.Groups["dir"].Value.Equals("desc", StringComparison.OrdinalIgnoreCase),
            Offset = offset,
            Limit = limit,
        };
    }

    private static string Near(string text, int at) => text[Math.Clamp(at, 0, text.Length)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";

    /// <summary>Compares a record's value with a literal: numbers as numbers, times as times, text without case.</summary>
    public static int Compare(object? value, object? literal)
    {
        switch (value)
        {
            case long l when literal is decimal d: return ((decimal)l).CompareTo(d);
            case long l when literal is string s && decimal.TryParse(s, NumberStyles.Number, CultureInfo.InvariantCulture, out var d2): return ((decimal)l).CompareTo(d2);
            case DateTimeOffset t when literal is string s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var lt): return t.CompareTo(lt);
            case SimOwner o: return string.Compare(o.Id, literal?.ToString(), StringComparison.OrdinalIgnoreCase);
            default: return string.Compare(value?.ToString(), literal?.ToString(), StringComparison.OrdinalIgnoreCase);
        }
    }

    private sealed class WhereParser(string text, int start, IReadOnlyCollection<string> knownFields)
    {
        private static readonly Regex Token = new(@"\s*(?:(?<str>'(?:[^']|'')*')|(?<num>-?\d+(?:\.\d+)?)|(?<op>!=|<=|>=|=|<|>|\(|\)|,)|(?<word>[A-Za-z_][A-Za-z0-9_.]*))",
            RegexOptions.CultureInvariant);
        private readonly List<(string Kind, string Text, int At)> _tokens = Tokenize(text, start);
        private int _i;
        public int Criteria { get; private set; }

        private static List<(string, string, int)> Tokenize(string text, int start)
        {
            var tokens = new List<(string, string, int)>();
            var at = 0;
            while (at < text.Length)
            {
                if (char.IsWhiteSpace(text[at])) { at++; continue; }
                var m = Token.Match(text, at);
                if (!m.Success || m.Index != at)
                    throw Syntax(text, at, start);
                var kind = m.Groups["str"].Success ? "str" : m.Groups["num"].Success ? "num" : m.Groups["op"].Success ? "op" : "word";
                tokens.Add((kind, m.Value.Trim(), start + m.Index));
                at = m.Index + m.Length;
            }
            return tokens;
        }

        private static Error Syntax(string text, int at, int start) =>
            new("SYNTAX_ERROR", "invalid query formed", ("clause", "where"), ("near", Near(text, at)), ("line", "1"),
                ("column", (start + at + 1).ToString(CultureInfo.InvariantCulture)));

        private (string Kind, string Text, int At)? Peek => _i < _tokens.Count ? _tokens[_i] : null;
        private bool IsWord(string w) => Peek is { Kind: "word" } t && t.Text.Equals(w, StringComparison.OrdinalIgnoreCase);
        private (string Kind, string Text, int At) Next() => _i < _tokens.Count ? _tokens[_i++] : throw Syntax(text, text.Length, start);

        public Func<IReadOnlyDictionary<string, object?>, bool> ParseAll()
        {
            var e = Or();
            if (Peek is { } extra) throw Syntax(text, extra.At - start, start);
            if (Criteria > 25) throw new Error("LIMIT_EXCEEDED", "criteria limit exceeded", ("by", "criteria"), ("limit", "25"));
            return e;
        }

        private Func<IReadOnlyDictionary<string, object?>, bool> Or()
        {
            var left = And();
            while (IsWord("or")) { _i++; var l = left; var r = And(); left = x => l(x) || r(x); }
            return left;
        }

        private Func<IReadOnlyDictionary<string, object?>, bool> And()
        {
            var left = Factor();
            while (IsWord("and")) { _i++; var l = left; var r = Factor(); left = x => l(x) && r(x); }
            return left;
        }

        private Func<IReadOnlyDictionary<string, object?>, bool> Factor()
        {
            if (Peek is { Kind: "op", Text: "(" })
            {
                _i++;
                var inner = Or();
                if (Next() is not { Kind: "op", Text: ")" }) throw Syntax(text, text.Length, start);
                return inner;
            }
            return Condition();
        }

        private Func<IReadOnlyDictionary<string, object?>, bool> Condition()
        {
            var field = Next();
            if (field.Kind != "word") throw Syntax(text, field.At - start, start);
            if (!knownFields.Contains(field.Text, StringComparer.OrdinalIgnoreCase))
                throw new Error("INVALID_QUERY", "column given seems to be invalid", ("column_name", field.Text), ("clause", "where"));
            Criteria++;
            var name = field.Text;
            object? Value(IReadOnlyDictionary<string, object?> r) => r.TryGetValue(name, out var v) ? v : null;
            if (IsWord("is"))
            {
                _i++;
                var not = IsWord("not");
                if (not) _i++;
                if (!IsWord("null")) throw Syntax(text, (Peek?.At ?? start + text.Length) - start, start);
                _i++;
                return r => (Value(r) is null) != not;
            }
            var negate = IsWord("not");
            if (negate) _i++;
            if (IsWord("in"))
            {
                _i++;
                if (Next() is not { Text: "(" }) throw Syntax(text, text.Length, start);
                var values = new List<object?> { Literal() };
                while (Peek is { Text: "," }) { _i++; values.Add(Literal()); }
                if (Next() is not { Text: ")" }) throw Syntax(text, text.Length, start);
                if (values.Count > 100) throw new Error("LIMIT_EXCEEDED", "too many values for in", ("by", "in"), ("limit", "100"));
                return r => values.Any(v => Compare(Value(r), v) == 0) != negate;
            }
            if (IsWord("like"))
            {
                _i++;
                var pattern = Literal()?.ToString() ?? "";
                var regex = new Regex("^" + Regex.Escape(pattern).Replace("%", ".*") + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
                return r => regex.IsMatch(Value(r)?.ToString() ?? "") != negate;
            }
            if (IsWord("between"))
            {
                _i++;
                var low = Literal();
                if (!IsWord("and")) throw Syntax(text, (Peek?.At ?? start + text.Length) - start, start);
                _i++;
                var high = Literal();
                return r => Value(r) is { } v && Compare(v, low) >= 0 && Compare(v, high) <= 0;
            }
            if (negate) throw Syntax(text, (Peek?.At ?? start + text.Length) - start, start);
            var op = Next();
            if (op.Kind != "op" || op.Text is "(" or ")" or ",") throw Syntax(text, op.At - start, start);
            var literal = Literal();
            return op.Text switch
            {
                "=" => r => Compare(Value(r), literal) == 0,
                "!=" => r => Compare(Value(r), literal) != 0,
                "<" => r => Value(r) is { } v && Compare(v, literal) < 0,
                "<=" => r => Value(r) is { } v && Compare(v, literal) <= 0,
                ">" => r => Value(r) is { } v && Compare(v, literal) > 0,
                _ => r => Value(r) is { } v && Compare(v, literal) >= 0,
            };
        }

        private object? Literal()
        {
            var t = Next();
            return t.Kind switch
            {
                "str" => t.Text[1..^1].Replace("''", "'"),
                "num" => decimal.Parse(t.Text, NumberStyles.Number, CultureInfo.InvariantCulture),
                "word" when t.Text.Equals("null", StringComparison.OrdinalIgnoreCase) => null,
                "word" when t.Text is "true" or "false" => t.Text,
                _ => throw Syntax(text, t.At - start, start),
            };
        }
    }
}
