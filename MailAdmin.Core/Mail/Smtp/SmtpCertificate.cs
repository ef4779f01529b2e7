using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailAdmin.Core.Configuration;
using MailAdmin.Core.Nodes;
using Microsoft.Extensions.Logging;

namespace MailAdmin.Core.Mail.Smtp;

/// <summary>
/// The listeners' STARTTLS certificate: the PKCS#12 file of <c>Smtp:CertificatePath</c> when
/// set, else a self-signed one kept in <c>&lt;DataDir&gt;/tls/smtp.pfx</c> (owner-only). The
/// self-signed one is made once and reused, and made again only when it has expired or
/// <c>Smtp:HostName</c> changed. Other mail servers accept a self-signed certificate for
/// opportunistic STARTTLS; users' mail programs want a configured one.
/// </summary>
public static class SmtpCertificate
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(3650);

    public static X509Certificate2 Load(SmtpOptions smtp, NodeOptions node, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(smtp);
        ArgumentNullException.ThrowIfNull(node);
        return smtp.CertificatePath is { } path
            ? LoadConfigured(path, smtp.CertificatePassword)
            : LoadOrCreateSelfSigned(Path.Combine(node.DataDir, "tls", "smtp.pfx"), smtp.HostName, logger);
    }

    private static X509Certificate2 LoadConfigured(string path, string? password)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new InvalidSettingException("Smtp:CertificatePath",
                $"cannot read the PKCS#12 certificate '{path}' ({e.Message.TrimEnd('.')}). Check the file and Smtp:CertificatePassword.");
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new InvalidSettingException("Smtp:CertificatePath", $"'{path}' holds no private key. Export the certificate together with its key.");
        }

        return certificate;
    }

    private static X509Certificate2 LoadOrCreateSelfSigned(string path, string hostName, ILogger logger)
    {
        if (TryLoad(path) is { } existing)
        {
            if (existing.HasPrivateKey && existing.NotAfter > DateTime.Now.AddDays(1) && existing.MatchesHostname(hostName, allowWildcards: false, allowCommonName: true))
            {
                return existing;
            }

            existing.Dispose();
        }

        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var pfx = CreateSelfSigned(hostName);
        var temporary = path + ".tmp";
        var file = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            file.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, file))
        {
            stream.Write(pfx);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        logger.CertificateCreated(hostName, path);
        return X509CertificateLoader.LoadPkcs12(pfx, null);
    }

    /// <summary>The kept certificate, or null when there is none or it cannot be read (it is then made again).</summary>
    private static X509Certificate2? TryLoad(string path)
    {
        try
        {
            return File.Exists(path) ? X509CertificateLoader.LoadPkcs12FromFile(path, null) : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>RSA 2048: the one key type every mail server on the Internet can use.</summary>
    private static byte[] CreateSelfSigned(string hostName)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={hostName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        if (System.Net.IPAddress.TryParse(hostName, out var address))
        {
            names.AddIpAddress(address);
        }
        else
        {
            names.AddDnsName(hostName);
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.Add(Lifetime));
        return certificate.Export(X509ContentType.Pkcs12);
    }
}
