namespace Safeguard.Stream.Core.Diffs;

internal enum HtmlTokenKind
{
    Text,
    StartTag,
    EndTag,
}

/// <summary>One piece of HTML: a run of text (still entity-encoded), or a start or end tag with its lowercase name.</summary>
internal readonly record struct HtmlToken(HtmlTokenKind Kind, string Html, int Start, int Length, string Name, int AttributesStart, int AttributesLength, bool SelfClosing)
{
    public ReadOnlySpan<char> Raw => Html.AsSpan(Start, Length);

    /// <summary>The value of the <c>class</c> attribute, or empty.</summary>
    public string Class => Attribute("class");

    public string Attribute(string name)
    {
        var attributes = Html.AsSpan(AttributesStart, AttributesLength);
        var i = 0;
        while (i < attributes.Length)
        {
            while (i < attributes.Length && (char.IsWhiteSpace(attributes[i]) || attributes[i] == '/'))
            {
                i++;
            }

            var nameStart = i;
            while (i < attributes.Length && !char.IsWhiteSpace(attributes[i]) && attributes[i] is not ('=' or '/'))
            {
                i++;
            }

            var attributeName = attributes[nameStart..i];
            while (i < attributes.Length && char.IsWhiteSpace(attributes[i]))
            {
                i++;
            }

            var value = ReadOnlySpan<char>.Empty;
            if (i < attributes.Length && attributes[i] == '=')
            {
                i++;
                while (i < attributes.Length && char.IsWhiteSpace(attributes[i]))
                {
                    i++;
                }

                if (i < attributes.Length && attributes[i] is '"' or '\'')
                {
                    var quote = attributes[i++];
                    var valueStart = i;
                    while (i < attributes.Length && attributes[i] != quote)
                    {
                        i++;
                    }

                    value = attributes[valueStart..i];
                    i = Math.Min(i + 1, attributes.Length);
                }
                else
                {
                    var valueStart = i;
                    while (i < attributes.Length && !char.IsWhiteSpace(attributes[i]))
                    {
                        i++;
                    }

                    value = attributes[valueStart..i];
                }
            }

            if (attributeName.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return value.ToString();
            }

            if (nameStart == i)
            {
                i++; // a stray '=': step over it so the loop always advances
            }
        }

        return string.Empty;
    }
}

/// <summary>
/// A forgiving, forward-only HTML tokenizer for diff bodies: text runs and tags, comments and doctype-like
/// declarations dropped. It never throws: a <c>&lt;</c> that does not open a well-formed tag is text, as browsers treat it.
/// Attribute values may contain <c>&gt;</c> inside quotes.
/// </summary>
internal static class HtmlTokenizer
{
    public static IEnumerable<HtmlToken> Tokenize(string html)
    {
        var i = 0;
        var textStart = 0;
        while (i < html.Length)
        {
            if (html[i] != '<' || !TryReadMarkup(html, i, out var token, out var end))
            {
                i++;
                continue;
            }

            if (i > textStart)
            {
                yield return new HtmlToken(HtmlTokenKind.Text, html, textStart, i - textStart, string.Empty, 0, 0, false);
            }

            if (token is { } tag)
            {
                yield return tag;
            }

            i = end;
            textStart = end;
        }

        if (html.Length > textStart)
        {
            yield return new HtmlToken(HtmlTokenKind.Text, html, textStart, html.Length - textStart, string.Empty, 0, 0, false);
        }
    }

    /// <summary>Reads the markup at <paramref name="start"/> (a '&lt;'): a tag (token set), or a comment/declaration (token null).</summary>
    private static bool TryReadMarkup(string html, int start, out HtmlToken? token, out int end)
    {
        token = null;
        end = start;
        var next = start + 1;
        if (next >= html.Length)
        {
            return false;
        }

        if (html.AsSpan(start).StartsWith("<!--", StringComparison.Ordinal))
        {
            var close = html.IndexOf("-->", start + 4, StringComparison.Ordinal);
            end = close < 0 ? html.Length : close + 3;
            return true;
        }

        if (html[next] is '!' or '?')
        {
            var close = html.IndexOf('>', next);
            end = close < 0 ? html.Length : close + 1;
            return true;
        }

        var isEnd = html[next] == '/';
        var nameStart = isEnd ? next + 1 : next;
        if (nameStart >= html.Length || !char.IsAsciiLetter(html[nameStart]))
        {
            return false;
        }

        var nameEnd = nameStart;
        while (nameEnd < html.Length && (char.IsAsciiLetterOrDigit(html[nameEnd]) || html[nameEnd] == '-'))
        {
            nameEnd++;
        }

        // Find the closing '>' outside quoted attribute values.
        var j = nameEnd;
        var quote = '\0';
        var afterEquals = false;
        while (j < html.Length)
        {
            var c = html[j];
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
            }
            else if (c == '=')
            {
                afterEquals = true;
            }
            else if (afterEquals && c is '"' or '\'')
            {
                quote = c;
                afterEquals = false;
            }
            else if (c == '>')
            {
                break;
            }
            else if (!char.IsWhiteSpace(c))
            {
                afterEquals = false;
            }

            j++;
        }

        if (j >= html.Length)
        {
            return false; // no closing '>': the '<' is text
        }

        var selfClosing = j > nameEnd && html[j - 1] == '/';
        var name = html[nameStart..nameEnd].ToLowerInvariant();
        token = new HtmlToken(isEnd ? HtmlTokenKind.EndTag : HtmlTokenKind.StartTag, html, start, j + 1 - start, name, nameEnd, j - nameEnd, selfClosing);
        end = j + 1;
        return true;
    }
}
