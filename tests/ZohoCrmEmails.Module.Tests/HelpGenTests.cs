using System.Xml.Linq;
using ZohoCrmEmails.HelpGen;

namespace ZohoCrmEmails.Module.Tests;

/// <summary>
/// The markdown → MAML generator, against a golden file. Get-Fixture.md uses every construct the generator handles
/// (code spans, a backtick inside one, links, bullet and numbered lists, a parameter mandatory in one set and optional
/// in another, a switch, a positional array, examples, inputs, outputs, notes, links). After a deliberate change to
/// the generator, regenerate the golden file with
/// <c>dotnet src/ZohoCrmEmails.HelpGen/bin/Release/net10.0/ZohoCrmEmails.HelpGen.dll tests/ZohoCrmEmails.Module.Tests/HelpGen tests/ZohoCrmEmails.Module.Tests/HelpGen/Get-Fixture.golden.xml</c>
/// and review its diff.
/// </summary>
public sealed class HelpGenTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "HelpGen");

    [Fact]
    public void The_generated_MAML_is_the_golden_file()
    {
        var command = CommandDoc.Parse(File.ReadAllText(Path.Combine(Folder, "Get-Fixture.md")), "Get-Fixture.md");
        var generated = Maml.Write([command]).Declaration + "\n" + Maml.Write([command]).ToString();
        var golden = XDocument.Load(Path.Combine(Folder, "Get-Fixture.golden.xml"));
        Assert.Equal(golden.Declaration + "\n" + golden, generated);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a `code` b", "a code b")]
    [InlineData("a `` x`n `` b", "a x`n b")]
    [InlineData("see [the docs](https://x.example/y) now", "see the docs (https://x.example/y) now")]
    [InlineData("`[not](a-link)`", "[not](a-link)")]
    public void Inline_markdown_keeps_the_text_and_drops_only_the_markup(string markdown, string text) =>
        Assert.Equal(text, Markdown.Inline(markdown));

    [Fact]
    public void Lists_are_one_paragraph_per_item_and_paragraphs_are_joined_lines()
    {
        Assert.Equal(["one two", "- a", "- b c", "1. d"], Markdown.Paragraphs("one\ntwo\n\n- a\n- b\n  c\n1. d"));
    }

    [Fact]
    public void The_modules_help_has_no_markdown_left_in_its_text()
    {
        var help = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(PowerShellTest.ModuleManifest)!, "en-US", "ZohoCrmEmails.Module.dll-Help.xml"));
        var paras = XDocument.Load(help).Descendants(XName.Get("para", "http://schemas.microsoft.com/maml/2004/10")).Select(p => p.Value).ToList();
        Assert.NotEmpty(paras);
        Assert.All(paras, p =>
        {
            Assert.DoesNotContain("```", p);
            Assert.DoesNotContain("](", p);
            Assert.False(p.Contains('\u0000'), "a code span's placeholder was left behind");
        });
    }
}
