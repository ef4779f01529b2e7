using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MailAdmin.Core.Domains;

namespace MailAdmin.Core.CardDav;

/// <summary>
/// One card of an address book: its resource name in the collection (stable: derived from the
/// entry's address), the vCard's bytes as <see cref="VCardWriter"/> writes them, and the strong
/// ETag of those bytes, so the ETag changes exactly when a client would see a different card.
/// </summary>
public sealed record AddressBookCard(string Name, GalEntry Entry, ReadOnlyMemory<byte> Data, string ETag)
{
    public const string ContentType = "text/vcard; charset=utf-8";
    public const string Extension = ".vcf";

    public static AddressBookCard From(GalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var text = new StringBuilder();
        VCardWriter.Write(text, entry);
        var data = Encoding.UTF8.GetBytes(text.ToString());
        return new AddressBookCard(NameFor(entry.Address), entry, data, ETagOf(data));
    }

    /// <summary>The card as text, for the <c>CARDDAV:address-data</c> of a report.</summary>
    public string Text => Encoding.UTF8.GetString(Data.Span);

    /// <summary>The quoted strong entity tag of HTTP (RFC 9110 section 8.8.3).</summary>
    public string QuotedETag => $"\"{ETag}\"";

    /// <summary>The card's resource name for an address: <c>bob.smith@company.com.vcf</c>.</summary>
    public static string NameFor(string address) => Segment(address) + Extension;

    /// <summary>
    /// A URL-safe path segment for a name: letters, digits, '.', '-', '_' and '@' stay as they
    /// are; every other octet of its UTF-8 form becomes '~' and two hex digits, so no client has
    /// to escape it and two names never share a segment.
    /// </summary>
    public static string Segment(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var segment = new StringBuilder(value.Length + Extension.Length);
        foreach (var octet in Encoding.UTF8.GetBytes(value))
        {
            if (char.IsAsciiLetterOrDigit((char)octet) || octet is (byte)'.' or (byte)'-' or (byte)'_' or (byte)'@')
            {
                segment.Append((char)octet);
            }
            else
            {
                segment.Append('~').Append(octet.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return segment.ToString();
    }

    /// <summary>The first 128 bits of the SHA-256 of the card's bytes, in hex.</summary>
    internal static string ETagOf(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data)[..16]);
}
