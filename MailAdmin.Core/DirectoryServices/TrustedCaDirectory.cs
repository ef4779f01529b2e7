using System.DirectoryServices.Protocols;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailAdmin.Core.Errors;

namespace MailAdmin.Core.DirectoryServices;

/// <summary>
/// Makes one connection trust exactly the CA certificate an administrator gave, instead of the
/// system's CAs. On Linux S.DS.P cannot take a verification callback (libldap refuses the
/// option), but it can point libldap at a directory of PEM CA certificates and start a new TLS
/// context that uses it; so the certificates are written to a private temporary directory that
/// lives as long as the connection. libldap then checks the chain and the server name as usual.
/// On Windows, where that option does not exist, the same check is done in a
/// <see cref="LdapSessionOptions.VerifyServerCertificate"/> callback with <see cref="X509Chain"/>.
/// </summary>
internal sealed class TrustedCaDirectory : IDisposable
{
    private readonly X509Certificate2Collection _certificates;
    private readonly string _host;
    private string? _path;

    private TrustedCaDirectory(X509Certificate2Collection certificates, string host)
    {
        _certificates = certificates;
        _host = host;
    }

    /// <exception cref="MailAdminException"><c>directory-tls-failed</c> when the text holds no PEM certificate.</exception>
    public static TrustedCaDirectory Create(string pem, string host)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(pem);
        }
        catch (CryptographicException)
        {
            certificates.Clear();
        }

        if (certificates.Count == 0)
        {
            throw MailAdminException.Invalid(
                "directory-tls-failed",
                "The trusted CA certificate is not a PEM certificate. Paste the CA's certificate, including the -----BEGIN CERTIFICATE----- and -----END CERTIFICATE----- lines.");
        }

        return new TrustedCaDirectory(certificates, host);
    }

    public void Apply(LdapSessionOptions options)
    {
        if (OperatingSystem.IsWindows())
        {
            options.VerifyServerCertificate = (_, certificate) => Verify(certificate);
            return;
        }

        var directory = System.IO.Directory.CreateTempSubdirectory("mailadmin-ldap-ca-");
        _path = directory.FullName;
        File.WriteAllText(
            Path.Combine(_path, "ca.pem"),
            string.Concat(_certificates.Select(c => c.ExportCertificatePem() + "\n")));
        options.TrustedCertificatesDirectory = _path;
        options.StartNewTlsSessionContext();
    }

    public void Dispose()
    {
        if (_path is not null)
        {
            System.IO.Directory.Delete(_path, recursive: true);
            _path = null;
        }

        foreach (var certificate in _certificates)
        {
            certificate.Dispose();
        }
    }

    private bool Verify(X509Certificate certificate)
    {
        using var server = new X509Certificate2(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_certificates);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(server) && server.MatchesHostname(_host);
    }
}
