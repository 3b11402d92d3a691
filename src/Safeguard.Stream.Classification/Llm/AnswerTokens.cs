using System.Buffers;
using System.Collections;

namespace Safeguard.Stream.Classification.Llm;

/// <summary>One generated token's logprob and its top alternatives (vLLM's <c>choices[0].logprobs.content[i]</c>).</summary>
public sealed record TokenLogProbability(string Token, double LogProbability, IReadOnlyList<TokenAlternative> TopAlternatives);

/// <summary>One of a token's top alternatives.</summary>
public readonly record struct TokenAlternative(string Token, double LogProbability);

/// <summary>
/// The generated tokens of one answer (<c>choices[0].logprobs.content</c>), read without an object per token.
/// <para>
/// gpt-oss answers with logprobs for every generated token, its reasoning included (~130 tokens per answer, five answers
/// per edit), yet the verdict's probability needs the logprob and alternatives of a single token: the verdict digit.
/// So reading the answer keeps only the tokens' text, joined into <see cref="Text"/> with each token's offset, and
/// where each token's entry lies in the response body. A token's logprob and alternatives are read from the body when
/// asked for (<see cref="TryGet"/>), which <see cref="VerdictProbability"/> does once per verdict (BENCHMARKS.md,
/// "Where the worker's CPU goes").
/// </para>
/// <para>
/// It is also an <see cref="IReadOnlyList{T}"/> of <see cref="TokenLogProbability"/> for callers that want every
/// token as an object (tests, <c>safeguard llm check</c>); each such read builds the object.
/// </para>
/// </summary>
public sealed class AnswerTokens : IReadOnlyList<TokenLogProbability>
{
    private static readonly JsonReaderOptions s_reader = new() { MaxDepth = 64 };

    private readonly ReadOnlyMemory<byte> _body;
    private readonly int[] _starts; // Count + 1 offsets into Text: token i is Text[_starts[i].._starts[i + 1]]
    private readonly Range[] _entries; // token i's entry object in _body

    private AnswerTokens(ReadOnlyMemory<byte> body, string text, int[] starts, Range[] entries)
    {
        _body = body;
        Text = text;
        _starts = starts;
        _entries = entries;
    }

    /// <summary>Every token's text, in order, joined.</summary>
    public string Text { get; }

    public int Count => _entries.Length;

    /// <summary>Where token <paramref name="index"/> starts in <see cref="Text"/>.</summary>
    public int Start(int index) => _starts[index];

    /// <summary>Where token <paramref name="index"/> ends in <see cref="Text"/> (exclusive).</summary>
    public int End(int index) => _starts[index + 1];

    public ReadOnlySpan<char> Token(int index) => Text.AsSpan(_starts[index], _starts[index + 1] - _starts[index]);

    /// <summary>The first token that ends after <paramref name="offset"/> of <see cref="Text"/>; <see cref="Count"/> when none.</summary>
    public int TokenEndingAfter(int offset)
    {
        // _starts[i + 1] is token i's end: the first i whose end exceeds offset.
        var found = Array.BinarySearch(_starts, 1, Count, offset + 1);
        var end = found >= 0 ? found : ~found;
        while (end > 1 && _starts[end - 1] > offset)
        {
            end--; // empty tokens share an offset: take the first
        }

        return Math.Min(end - 1, Count);
    }

    /// <summary>
    /// Token <paramref name="index"/> with its logprob and top alternatives, read from the response; null when its entry
    /// holds a value of the wrong type (the body's syntax was checked when it was read, its values' types are not
    /// until asked for), so that the verdict falls back as without logprobs rather than failing.
    /// </summary>
    public TokenLogProbability? TryGet(int index)
    {
        try
        {
            return this[index];
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or JsonException)
        {
            return null;
        }
    }

    public TokenLogProbability this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            return ReadEntry(index, withAlternatives: true);
        }
    }

    public IEnumerator<TokenLogProbability> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The tokens of a list built in memory (tests, and callers that hold <see cref="TokenLogProbability"/> objects).</summary>
    public static AnswerTokens From(IReadOnlyList<TokenLogProbability> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens is AnswerTokens read)
        {
            return read;
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var token in tokens)
            {
                w.WriteStartObject();
                w.WriteString("token", token.Token);
                w.WriteNumber("logprob", token.LogProbability);
                w.WriteStartArray("top_logprobs");
                foreach (var alternative in token.TopAlternatives)
                {
                    w.WriteStartObject();
                    w.WriteString("token", alternative.Token);
                    w.WriteNumber("logprob", alternative.LogProbability);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        var reader = new Utf8JsonReader(buffer.WrittenSpan, s_reader);
        reader.Read();
        return Read(ref reader, buffer.WrittenMemory);
    }

    /// <summary>
    /// Reads the <c>logprobs.content</c> array the reader is on (its StartArray; the reader reads
    /// <paramref name="body"/> from its start) and leaves the reader on the array's EndArray.
    /// <para>
    /// The array is most of the answer's bytes: per token its text, logprob, UTF-8 <c>bytes</c> and alternatives, yet
    /// only the text is needed for every token. So the array is walked by a structural scanner rather than token by
    /// token: it checks the nesting and the strings (an answer cut off or unbalanced is malformed), decodes each
    /// token's text and jumps over everything else with vectorised searches. Values it jumps over are checked when
    /// read (<see cref="TryGet"/>). The reader then carries on after the array.
    /// </para>
    /// </summary>
    internal static AnswerTokens Read(ref Utf8JsonReader reader, ReadOnlyMemory<byte> body)
    {
        ChatExchange.Require(ref reader, JsonTokenType.StartArray);

        var json = body.Span;
        var scanner = new Scanner(json, (int)reader.TokenStartIndex + 1);
        var text = ArrayPool<char>.Shared.Rent(1024);
        try
        {
            var length = 0;
            var starts = new List<int>(256) { 0 };
            var entries = new List<Range>(256);
            if (!scanner.TryConsume((byte)']'))
            {
                do
                {
                    var entryStart = scanner.Expect((byte)'{');
                    if (!scanner.TryConsume((byte)'}'))
                    {
                        do
                        {
                            var key = scanner.String();
                            scanner.Expect((byte)':');
                            if (json[key].SequenceEqual("\"token\""u8) && scanner.Peek() == (byte)'"')
                            {
                                var value = scanner.String();
                                length = AppendText(json, value, ref text, length);
                            }
                            else
                            {
                                scanner.SkipValue();
                            }
                        }
                        while (scanner.EndOf((byte)'}'));
                    }

                    starts.Add(length);
                    entries.Add(new Range(entryStart, scanner.Position));
                }
                while (scanner.EndOf((byte)']'));
            }

            // Carry on after the array: a reader on its closing bracket, in the state it had at the opening one.
            reader = new Utf8JsonReader(json[(scanner.Position - 1)..], isFinalBlock: true, reader.CurrentState);
            ChatExchange.Next(ref reader);
            ChatExchange.Require(ref reader, JsonTokenType.EndArray);
            return new AnswerTokens(body, new string(text, 0, length), [.. starts], [.. entries]);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(text);
        }
    }

    /// <summary>Decodes the JSON string at <paramref name="quoted"/> (with its quotes) onto the end of <paramref name="text"/>.</summary>
    private static int AppendText(ReadOnlySpan<byte> json, Range quoted, ref char[] text, int length)
    {
        var raw = json[quoted];
        var inner = raw[1..^1];
        // The decoded text is never longer in chars than its UTF-8 bytes.
        if (length + inner.Length > text.Length)
        {
            var larger = ArrayPool<char>.Shared.Rent(Math.Max(text.Length * 2, length + inner.Length));
            text.AsSpan(0, length).CopyTo(larger);
            ArrayPool<char>.Shared.Return(text);
            text = larger;
        }

        if (!inner.Contains((byte)'\\'))
        {
            return length + Encoding.UTF8.GetChars(inner, text.AsSpan(length));
        }

        // Escapes (\", \\, \n, \uXXXX): the JSON reader decodes the string on its own.
        var reader = new Utf8JsonReader(raw, s_reader);
        reader.Read();
        return length + reader.CopyString(text.AsSpan(length));
    }

    /// <summary>
    /// One logprob entry, <c>{"token", "logprob", "bytes", "top_logprobs"}</c>: a generated token or one of its
    /// alternatives (which have no <c>top_logprobs</c>). <c>bytes</c> and unknown fields are skipped.
    /// </summary>
    private TokenLogProbability ReadEntry(int index, bool withAlternatives)
    {
        var reader = new Utf8JsonReader(_body.Span[_entries[index]], s_reader);
        reader.Read();
        return ReadEntry(ref reader, withAlternatives);
    }

    private static TokenLogProbability ReadEntry(ref Utf8JsonReader reader, bool withAlternatives)
    {
        ChatExchange.Require(ref reader, JsonTokenType.StartObject);
        string? token = null;
        double logprob = 0;
        List<TokenAlternative>? top = null;
        while (ChatExchange.Next(ref reader) != JsonTokenType.EndObject)
        {
            ChatExchange.Require(ref reader, JsonTokenType.PropertyName);
            if (reader.ValueTextEquals("token"u8))
            {
                ChatExchange.Next(ref reader);
                token = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("logprob"u8))
            {
                ChatExchange.Next(ref reader);
                logprob = reader.GetDouble();
            }
            else if (withAlternatives && reader.ValueTextEquals("top_logprobs"u8) && ChatExchange.Next(ref reader) == JsonTokenType.StartArray)
            {
                top = new List<TokenAlternative>(4);
                while (ChatExchange.Next(ref reader) != JsonTokenType.EndArray)
                {
                    var alternative = ReadEntry(ref reader, withAlternatives: false);
                    top.Add(new TokenAlternative(alternative.Token, alternative.LogProbability));
                }
            }
            else
            {
                ChatExchange.Next(ref reader);
                reader.Skip();
            }
        }

        return new TokenLogProbability(token ?? string.Empty, logprob, top is null ? [] : [.. top]);
    }

    /// <summary>
    /// A forward walk over JSON bytes that knows nesting and strings and nothing else: what <see cref="Read"/> needs
    /// to find each token's text and to jump over the rest. Throws <see cref="JsonException"/> where the bytes end
    /// early or are not the expected punctuation.
    /// </summary>
    private ref struct Scanner(ReadOnlySpan<byte> json, int position)
    {
        private static readonly SearchValues<byte> s_structure = SearchValues.Create("\"{}[]"u8);
        private static readonly SearchValues<byte> s_stringEnd = SearchValues.Create("\"\\"u8);
        private static readonly SearchValues<byte> s_valueEnd = SearchValues.Create(",}] \t\r\n"u8);

        private readonly ReadOnlySpan<byte> _json = json;

        public int Position { get; private set; } = position;

        public byte Peek()
        {
            SkipWhitespace();
            return Position < _json.Length ? _json[Position] : throw Early();
        }

        public bool TryConsume(byte punctuation)
        {
            if (Peek() != punctuation)
            {
                return false;
            }

            Position++;
            return true;
        }

        /// <summary>Consumes <paramref name="punctuation"/> and returns where it stood.</summary>
        public int Expect(byte punctuation) => TryConsume(punctuation)
            ? Position - 1
            : throw new JsonException($"expected '{(char)punctuation}' in the completion's logprobs at byte {Position}");

        /// <summary>After a member: true on a comma (another follows), false on <paramref name="close"/> (consumed).</summary>
        public bool EndOf(byte close)
        {
            if (TryConsume((byte)','))
            {
                return true;
            }

            Expect(close);
            return false;
        }

        /// <summary>The string that starts here, quotes included.</summary>
        public Range String()
        {
            var start = Expect((byte)'"');
            while (true)
            {
                var next = _json[Position..].IndexOfAny(s_stringEnd);
                if (next < 0)
                {
                    throw Early();
                }

                Position += next + 1;
                if (_json[Position - 1] == (byte)'"')
                {
                    return new Range(start, Position);
                }

                Position++; // the escaped byte
                if (Position >= _json.Length)
                {
                    throw Early();
                }
            }
        }

        /// <summary>Jumps over one value: a string, a number or literal, or a whole object or array.</summary>
        public void SkipValue()
        {
            switch (Peek())
            {
                case (byte)'"':
                    String();
                    return;
                case (byte)'{' or (byte)'[':
                    var depth = 0;
                    do
                    {
                        var next = _json[Position..].IndexOfAny(s_structure);
                        if (next < 0)
                        {
                            throw Early();
                        }

                        Position += next;
                        switch (_json[Position])
                        {
                            case (byte)'"':
                                String();
                                continue;
                            case (byte)'{' or (byte)'[':
                                depth++;
                                break;
                            default:
                                depth--;
                                break;
                        }

                        Position++;
                    }
                    while (depth > 0);

                    return;
                default:
                    var end = _json[Position..].IndexOfAny(s_valueEnd);
                    Position = end switch
                    {
                        < 0 => throw Early(),
                        0 => throw new JsonException($"expected a value in the completion's logprobs at byte {Position}"),
                        _ => Position + end,
                    };
                    return;
            }
        }

        private void SkipWhitespace()
        {
            while (Position < _json.Length && _json[Position] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                Position++;
            }
        }

        private static JsonException Early() => new("the completion JSON ends early");
    }
}
