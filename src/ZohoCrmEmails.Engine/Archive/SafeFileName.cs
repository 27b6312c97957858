using System.Globalization;
using System.Text;

namespace ZohoCrmEmails.Engine.Archive;

/// <summary>
/// A file name from text the sender chose: always one legal, readable path segment on Windows, Linux and macOS,
/// whatever it was ("../../x", "/etc/passwd", "C:\x", "CON", control characters, empty, hundreds of characters).
/// </summary>
public static class SafeFileName
{
    /// <summary>Characters of a name, at most: below every file system's limit, with room for " (99)" and a temporary suffix.</summary>
    public const int MaxLength = 120;
    private const int MaxExtensionLength = 16;
    private static readonly char[] Invalid = ['<', '>', ':', '"', '/', '\\', '|', '?', '*'];
    private static readonly HashSet<string> ReservedOnWindows = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$",
        "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "COM¹", "COM²", "COM³",
        "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT¹", "LPT²", "LPT³",
    };

    /// <summary>A character no safe name holds: one of the separators and wildcards Windows refuses, or a control character.</summary>
    internal static bool HasInvalidCharacter(string name) => name.AsSpan().IndexOfAny(Invalid) >= 0 || name.Any(char.IsControl);

    /// <summary>A safe name for <paramref name="name"/>, or <paramref name="fallback"/> (made safe too) when nothing usable is left.</summary>
    public static string From(string? name, string fallback) => TryFrom(name) ?? TryFrom(fallback) ?? "file";

    /// <summary>A safe name for <paramref name="name"/>; null when nothing usable is left of it.</summary>
    public static string? TryFrom(string? name)
    {
        if (string.IsNullOrEmpty(name)) return null;
        var text = new StringBuilder(name.Length);
        // By rune: a lone surrogate (not a character at all) becomes U+FFFD rather than an unwritable name.
        foreach (var rune in name.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
                continue;   // invisible or layout-changing (bidi overrides can disguise an extension)
            if (rune.IsBmp && Array.IndexOf(Invalid, (char)rune.Value) >= 0) text.Append('_');
            else text.Append(rune.ToString());
        }
        // Leading dots would hide the file (and ".." would climb); trailing dots and spaces vanish on Windows.
        // Composed form: macOS stores names decomposed, so "é" typed either way is one name.
        // "../../x" keeps "x": what a path prefix leaves behind (dots, the separators made "_") is dropped from the start.
        var result = text.ToString().Normalize(NormalizationForm.FormC).Trim().TrimStart('.', ' ', '_').TrimEnd('.', ' ');
        if (result.Length == 0) return null;
        var stem = result.Split('.')[0].TrimEnd();
        if (ReservedOnWindows.Contains(stem)) result = "_" + result;
        return Shorten(result);
    }

    // Shortens the stem, keeping a short extension, without splitting a surrogate pair.
    private static string Shorten(string name)
    {
        if (name.Length <= MaxLength) return name;
        var dot = name.LastIndexOf('.');
        var extension = dot > 0 && name.Length - dot <= MaxExtensionLength ? name[dot..] : "";
        var stemLength = MaxLength - extension.Length;
        if (char.IsHighSurrogate(name[stemLength - 1])) stemLength--;
        return name[..stemLength].TrimEnd('.', ' ') + extension;
    }
}
