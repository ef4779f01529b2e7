using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace MailAdmin.Tests.Infrastructure;

/// <summary>
/// A private OpenLDAP server on loopback, owned by the test that starts it.
/// </summary>
/// <remarks>
/// Start-up: write a <c>slapd.conf</c> (core, cosine, nis and inetorgperson schemas, one mdb
/// database for <c>dc=company,dc=com</c>) into a temporary directory of its own, load the LDIF
/// offline with <c>slapadd</c>, then run <c>slapd -d none</c> in the foreground as a child process on
/// a free loopback port. It is ready once it has logged "slapd starting" (so it holds the port, not
/// some process that took the port between our choosing it and slapd binding it) and a polled TCP
/// connect succeeds. If slapd exits because the port was taken, a new port is tried. Disposal kills
/// slapd and deletes the directory. Use it as <c>IClassFixture&lt;SlapdFixture&gt;</c> for the
/// <see cref="CompanyDirectory"/> data, or construct it with other LDIF and call
/// <see cref="InitializeAsync"/> and <see cref="DisposeAsync"/> yourself. Given a
/// <see cref="SlapdTls"/> certificate, it also listens for LDAPS on <see cref="LdapsPort"/> and
/// offers StartTLS on <see cref="Port"/>.
/// </remarks>
public sealed class SlapdFixture : IAsyncLifetime
{
    private const string InstallHint = "apt-get install -y slapd ldap-utils";
    private const int StartAttempts = 3;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    private readonly string _ldif;
    private readonly SlapdTls? _tls;
    private readonly StringBuilder _slapdOutput = new();
    private readonly Lock _slapdOutputLock = new();
    private bool _slapdStarted;
    private string? _directory;
    private Process? _slapd;

    public SlapdFixture()
        : this(CompanyDirectory.Ldif)
    {
    }

    // xunit only builds a fixture with exactly one public constructor, so this one is internal.
    internal SlapdFixture(string ldif, SlapdTls? tls = null)
    {
        ArgumentNullException.ThrowIfNull(ldif);
        _ldif = ldif;
        _tls = tls;
    }

    public string Host { get; } = "127.0.0.1";

    public int Port { get; private set; }

    /// <summary>The LDAPS port; 0 unless the fixture was given a <see cref="SlapdTls"/> certificate.</summary>
    public int LdapsPort { get; private set; }

    public string BaseDn { get; } = "dc=company,dc=com";

    public string BindDn { get; } = "cn=admin,dc=company,dc=com";

    public string BindPassword { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));

    public Uri Uri => new($"ldap://{Host}:{Port.ToString(CultureInfo.InvariantCulture)}/");

    public async Task InitializeAsync()
    {
        var slapd = RequiredTool.Find("slapd", InstallHint);
        var slapadd = RequiredTool.Find("slapadd", InstallHint);

        _directory = Directory.CreateTempSubdirectory("mailadmin-slapd-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(_directory, "data"));
            var config = Path.Combine(_directory, "slapd.conf");
            var data = Path.Combine(_directory, "data.ldif");
            await File.WriteAllTextAsync(config, BuildConfig(_directory));
            await File.WriteAllTextAsync(data, _ldif);
            if (_tls is not null)
            {
                await File.WriteAllTextAsync(Path.Combine(_directory, "server.pem"), _tls.CertificatePem);
                await File.WriteAllTextAsync(Path.Combine(_directory, "server.key"), _tls.PrivateKeyPem);
            }

            using var timeout = new CancellationTokenSource(ToolTimeout);
            // -q: quick mode (no fsync, no consistency checks) suits a throwaway test database.
            await RunToolAsync(slapadd, ["-q", "-f", config, "-l", data], timeout.Token);
            await StartSlapdAsync(slapd, config);
        }
        catch
        {
            // xunit does not dispose a fixture whose initialisation failed.
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Applies LDIF to the running server as the admin: entries without a <c>changetype</c> are
    /// added, <c>changetype: modify</c>/<c>delete</c> records are applied as written.
    /// </summary>
    public async Task AddLdifAsync(string ldif, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ldif);
        if (_slapd is null || _directory is null)
        {
            throw new InvalidOperationException("slapd is not running: await InitializeAsync() first.");
        }

        var ldapmodify = RequiredTool.Find("ldapmodify", InstallHint);
        var changes = Path.Combine(_directory, $"changes-{Guid.NewGuid():N}.ldif");
        await File.WriteAllTextAsync(changes, ldif, cancellationToken);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ToolTimeout);
        await RunToolAsync(
            ldapmodify,
            ["-x", "-a", "-H", Uri.ToString(), "-D", BindDn, "-w", BindPassword, "-f", changes],
            timeout.Token);
    }

    public async Task DisposeAsync()
    {
        if (_slapd is not null)
        {
            await StopAsync(_slapd);
            _slapd.Dispose();
            _slapd = null;
        }

        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
            _directory = null;
        }
    }

    private string BuildConfig(string directory) => $"""
        {(_tls is null ? string.Empty : $"TLSCertificateFile {directory}/server.pem\nTLSCertificateKeyFile {directory}/server.key")}
        include /etc/ldap/schema/core.schema
        include /etc/ldap/schema/cosine.schema
        include /etc/ldap/schema/nis.schema
        include /etc/ldap/schema/inetorgperson.schema

        pidfile "{directory}/slapd.pid"
        argsfile "{directory}/slapd.args"
        modulepath /usr/lib/ldap
        moduleload back_mdb

        database mdb
        suffix "dc=company,dc=com"
        rootdn "cn=admin,dc=company,dc=com"
        rootpw {BindPassword}
        directory "{directory}/data"
        index objectClass,uid,mail eq

        access to attrs=userPassword
            by self write
            by anonymous auth
            by * none
        access to *
            by * read

        """;

    private async Task StartSlapdAsync(string slapd, string config)
    {
        for (var attempt = 1; ; attempt++)
        {
            Port = FreeLoopbackPort();
            LdapsPort = _tls is null ? 0 : FreeLoopbackPort();
            _slapd = StartSlapd(slapd, config);
            if (await WaitUntilAcceptingAsync(_slapd))
            {
                return;
            }

            var output = SlapdOutput();
            var exitCode = _slapd.ExitCode;
            _slapd.Dispose();
            _slapd = null;
            if (attempt < StartAttempts && output.Contains("Address already in use", StringComparison.Ordinal))
            {
                continue;
            }

            throw new InvalidOperationException(
                $"slapd exited with code {exitCode} before accepting connections on {Uri}:{Environment.NewLine}{output}");
        }
    }

    private Process StartSlapd(string slapd, string config)
    {
        lock (_slapdOutputLock)
        {
            _slapdOutput.Clear();
            _slapdStarted = false;
        }

        // "-d none" keeps slapd in the foreground and prints only its always-logged messages
        // (start, stop, errors such as a failed bind); "-d 0" would hide the errors too.
        var listeners = _tls is null
            ? Uri.ToString()
            : $"{Uri} ldaps://{Host}:{LdapsPort.ToString(CultureInfo.InvariantCulture)}/";
        var startInfo = ToolStartInfo(slapd, ["-f", config, "-h", listeners, "-d", "none"]);
        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => AppendSlapdOutput(e.Data);
        process.ErrorDataReceived += (_, e) => AppendSlapdOutput(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <returns>True once slapd accepts a connection, false if it exited first.</returns>
    private async Task<bool> WaitUntilAcceptingAsync(Process process)
    {
        var elapsed = Stopwatch.StartNew();
        while (elapsed.Elapsed < StartTimeout)
        {
            if (process.HasExited)
            {
                // Let the output readers drain so the error message is complete.
                await process.WaitForExitAsync();
                return false;
            }

            if (HasStarted() && await AcceptsConnectionAsync())
            {
                return true;
            }

            await Task.Delay(PollInterval);
        }

        throw new TimeoutException(
            $"slapd did not accept connections on {Uri} within {StartTimeout.TotalSeconds} s:{Environment.NewLine}{SlapdOutput()}");
    }

    private async Task<bool> AcceptsConnectionAsync()
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private bool HasStarted()
    {
        lock (_slapdOutputLock)
        {
            return _slapdStarted;
        }
    }

    private void AppendSlapdOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_slapdOutputLock)
        {
            _slapdOutput.AppendLine(line);
            _slapdStarted |= line.EndsWith("slapd starting", StringComparison.Ordinal);
        }
    }

    private string SlapdOutput()
    {
        lock (_slapdOutputLock)
        {
            return _slapdOutput.ToString().Trim();
        }
    }

    private static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    private static async Task RunToolAsync(string executable, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        using var process = Process.Start(ToolStartInfo(executable, arguments))
            ?? throw new InvalidOperationException($"Could not start {executable}.");
        var standardOutput = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var standardError = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await StopAsync(process);
            throw new TimeoutException($"{Path.GetFileName(executable)} did not finish in time and was killed.");
        }

        var output = $"{await standardError}{Environment.NewLine}{await standardOutput}".Trim();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(executable)} failed with exit code {process.ExitCode}:{Environment.NewLine}{output}");
        }
    }

    private static ProcessStartInfo ToolStartInfo(string executable, IEnumerable<string> arguments)
    {
        var startInfo = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Ignore the machine's ldap.conf and ~/.ldaprc: the tools must talk to this server only.
        startInfo.Environment["LDAPNOINIT"] = "1";
        return startInfo;
    }

    private static async Task StopAsync(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        await process.WaitForExitAsync();
    }
}

/// <summary>The server certificate (with its chain, if any) and its unencrypted private key, both PEM.</summary>
public sealed record SlapdTls(string CertificatePem, string PrivateKeyPem);
