using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using MailAdmin.Core.Mail.Storage;
using Microsoft.AspNetCore.DataProtection;

namespace MailAdmin.Core.Distribution.Trust;

/// <summary>
/// Keeps a node's cluster identity in one file, <c>&lt;DataDir&gt;/cluster/identity.json</c>:
/// the node's own CA, its current certificate and the CA it trusts, with both private keys
/// encrypted by ASP.NET Core Data Protection (the node's key ring in <c>&lt;DataDir&gt;/keys</c>).
/// One file written to a temporary name, synced, then renamed over the old one: after a
/// crash the node has either its old identity or the new one, never half of each.
/// </summary>
internal sealed class ClusterIdentityStore(string folder, IDataProtectionProvider dataProtection)
{
    public const string Purpose = "MailAdmin.Cluster.Keys.v1";
    private const string FileName = "identity.json";
    private const int FormatVersion = 1;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private readonly IDataProtector _protector = dataProtection.CreateProtector(Purpose);

    public string Path { get; } = System.IO.Path.Combine(folder, FileName);

    /// <summary>The stored identity, or null when the node has none yet.</summary>
    /// <exception cref="InvalidOperationException">The file exists but cannot be read or decrypted.</exception>
    public StoredIdentity? Load()
    {
        if (!File.Exists(Path))
        {
            return null;
        }

        IdentityFile? file;
        try
        {
            file = JsonSerializer.Deserialize<IdentityFile>(File.ReadAllBytes(Path), Json);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw Unreadable($"it cannot be read ({e.Message.TrimEnd('.')})", e);
        }

        if (file is not { Version: FormatVersion, OwnCa: not null, Node: not null, TrustRoot: not null })
        {
            throw Unreadable("it is not a cluster identity this version understands", null);
        }

        try
        {
            return new StoredIdentity(Open(file.OwnCa), Open(file.Node), X509CertificateLoader.LoadCertificate(Convert.FromBase64String(file.TrustRoot)));
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            var keys = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(folder)!, "keys");
            throw Unreadable($"its private keys cannot be decrypted with the data-protection keys in {keys} ({e.Message.TrimEnd('.')})", e);
        }
    }

    public void Save(StoredIdentity identity)
    {
        var file = new IdentityFile(FormatVersion, Seal(identity.OwnCa), Seal(identity.Node), Convert.ToBase64String(identity.TrustRoot.RawData));
        var content = JsonSerializer.SerializeToUtf8Bytes(file, Json);
        DurableFiles.CreatePrivateDirectory(folder);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var temporary = Path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, Path, overwrite: true);
        DurableFiles.SyncDirectory(folder);
    }

    private KeyedCertificate Seal(X509Certificate2 certificate)
    {
        using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException($"The certificate {certificate.Subject} has no ECDSA private key.");
        var pkcs8 = key.ExportPkcs8PrivateKey();
        try
        {
            return new KeyedCertificate(Convert.ToBase64String(certificate.RawData), Convert.ToBase64String(_protector.Protect(pkcs8)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    private X509Certificate2 Open(KeyedCertificate stored)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(stored.Certificate));
        var pkcs8 = _protector.Unprotect(Convert.FromBase64String(stored.Key));
        try
        {
            using var key = ECDsa.Create();
            key.ImportPkcs8PrivateKey(pkcs8, out _);
            return ClusterCertificates.Usable(certificate.CopyWithPrivateKey(key));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    private InvalidOperationException Unreadable(string why, Exception? inner) =>
        new($"The node's cluster identity {Path} is unusable: {why}. Restore it and the node's keys folder from a backup, or move it away to start with a new identity (the node must then join its distributed domain again).", inner);

    private sealed record IdentityFile(int Version, KeyedCertificate? OwnCa, KeyedCertificate? Node, string? TrustRoot);

    /// <summary>A certificate (DER, base64) and its PKCS#8 private key protected by Data Protection (base64).</summary>
    private sealed record KeyedCertificate(string Certificate, string Key);
}

/// <summary>What the store keeps: both certificates carry their private keys.</summary>
internal sealed record StoredIdentity(X509Certificate2 OwnCa, X509Certificate2 Node, X509Certificate2 TrustRoot);
