using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MailAdmin.Core.Distribution.Trust;
using MailAdmin.Core.Errors;
using MailAdmin.Core.Nodes;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailAdmin.Tests.Unit.Distribution;

public sealed class ClusterIdentityTests : IDisposable
{
    private readonly List<string> _folders = [];

    [Fact]
    public void Certificate_OnFirstUse_IsSignedByTheNodesOwnCa()
    {
        using var identity = NewIdentity("alpha", "alpha.example.com", out _);

        var certificate = identity.Certificate;

        Assert.True(identity.OwnsTrustRoot);
        Assert.True(certificate.HasPrivateKey);
        Assert.Equal("CN=alpha", certificate.Subject);
        Assert.Equal("CN=MailAdmin CA alpha", identity.TrustRoot.Subject);
        Assert.Equal(identity.TrustRoot.Subject, certificate.Issuer);
        Assert.Equal(["alpha", "alpha.example.com"], DnsNames(certificate));
        Assert.Equal(ECCurve.NamedCurves.nistP256.Oid.Value, certificate.GetECDsaPublicKey()!.ExportParameters(false).Curve.Oid.Value);
        Assert.InRange(certificate.NotAfter - certificate.NotBefore, TimeSpan.FromDays(729), TimeSpan.FromDays(731));
        Assert.InRange(identity.TrustRoot.NotAfter - identity.TrustRoot.NotBefore, TimeSpan.FromDays(3649), TimeSpan.FromDays(3651));
        Assert.True(identity.TrustRoot.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.True(identity.TrustRoot.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign));
        Assert.Equal(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], Usages(certificate));
        Assert.True(Verify(certificate, identity.TrustRoot));
    }

    [Fact]
    public void Certificate_ForAnIpPublicHost_NamesItAsAnAddress()
    {
        using var identity = NewIdentity("gamma", "192.0.2.7", out _);

        var addresses = identity.Certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateIPAddresses();

        Assert.Equal("192.0.2.7", Assert.Single(addresses).ToString());
        Assert.Equal(["gamma"], DnsNames(identity.Certificate));
    }

    [Fact]
    public void Thumbprint_AndFingerprint_AreTheSha256OfTheCertificate()
    {
        using var identity = NewIdentity("alpha", "alpha", out _);

        var hash = SHA256.HashData(identity.Certificate.RawData);

        Assert.Equal(Convert.ToHexStringLower(hash), identity.Thumbprint);
        Assert.Equal(string.Join(':', hash.Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture))), identity.Fingerprint);
        Assert.True(PeerCertificates.SameFingerprint(identity.Fingerprint, identity.Thumbprint));
    }

    [Fact]
    public void NewInstance_OnTheSameDataDir_KeepsTheIdentity()
    {
        string thumbprint, root;
        using (var first = NewIdentity("alpha", "alpha", out var dataDir))
        {
            thumbprint = first.Thumbprint;
            root = PeerCertificates.Thumbprint(first.TrustRoot);
            using var again = NewIdentity("alpha", "alpha", dataDir);
            Assert.Equal(thumbprint, again.Thumbprint);
            Assert.Equal(root, PeerCertificates.Thumbprint(again.TrustRoot));
            Assert.True(again.Certificate.HasPrivateKey);
            Assert.True(again.OwnsTrustRoot);
        }
    }

    [Fact]
    public void NewInstance_AfterThePublicHostChanged_KeepsTheCaAndNamesTheNewHost()
    {
        using var first = NewIdentity("alpha", "old.example.com", out var dataDir);
        var root = PeerCertificates.Thumbprint(first.TrustRoot);
        var thumbprint = first.Thumbprint;

        using var again = NewIdentity("alpha", "new.example.com", dataDir);

        Assert.Equal(root, PeerCertificates.Thumbprint(again.TrustRoot));
        Assert.NotEqual(thumbprint, again.Thumbprint);
        Assert.Contains("new.example.com", DnsNames(again.Certificate));
    }

    [Fact]
    public void Files_HoldNoPrivateKeyInClear_AndAreOwnerOnly()
    {
        using var identity = NewIdentity("alpha", "alpha", out var dataDir);
        var folder = Path.Combine(dataDir, "cluster");

        var secrets = new[] { identity.Certificate, OwnCaOf(dataDir) }
            .Select(c => c.GetECDsaPrivateKey()!)
            .SelectMany(k => new[] { k.ExportPkcs8PrivateKey(), k.ExportECPrivateKey(), k.ExportParameters(true).D! })
            .ToList();
        var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories);

        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            var text = Encoding.UTF8.GetString(bytes);
            Assert.DoesNotContain("PRIVATE KEY", text, StringComparison.Ordinal);
            foreach (var secret in secrets)
            {
                Assert.False(bytes.AsSpan().IndexOf(secret) >= 0, $"{file} holds a private key in clear.");
                Assert.DoesNotContain(Convert.ToBase64String(secret), text, StringComparison.Ordinal);
                Assert.DoesNotContain(Convert.ToHexString(secret), text, StringComparison.OrdinalIgnoreCase);
            }

            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }
        }

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        }
    }

    [Fact]
    public void NewInstance_WithAnotherKeyRing_RefusesToStartAndSaysWhy()
    {
        using (var first = NewIdentity("alpha", "alpha", out var dataDir))
        {
            Assert.NotEmpty(first.Thumbprint);
            using var stranger = new ClusterIdentity(Node("alpha", "alpha", dataDir), new EphemeralDataProtectionProvider(), TimeProvider.System, NullLogger<ClusterIdentity>.Instance);

            var e = Assert.Throws<InvalidOperationException>(() => stranger.Certificate);
            Assert.Contains("cannot be decrypted", e.Message, StringComparison.Ordinal);
            Assert.Contains("identity.json", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Issue_ImposesItsOwnSubjectNamesUsagesAndLifetime()
    {
        using var master = NewIdentity("master", "master", out _);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var wish = new CertificateRequest("CN=admin, O=Evil", key, HashAlgorithmName.SHA256);
        wish.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        wish.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.3")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("*.example.com");
        wish.CertificateExtensions.Add(names.Build());

        using var issued = X509CertificateLoader.LoadCertificate(master.Issue(wish.CreateSigningRequest(), "slave1", ["slave1.example.com", "198.51.100.4"]));

        Assert.Equal("CN=slave1", issued.Subject);
        Assert.Equal(["slave1", "slave1.example.com"], DnsNames(issued));
        Assert.Equal("198.51.100.4", Assert.Single(issued.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateIPAddresses()).ToString());
        Assert.False(issued.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], Usages(issued));
        Assert.InRange(issued.NotAfter - issued.NotBefore, TimeSpan.FromDays(729), TimeSpan.FromDays(731));
        Assert.True(Verify(issued, master.TrustRoot));
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), issued.PublicKey.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public void Issue_TwoCertificates_HaveRandomSerials()
    {
        using var master = NewIdentity("master", "master", out _);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=slave1", key, HashAlgorithmName.SHA256).CreateSigningRequest();

        using var first = X509CertificateLoader.LoadCertificate(master.Issue(request, "slave1", []));
        using var second = X509CertificateLoader.LoadCertificate(master.Issue(request, "slave1", []));

        Assert.NotEqual(first.SerialNumber, second.SerialNumber);
        Assert.True(first.SerialNumberBytes.Length >= 16);
    }

    [Fact]
    public void Issue_ATamperedRequest_IsRefused()
    {
        using var master = NewIdentity("master", "master", out _);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=slave1", key, HashAlgorithmName.SHA256).CreateSigningRequest();
        var at = request.AsSpan().IndexOf("slave1"u8);
        request[at + 5] = (byte)'2'; // CN=slave2: still well-formed, no longer what was signed.

        var e = Assert.Throws<MailAdminException>(() => master.Issue(request, "slave2", []));

        Assert.Equal("invalid-certificate-request", e.Code);
    }

    [Fact]
    public void Issue_WithATooLongValidity_IsCutToTheCas()
    {
        using var master = NewIdentity("master", "master", out _);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=slave1", key, HashAlgorithmName.SHA256).CreateSigningRequest();

        using var issued = X509CertificateLoader.LoadCertificate(master.Issue(request, "slave1", [], DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddYears(50)));

        Assert.True(issued.NotAfter <= master.TrustRoot.NotAfter);
    }

    [Fact]
    public void Adopt_ThenReset_TrustsTheMastersCaThenItsOwnAgain()
    {
        using var master = NewIdentity("master", "master", out _);
        using var slave = NewIdentity("slave1", "slave1.example.com", out var slaveDir);
        var ownRoot = PeerCertificates.Thumbprint(slave.TrustRoot);
        var changes = 0;
        slave.Changed += (_, _) => changes++;

        var request = slave.CreateRequest("slave1", ["slave1.example.com"]);
        slave.Adopt(master.Issue(request, "slave1", ["slave1.example.com"]), master.TrustRoot.RawData);

        Assert.Equal(1, changes);
        Assert.False(slave.OwnsTrustRoot);
        Assert.Equal(master.TrustRoot.RawData, slave.TrustRoot.RawData);
        Assert.True(slave.Certificate.HasPrivateKey);
        Assert.True(Verify(slave.Certificate, master.TrustRoot));
        Assert.Throws<InvalidOperationException>(() => slave.Issue(request, "other", []));
        using (var restarted = NewIdentity("slave1", "slave1.example.com", slaveDir))
        {
            Assert.Equal(slave.Thumbprint, restarted.Thumbprint);
            Assert.False(restarted.OwnsTrustRoot);
            Assert.True(restarted.Certificate.HasPrivateKey);
        }

        slave.Reset();

        Assert.Equal(2, changes);
        Assert.True(slave.OwnsTrustRoot);
        Assert.Equal(ownRoot, PeerCertificates.Thumbprint(slave.TrustRoot));
        Assert.True(Verify(slave.Certificate, slave.TrustRoot));
        using var afterReset = NewIdentity("slave1", "slave1.example.com", slaveDir);
        Assert.Equal(slave.Thumbprint, afterReset.Thumbprint);
        Assert.True(afterReset.OwnsTrustRoot);
    }

    [Fact]
    public void Adopt_ACertificateForAnotherKey_IsRefusedAndChangesNothing()
    {
        using var master = NewIdentity("master", "master", out _);
        using var slave = NewIdentity("slave1", "slave1", out _);
        var before = slave.Thumbprint;
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _ = slave.CreateRequest("slave1", []);
        var foreign = master.Issue(new CertificateRequest("CN=slave1", otherKey, HashAlgorithmName.SHA256).CreateSigningRequest(), "slave1", []);

        var e = Assert.Throws<MailAdminException>(() => slave.Adopt(foreign, master.TrustRoot.RawData));

        Assert.Equal("invalid-certificate", e.Code);
        Assert.Equal(before, slave.Thumbprint);
        Assert.True(slave.OwnsTrustRoot);
    }

    [Fact]
    public void Adopt_WithoutARequest_IsRefused()
    {
        using var master = NewIdentity("master", "master", out _);
        using var slave = NewIdentity("slave1", "slave1", out _);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var issued = master.Issue(new CertificateRequest("CN=slave1", key, HashAlgorithmName.SHA256).CreateSigningRequest(), "slave1", []);

        Assert.Throws<InvalidOperationException>(() => slave.Adopt(issued, master.TrustRoot.RawData));
    }

    public void Dispose()
    {
        foreach (var folder in _folders.Where(Directory.Exists))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static NodeOptions Node(string name, string publicHost, string dataDir) => new() { Name = name, PublicHost = publicHost, DataDir = dataDir };

    private static ClusterIdentity NewIdentity(string name, string publicHost, string dataDir) =>
        new(Node(name, publicHost, dataDir), DataProtectionProvider.Create(new DirectoryInfo(Path.Combine(dataDir, "keys"))), TimeProvider.System, NullLogger<ClusterIdentity>.Instance);

    private static List<string> DnsNames(X509Certificate2 certificate) =>
        [.. certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames()];

    private static List<string?> Usages(X509Certificate2 certificate) =>
        [.. certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value)];

    private static bool Verify(X509Certificate2 certificate, X509Certificate2 root)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    /// <summary>The own CA with its key, as a restarted node reads it (the public API shows only the trust root).</summary>
    private static X509Certificate2 OwnCaOf(string dataDir) =>
        new ClusterIdentityStore(Path.Combine(dataDir, "cluster"), DataProtectionProvider.Create(new DirectoryInfo(Path.Combine(dataDir, "keys")))).Load()!.OwnCa;

    private ClusterIdentity NewIdentity(string name, string publicHost, out string dataDir)
    {
        dataDir = Path.Combine(Path.GetTempPath(), $"mailadmin-identity-{name}-{Guid.NewGuid():N}");
        _folders.Add(dataDir);
        return NewIdentity(name, publicHost, dataDir);
    }
}
