using System.Text;

namespace MailAdmin.Core.DirectoryServices;

/// <summary>
/// Resolves which groups an entry belongs to, nested groups included. Directories store
/// membership downwards (a group lists its members), so the groups are indexed once by member
/// DN and walked upwards breadth-first from the entry: its groups, their parent groups, and
/// so on. A visited set makes cycles (A contains B contains A), which directories allow, end
/// the walk instead of looping. DNs are compared by <see cref="DnKey"/>, because the DN in a
/// <c>member</c> value and the entry's own DN may differ in case or spacing.
/// </summary>
public static class GroupMembership
{
    // Printable ASCII except the space and the backslash.
    private static readonly System.Buffers.SearchValues<char> PlainDnCharacters = System.Buffers.SearchValues.Create(
        "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    /// <summary>Every group that contains <paramref name="memberDn"/> directly or through other groups, in walk order.</summary>
    public static IReadOnlyList<string> GroupsOf(string memberDn, IEnumerable<DirectoryGroup> groups)
    {
        ArgumentNullException.ThrowIfNull(memberDn);
        ArgumentNullException.ThrowIfNull(groups);

        var parents = new Dictionary<string, List<DirectoryGroup>>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            foreach (var member in group.MemberDns)
            {
                var key = DnKey(member);
                if (!parents.TryGetValue(key, out var list))
                {
                    parents[key] = list = [];
                }

                list.Add(group);
            }
        }

        var result = new List<string>();
        var visited = new HashSet<string>(StringComparer.Ordinal) { DnKey(memberDn) };
        var pending = new Queue<string>([DnKey(memberDn)]);
        while (pending.TryDequeue(out var current))
        {
            foreach (var group in parents.GetValueOrDefault(current) ?? [])
            {
                var key = DnKey(group.Dn);
                if (visited.Add(key))
                {
                    result.Add(group.Dn);
                    pending.Enqueue(key);
                }
            }
        }

        return result;
    }

    /// <summary>
    /// A comparison key for a DN (RFC 4514): letters lower-cased, unescaped spaces around the
    /// <c>,</c> <c>+</c> <c>=</c> separators dropped, and every escape written one way. The last
    /// matters in practice: slapd returns an entry's DN as <c>cn=Smith\2C John</c> while a
    /// <c>member</c> value names it <c>cn=Smith\, John</c>. Hex escapes are decoded as UTF-8
    /// (<c>\C3\A9</c> is <c>é</c>); the characters that need escaping come out as
    /// <c>\,</c>, others as themselves.
    /// </summary>
    public static string DnKey(string dn)
    {
        ArgumentNullException.ThrowIfNull(dn);

        // The common case, worth a shortcut when thousands of DNs are keyed: plain ASCII with
        // no escapes and no spaces, where the key is just the DN in lower case.
        if (!dn.AsSpan().ContainsAnyExcept(PlainDnCharacters))
        {
            return dn.ToLowerInvariant();
        }

        var key = new DnKeyBuilder(dn.Length);
        for (var i = 0; i < dn.Length; i++)
        {
            var c = dn[i];
            if (c == '\\' && i + 2 < dn.Length && char.IsAsciiHexDigit(dn[i + 1]) && char.IsAsciiHexDigit(dn[i + 2]))
            {
                key.AddEscapedByte(Convert.ToByte(dn.Substring(i + 1, 2), 16));
                i += 2;
            }
            else if (c == '\\' && i + 1 < dn.Length)
            {
                key.AddEscaped(dn[++i]);
            }
            else if (c is ',' or '+' or '=')
            {
                key.AddSeparator(c);
                while (i + 1 < dn.Length && dn[i + 1] == ' ')
                {
                    i++;
                }
            }
            else
            {
                key.Add(c);
            }
        }

        return key.ToString();
    }

    private sealed class DnKeyBuilder(int capacity)
    {
        private readonly StringBuilder _key = new(capacity);
        private readonly List<byte> _escapedBytes = [];
        private int _trailingSpaces;
        private bool _atStartOfPart = true;

        public void AddEscapedByte(byte value) => _escapedBytes.Add(value);

        public void AddEscaped(char c)
        {
            FlushBytes();
            AppendEscaped(c);
        }

        public void AddSeparator(char c)
        {
            FlushBytes();
            _key.Length -= _trailingSpaces;
            _trailingSpaces = 0;
            _key.Append(c);
            _atStartOfPart = true;
        }

        public void Add(char c)
        {
            FlushBytes();
            if (c == ' ' && _atStartOfPart)
            {
                return;
            }

            _key.Append(char.ToLowerInvariant(c));
            _trailingSpaces = c == ' ' ? _trailingSpaces + 1 : 0;
            _atStartOfPart = false;
        }

        public override string ToString()
        {
            FlushBytes();
            _key.Length -= _trailingSpaces;
            _trailingSpaces = 0;
            return _key.ToString();
        }

        private void FlushBytes()
        {
            if (_escapedBytes.Count == 0)
            {
                return;
            }

            foreach (var c in Encoding.UTF8.GetString([.. _escapedBytes]))
            {
                AppendEscaped(c);
            }

            _escapedBytes.Clear();
        }

        private void AppendEscaped(char c)
        {
            // Escaped characters belong to the value: never trimmed, never separators.
            if (c is ',' or '+' or '=' or '"' or '\\' or '<' or '>' or ';')
            {
                _key.Append('\\');
            }

            _key.Append(char.ToLowerInvariant(c));
            _trailingSpaces = 0;
            _atStartOfPart = false;
        }
    }
}
