using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailAdmin.Core.Configuration;
using MailAdmin.Core.Errors;
using MailAdmin.Core.Nodes;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging;

namespace MailAdmin.Core.Distribution.Trust;

/// <summary>
/// The node's certificates for the peer protocol. On first use the node makes its own CA and
/// a certificate signed by it, and keeps them (<see cref="ClusterIdentityStore"/>). Joining
/// swaps the certificate for one the master's CA signed (<see cref="CreateRequest"/> then
/// <see cref="Adopt"/>) and trusts that CA; the own CA is kept aside, so leaving
/// (<see cref="Reset"/>) returns to it with a fresh certificate. While the node trusts its own
/// CA, a certificate that no longer names the node (its name or public host changed) or that
/// is about to expire is made again at start.
/// </summary>
public sealed partial class ClusterIdentity : IClusterIdentity, IDisposable
{
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    private readonly NodeOptions _node;
    private readonly TimeProvider _clock;
    private readonly ILogger<ClusterIdentity> _logger;
    private readonly ClusterIdentityStore _store;
    private readonly Lock _gate = new();
    private volatile State? _state;
    private ECDsa? _pendingKey;

    public ClusterIdentity(NodeOptions node, IDataProtectionProvider dataProtection, TimeProvider clock, ILogger<ClusterIdentity> logger)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(dataProtection);
        _node = node;
        _clock = clock;
        _logger = logger;
        _store = new ClusterIdentityStore(Path.Combine(node.DataDir, "cluster"), dataProtection);
    }

    public event EventHandler? Changed;

    public X509Certificate2 Certificate => Current.Certificate;

    public X509Certificate2 TrustRoot => Current.TrustRoot;

    public bool OwnsTrustRoot => Current.OwnsTrustRoot;

    public string Fingerprint => Current.Fingerprint;

    public string Thumbprint => Current.Thumbprint;

    private State Current => _state ?? Initialize();

    public byte[] Issue(byte[] certificateRequest, string nodeName, IReadOnlyList<string> hosts)
    {
        var now = _clock.GetUtcNow();
        return Issue(certificateRequest, nodeName, hosts, now - ClusterCertificates.ClockSkew, now + ClusterCertificates.NodeLifetime);
    }

    public byte[] CreateRequest(string nodeName, IReadOnlyList<string> hosts)
    {
        CheckNames(nodeName, hosts);
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        lock (_gate)
        {
            _pendingKey?.Dispose();
            _pendingKey = key;
            return ClusterCertificates.Request(key, nodeName, hosts);
        }
    }

    public void Adopt(byte[] certificate, byte[] caCertificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(caCertificate);
        _ = Current;
        var authority = LoadForeign(caCertificate, "CA certificate");
        State adopted;
        try
        {
            using var issued = LoadForeign(certificate, "certificate");
            lock (_gate)
            {
                var key = _pendingKey ?? throw new InvalidOperationException("There is no pending certificate request: call CreateRequest before Adopt.");
                CheckAdoptable(issued, authority, key);
                adopted = new State(_state!.OwnCa, ClusterCertificates.Usable(issued.CopyWithPrivateKey(key)), authority);
                _store.Save(adopted.ToStored());
                _state = adopted;
                _pendingKey = null;
                key.Dispose();
            }
        }
        catch
        {
            authority.Dispose();
            throw;
        }

        var authorityName = PeerCertificates.CommonName(adopted.TrustRoot) ?? adopted.TrustRoot.Subject;
        LogAdopted(_logger, authorityName, adopted.Fingerprint);
        Changed?.Invoke(this, EventArgs.Empty);
    }

    public void Reset()
    {
        _ = Current;
        State reset;
        lock (_gate)
        {
            var ownCa = _state!.OwnCa;
            reset = new State(ownCa, ClusterCertificates.CreateNode(ownCa, _node.Name, [_node.PublicHost], _clock.GetUtcNow()), ownCa);
            _store.Save(reset.ToStored());
            _state = reset;
            _pendingKey?.Dispose();
            _pendingKey = null;
        }

        LogReset(_logger, reset.Fingerprint);
        Changed?.Invoke(this, EventArgs.Empty);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _pendingKey?.Dispose();
            _pendingKey = null;
        }
    }

    /// <summary>
    /// Signs a request with the given validity (cut to the CA's). <see cref="Issue(byte[], string, IReadOnlyList{string})"/>
    /// uses now and two years; tests make expired certificates with this.
    /// </summary>
    internal byte[] Issue(byte[] certificateRequest, string nodeName, IReadOnlyList<string> hosts, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        ArgumentNullException.ThrowIfNull(certificateRequest);
        CheckNames(nodeName, hosts);
        var current = Current;
        if (!current.OwnsTrustRoot)
        {
            throw new InvalidOperationException("This node trusts another node's CA and cannot sign certificates: only the master of a distributed domain does.");
        }

        CertificateRequest request;
        try
        {
            // Default options check the request's signature and load none of its extensions.
            request = CertificateRequest.LoadSigningRequest(certificateRequest, HashAlgorithmName.SHA256);
        }
        catch (CryptographicException e)
        {
            throw new MailAdminException(ErrorKind.Invalid, "invalid-certificate-request", "The certificate request is damaged or its signature does not match it. Start the join again.", e);
        }

        using (var key = request.PublicKey.GetECDsaPublicKey())
        {
            if (key is null || key.KeySize < 256)
            {
                throw new MailAdminException(ErrorKind.Invalid, "invalid-certificate-request", "The certificate request is not for an ECDSA key of 256 bits or more. Update MailAdmin on the joining server.");
            }
        }

        using var certificate = ClusterCertificates.Sign(current.OwnCa, request.PublicKey, nodeName, hosts, notBefore, notAfter);
        var fingerprint = PeerCertificates.Fingerprint(certificate);
        LogIssued(_logger, nodeName, fingerprint);
        return certificate.RawData;
    }

    private static void CheckNames(string nodeName, IReadOnlyList<string> hosts)
    {
        ArgumentNullException.ThrowIfNull(nodeName);
        ArgumentNullException.ThrowIfNull(hosts);
        foreach (var name in hosts.Prepend(nodeName))
        {
            if (!HostNames.IsValid(name))
            {
                throw MailAdminException.Invalid("invalid-host", $"'{name}' is not a valid node name, host name or IP address.");
            }
        }
    }

    private static X509Certificate2 LoadForeign(byte[] der, string what)
    {
        try
        {
            return X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException e)
        {
            throw Unusable($"its {what} cannot be read", e);
        }
    }

    private void CheckAdoptable(X509Certificate2 issued, X509Certificate2 authority, ECDsa key)
    {
        if (authority.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
        {
            throw Unusable("its CA certificate is not a CA's", null);
        }

        if (!issued.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
        {
            throw Unusable("the certificate is not for the key this server sent", null);
        }

        if (!PeerCertificates.ChainsTo(issued, authority))
        {
            throw Unusable("the certificate is not signed by the CA sent with it", null);
        }

        if (!PeerCertificates.Names(issued, _node.Name))
        {
            throw Unusable($"the certificate does not name this server ({_node.Name})", null);
        }
    }

    private static MailAdminException Unusable(string why, Exception? inner) =>
        new(ErrorKind.Conflict, "invalid-certificate", $"The master's answer cannot be used: {why}. Start the join again; if it happens again, check that both servers run the same MailAdmin version.", inner);

    private State Initialize()
    {
        lock (_gate)
        {
            if (_state is { } loaded)
            {
                return loaded;
            }

            var now = _clock.GetUtcNow();
            State state;
            if (_store.Load() is { } stored)
            {
                state = new State(stored.OwnCa, stored.Node, stored.TrustRoot);
                if (state.OwnsTrustRoot && NeedsNewCertificate(state.Certificate, now))
                {
                    state = new State(state.OwnCa, ClusterCertificates.CreateNode(state.OwnCa, _node.Name, [_node.PublicHost], now), state.OwnCa);
                    _store.Save(state.ToStored());
                    LogRenewed(_logger, _node.Name, state.Fingerprint);
                }
            }
            else
            {
                var ownCa = ClusterCertificates.CreateAuthority(_node.Name, now);
                state = new State(ownCa, ClusterCertificates.CreateNode(ownCa, _node.Name, [_node.PublicHost], now), ownCa);
                _store.Save(state.ToStored());
                LogCreated(_logger, _node.Name, state.Fingerprint, _store.Path);
            }

            _state = state;
            return state;
        }
    }

    private bool NeedsNewCertificate(X509Certificate2 certificate, DateTimeOffset now)
    {
        var names = PeerCertificates.DnsNames(certificate);
        var addresses = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateIPAddresses()).Select(a => a.ToString());
        return !PeerCertificates.Names(certificate, _node.Name)
            || !names.Concat(addresses).Contains(_node.PublicHost, StringComparer.OrdinalIgnoreCase)
            || certificate.NotAfter.ToUniversalTime() - now.UtcDateTime < RenewBefore;
    }

    [LoggerMessage(EventId = 6101, Level = LogLevel.Information, Message = "Made the cluster CA and certificate of {NodeName}, fingerprint {Fingerprint}, kept in {Path}.")]
    private static partial void LogCreated(ILogger logger, string nodeName, string fingerprint, string path);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Information, Message = "Made a new cluster certificate for {NodeName} (its names changed or it was about to expire), fingerprint {Fingerprint}.")]
    private static partial void LogRenewed(ILogger logger, string nodeName, string fingerprint);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Information, Message = "Signed a cluster certificate for {NodeName}, fingerprint {Fingerprint}.")]
    private static partial void LogIssued(ILogger logger, string nodeName, string fingerprint);

    [LoggerMessage(EventId = 6104, Level = LogLevel.Information, Message = "Now trusting {Authority}; this node's certificate has fingerprint {Fingerprint}.")]
    private static partial void LogAdopted(ILogger logger, string authority, string fingerprint);

    [LoggerMessage(EventId = 6105, Level = LogLevel.Information, Message = "Back to this node's own CA; its certificate has fingerprint {Fingerprint}.")]
    private static partial void LogReset(ILogger logger, string fingerprint);

    /// <summary>One consistent view: readers never see a certificate with another identity's trust root.</summary>
    private sealed class State(X509Certificate2 ownCa, X509Certificate2 certificate, X509Certificate2 trustRoot)
    {
        public X509Certificate2 OwnCa { get; } = ownCa;

        public X509Certificate2 Certificate { get; } = certificate;

        public X509Certificate2 TrustRoot { get; } = trustRoot;

        public bool OwnsTrustRoot { get; } = ownCa.RawData.AsSpan().SequenceEqual(trustRoot.RawData);

        public string Fingerprint { get; } = PeerCertificates.Fingerprint(certificate);

        public string Thumbprint { get; } = PeerCertificates.Thumbprint(certificate);

        public StoredIdentity ToStored() => new(OwnCa, Certificate, TrustRoot);
    }
}
