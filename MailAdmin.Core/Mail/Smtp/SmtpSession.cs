using System.Globalization;
using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MailAdmin.Core.Mail.Smtp;

/// <summary>
/// One client's SMTP conversation (RFC 5321, with the ESMTP extensions the node advertises):
/// reads a command, answers it, and keeps the state a transaction needs. Every reply carries
/// an enhanced status code (RFC 2034) except the greeting, the EHLO keywords and the
/// intermediate <c>334</c>/<c>354</c>. Replies to client mistakes count towards
/// <see cref="SmtpOptions.MaxErrors"/>; the server's own troubles (a full disk, a failing
/// directory) do not.
/// </summary>
internal sealed class SmtpSession(SmtpConnection connection, SmtpSessionServices services, SmtpPort port, IPEndPoint remote, long id)
{
    private const string AuthUsage = "AUTH PLAIN [initial-response] or AUTH LOGIN [initial-response]";

    private readonly SmtpOptions _options = services.Options;
    private readonly IPAddress _client = remote.Address;
    private readonly List<MailPath> _recipients = [];

    private string? _helo;
    private bool _esmtp;
    private SmtpAuthResult? _auth;
    private string? _peer;
    private int _errors;
    private InputEnd _end;
    private bool _closing;

    // The open transaction: MAIL FROM given, with its sender (null for <>) and parameters.
    private bool _inTransaction;
    private MailPath? _sender;
    private bool _smtpUtf8;

    private bool AuthOffered => services.AuthRule.IsOffered(port, connection.IsSecure, _client);

    private SmtpClientInfo ClientInfo => new(_client, _helo, port, connection.IsSecure, _auth?.Address, _peer);

    /// <summary>Runs the conversation to its end; <paramref name="abort"/> cuts short work in flight when the node must stop now.</summary>
    public async Task RunAsync(CancellationToken abort)
    {
        connection.WriteLine($"220 {_options.HostName} ESMTP MailAdmin");
        while (!_closing && _end == InputEnd.None)
        {
            var line = await connection.ReadLineAsync(_options.MaxCommandLine);
            switch (line.Status)
            {
                case LineStatus.Ended:
                    _end = line.End;
                    break;
                case LineStatus.TooLong:
                    Fail(SmtpReplies.LineTooLong(_options.MaxCommandLine));
                    break;
                case LineStatus.BareLineEnd:
                    Fail(SmtpReplies.BareLineEndInCommand);
                    break;
                case LineStatus.NotUtf8:
                    Fail(SmtpReplies.NotUtf8);
                    break;
                default:
                    await ExecuteAsync(line.Text, abort);
                    break;
            }
        }

        switch (_end)
        {
            case InputEnd.IdleTimeout:
                connection.Write(SmtpReplies.IdleTimeout);
                break;
            case InputEnd.ShuttingDown:
                connection.Write(SmtpReplies.ShuttingDown);
                break;
        }

        services.Logger.SessionEnded(id, _closing ? "closed by the server" : _end switch
        {
            InputEnd.IdleTimeout => "idle timeout",
            InputEnd.ShuttingDown => "shutting down",
            _ => "the client disconnected",
        });
        if (_end != InputEnd.Closed)
        {
            await connection.CloseAsync();
        }
    }

    private async Task ExecuteAsync(string line, CancellationToken abort)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        var verb = (space < 0 ? line : line[..space]).ToUpperInvariant();
        var argument = space < 0 ? string.Empty : line[(space + 1)..];
        switch (verb)
        {
            case "EHLO":
            case "HELO":
                Hello(verb == "EHLO", argument);
                break;
            case "MAIL":
                Mail(argument);
                break;
            case "RCPT":
                await RecipientAsync(argument, abort);
                break;
            case "DATA":
                await DataAsync(argument, abort);
                break;
            case "RSET":
                if (NoArgument(argument, "RSET"))
                {
                    ResetTransaction();
                    connection.Write(SmtpReplies.Reset);
                }

                break;
            case "NOOP":
                connection.Write(SmtpReplies.Ok);
                break;
            case "QUIT":
                connection.Write(SmtpReplies.Bye);
                _closing = true;
                break;
            case "VRFY":
                if (argument.Length == 0)
                {
                    Fail(SmtpReplies.Syntax("VRFY <address>"));
                }
                else
                {
                    connection.Write(SmtpReplies.CannotVerify);
                }

                break;
            case "HELP":
                connection.Write(SmtpReplies.Help);
                break;
            case "STARTTLS":
                await StartTlsAsync(argument);
                break;
            case "AUTH":
                await AuthenticateAsync(argument, abort);
                break;
            case "EXPN":
            case "TURN":
                Fail(SmtpReplies.NotImplemented);
                break;
            case "":
                Fail(SmtpReplies.EmptyCommand);
                break;
            default:
                Fail(SmtpReplies.UnknownCommand);
                break;
        }
    }

    private void Hello(bool extended, string argument)
    {
        var name = argument.Trim();
        if (name.Length is 0 or > 255 || !name.All(c => c is > ' ' and <= '~'))
        {
            Fail(SmtpReplies.Syntax($"{(extended ? "EHLO" : "HELO")} <your host name>"));
            return;
        }

        _helo = name;
        _esmtp = extended;
        ResetTransaction();
        if (!extended)
        {
            // RFC 2034 §3: the replies to HELO and EHLO carry no enhanced status code.
            connection.WriteLine($"250 {_options.HostName} Hello {name}");
            return;
        }

        var lines = new List<string>
        {
            $"{_options.HostName} Hello {name}",
            "PIPELINING",
            string.Create(CultureInfo.InvariantCulture, $"SIZE {_options.MaxMessageSize}"),
            "8BITMIME",
            "ENHANCEDSTATUSCODES",
            "SMTPUTF8",
        };
        if (!connection.IsSecure)
        {
            lines.Add("STARTTLS");
        }

        if (AuthOffered && _auth is null)
        {
            lines.Add("AUTH PLAIN LOGIN");
        }

        lines.Add("HELP");
        connection.WriteMultiline(250, lines);
    }

    private void Mail(string argument)
    {
        if (_helo is null)
        {
            Fail(SmtpReplies.NoHelo);
            return;
        }

        if (port == SmtpPort.Submission && _auth is null)
        {
            Fail(SmtpReplies.AuthRequired);
            return;
        }

        if (_inTransaction)
        {
            Fail(SmtpReplies.NestedMail);
            return;
        }

        if (!argument.StartsWith("FROM:", StringComparison.OrdinalIgnoreCase))
        {
            Fail(SmtpReplies.Syntax("MAIL FROM:<address> [SIZE=octets] [BODY=7BIT|8BITMIME] [SMTPUTF8]"));
            return;
        }

        var parsed = SmtpPathParser.Parse(argument[5..], allowNull: true);
        if (!parsed.Ok)
        {
            Fail(SmtpReplies.BadSender(parsed.Error!));
            return;
        }

        var smtpUtf8 = false;
        foreach (var (keyword, value) in parsed.Parameters)
        {
            var refusal = keyword switch
            {
                "SIZE" => CheckSize(value),
                "BODY" => value is not null && (value.Equals("7BIT", StringComparison.OrdinalIgnoreCase) || value.Equals("8BITMIME", StringComparison.OrdinalIgnoreCase))
                    ? null
                    : SmtpReplies.Syntax("BODY=7BIT or BODY=8BITMIME"),
                "SMTPUTF8" => value is null ? null : SmtpReplies.Syntax("SMTPUTF8 takes no value"),

                // RFC 4954 §5: a server that offers AUTH takes MAIL's AUTH= parameter; it trusts
                // only its own sign-in, so the value is not used.
                "AUTH" when AuthOffered => null,
                _ => SmtpReplies.UnknownParameter(keyword),
            };
            if (refusal is not null)
            {
                Fail(refusal);
                return;
            }

            smtpUtf8 |= keyword == "SMTPUTF8";
        }

        var sender = parsed.Path;
        if (sender is not null && !smtpUtf8 && !Ascii.IsValid(sender.LocalPart))
        {
            Fail(SmtpReplies.NonAsciiAddress);
            return;
        }

        if (_auth is not null && port == SmtpPort.Submission)
        {
            if (sender is null)
            {
                Fail(SmtpReplies.NullSenderOnSubmission);
                return;
            }

            if (!_auth.SenderAddresses.Contains($"{sender.LocalPart}@{sender.Domain}"))
            {
                Fail(SmtpReplies.SenderNotOwned(sender, _auth.Address!));
                return;
            }
        }

        _inTransaction = true;
        _sender = sender;
        _smtpUtf8 = smtpUtf8;
        connection.Write(SmtpReplies.SenderOk);
    }

    private SmtpReply? CheckSize(string? value)
    {
        if (value is null || value.Length is 0 or > 19 || !value.All(char.IsAsciiDigit))
        {
            return SmtpReplies.Syntax("SIZE=<octets>");
        }

        return long.Parse(value, CultureInfo.InvariantCulture) > _options.MaxMessageSize ? SmtpReplies.MessageTooBig(_options.MaxMessageSize) : null;
    }

    private async Task RecipientAsync(string argument, CancellationToken cancellationToken)
    {
        if (!_inTransaction)
        {
            Fail(SmtpReplies.NoMail);
            return;
        }

        if (!argument.StartsWith("TO:", StringComparison.OrdinalIgnoreCase))
        {
            Fail(SmtpReplies.Syntax("RCPT TO:<address>"));
            return;
        }

        var text = argument[3..].Trim();
        MailPath recipient;
        if (text.Equals("<postmaster>", StringComparison.OrdinalIgnoreCase))
        {
            // RFC 5321 §4.5.1: <Postmaster> without a domain must be taken; it is this host's.
            recipient = new MailPath("postmaster", _options.HostName.ToLowerInvariant());
        }
        else
        {
            var parsed = SmtpPathParser.Parse(text, allowNull: false);
            if (!parsed.Ok)
            {
                Fail(SmtpReplies.BadRecipient(parsed.Error!));
                return;
            }

            if (parsed.Parameters.Count > 0)
            {
                Fail(SmtpReplies.UnknownParameter(parsed.Parameters[0].Key));
                return;
            }

            recipient = parsed.Path!;
            if (!_smtpUtf8 && !Ascii.IsValid(recipient.LocalPart))
            {
                Fail(SmtpReplies.NonAsciiAddress);
                return;
            }
        }

        if (_recipients.Count >= _options.MaxRecipients)
        {
            connection.Write(SmtpReplies.TooManyRecipients);
            return;
        }

        SmtpReply? refusal;
        try
        {
            refusal = await services.RecipientPolicy.CheckAsync(recipient, ClientInfo, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            services.Logger.RecipientCheckFailed(id, e);
            connection.Write(SmtpReplies.RecipientCheckFailed);
            return;
        }

        if (refusal is null)
        {
            if (!_recipients.Contains(recipient))
            {
                _recipients.Add(recipient);
            }

            connection.Write(SmtpReplies.RecipientOk);
        }
        else if (refusal.IsPermanent)
        {
            Fail(refusal);
        }
        else
        {
            connection.Write(refusal);
        }
    }

    private async Task DataAsync(string argument, CancellationToken abort)
    {
        if (!NoArgument(argument, "DATA"))
        {
            return;
        }

        if (!_inTransaction)
        {
            Fail(SmtpReplies.NoMail);
            return;
        }

        if (_recipients.Count == 0)
        {
            Fail(SmtpReplies.NoValidRecipients);
            return;
        }

        try
        {
            await ReceiveMessageAsync(abort);
        }
        finally
        {
            ResetTransaction();
        }
    }

    private async Task ReceiveMessageAsync(CancellationToken abort)
    {
        ISpoolWriter writer;
        try
        {
            writer = await services.Spool.CreateAsync(abort);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            StorageTrouble(e);
            return;
        }

        await using (writer)
        {
            var receivedAt = services.Time.GetUtcNow();
            var decoder = new MessageDataDecoder(_options.MaxMessageSize, _options.MaxTextLine);
            Exception? failure = null;
            try
            {
                var header = ReceivedHeader.Format(
                    _helo!, _client, _options.HostName, ReceivedHeader.Protocol(_esmtp, connection.IsSecure, _auth is not null),
                    writer.QueueId, _recipients.Count == 1 ? _recipients[0] : null, receivedAt, _peer);
                await writer.Content.WriteAsync(Encoding.UTF8.GetBytes(header), abort);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failure = e;
                decoder.Discard();
            }

            connection.Write(SmtpReplies.StartData);
            var (end, writeFailure) = await connection.ReadDataAsync(decoder, writer.Content, abort);
            if (end != InputEnd.None)
            {
                _end = end;
                return;
            }

            failure ??= writeFailure;
            var refusal = decoder.BareLineEnding ? SmtpReplies.BareLineEndInData
                : decoder.LineTooLong ? SmtpReplies.TextLineTooLong(_options.MaxTextLine)
                : decoder.TooBig ? SmtpReplies.MessageTooBig(_options.MaxMessageSize)
                : null;
            if (refusal is not null)
            {
                services.Logger.MessageRefused(id, refusal);
                Fail(refusal);
                return;
            }

            if (failure is not null)
            {
                StorageTrouble(failure);
                return;
            }

            try
            {
                await writer.CommitAsync(new Envelope(_sender, [.. _recipients], ClientInfo, receivedAt), abort);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                StorageTrouble(e);
                return;
            }

            services.Logger.Queued(id, writer.QueueId, _sender, _recipients.Count, decoder.Size);
            connection.Write(SmtpReplies.Queued(writer.QueueId));
        }
    }

    private void StorageTrouble(Exception e)
    {
        if (e is MailStorageFullException)
        {
            services.Logger.StorageFull(id, e);
            connection.Write(SmtpReplies.StorageFull);
        }
        else
        {
            services.Logger.StorageFailed(id, e);
            connection.Write(SmtpReplies.StorageFailed);
        }
    }

    private async Task StartTlsAsync(string argument)
    {
        if (!NoArgument(argument, "STARTTLS"))
        {
            return;
        }

        if (connection.IsSecure)
        {
            Fail(SmtpReplies.TlsActive);
            return;
        }

        connection.Write(SmtpReplies.ReadyForTls);
        var askForCertificate = services.AcceptsPeersOn(port);
        try
        {
            await connection.StartTlsAsync(askForCertificate ? services.PeerTls : services.Tls);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            services.Logger.TlsFailed(id, _client, e.Message);
            _end = InputEnd.Closed;
            return;
        }

        // RFC 3207 §4.2: the client starts again with EHLO; nothing said in clear still holds.
        _helo = null;
        _esmtp = false;
        _auth = null;
        ResetTransaction();
        if (askForCertificate)
        {
            IdentifyPeer();
        }
    }

    /// <summary>A client certificate of a member node makes this a peer session; any other gets nothing, and is logged.</summary>
    private void IdentifyPeer()
    {
        if (connection.Tls?.RemoteCertificate is not X509Certificate2 certificate)
        {
            return;
        }

        bool accepted;
        string node;
        string reason;
        try
        {
            accepted = services.PeerCheck!.TryAuthenticate(certificate, out node, out reason);
        }
        catch (CryptographicException e)
        {
            (accepted, node, reason) = (false, string.Empty, e.Message);
        }

        if (accepted)
        {
            _peer = node;
            services.Logger.PeerAuthenticated(id, _client, node);
        }
        else
        {
            services.Logger.PeerRefused(id, _client, certificate.Subject, reason);
        }
    }

    private async Task AuthenticateAsync(string argument, CancellationToken cancellationToken)
    {
        if (!AuthOffered)
        {
            Fail(port == SmtpPort.Submission ? SmtpReplies.AuthNeedsTls : SmtpReplies.AuthNotOnThisPort);
            return;
        }

        if (_helo is null || !_esmtp)
        {
            Fail(SmtpReplies.NoHelo);
            return;
        }

        if (_auth is not null)
        {
            Fail(SmtpReplies.AlreadyAuthenticated);
            return;
        }

        if (_inTransaction)
        {
            Fail(SmtpReplies.AuthDuringMail);
            return;
        }

        var parts = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is 0 or > 2)
        {
            Fail(SmtpReplies.Syntax(AuthUsage));
            return;
        }

        var initial = parts.Length == 2 ? parts[1] : null;
        string? user;
        string? password;
        switch (parts[0].ToUpperInvariant())
        {
            case "PLAIN":
                var plain = initial is null ? await ChallengeAsync(string.Empty) : DecodeInitial(initial);
                if (plain is null)
                {
                    return;
                }

                // authzid NUL authcid NUL passwd (RFC 4616); acting for someone else is not offered.
                var fields = plain.Split('\0');
                if (fields.Length != 3)
                {
                    Fail(SmtpReplies.AuthBadPlain);
                    return;
                }

                if (fields[0].Length > 0 && fields[0] != fields[1])
                {
                    Fail(SmtpReplies.AuthProxyRefused);
                    return;
                }

                (user, password) = (fields[1], fields[2]);
                break;
            case "LOGIN":
                user = initial is null ? await ChallengeAsync("VXNlcm5hbWU6") : DecodeInitial(initial);
                if (user is null)
                {
                    return;
                }

                password = await ChallengeAsync("UGFzc3dvcmQ6");
                if (password is null)
                {
                    return;
                }

                break;
            default:
                Fail(SmtpReplies.AuthMechanism);
                return;
        }

        SmtpAuthResult result;
        try
        {
            result = await services.Authenticator.AuthenticateAsync(user, password, ClientInfo, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            services.Logger.AuthenticatorFailed(id, e);
            connection.Write(SmtpReplies.AuthUnavailable);
            return;
        }

        if (result.Succeeded)
        {
            _auth = result;
            services.Logger.AuthSucceeded(id, _client, result.Address!);
            connection.Write(SmtpReplies.AuthSucceeded);
            return;
        }

        var refusal = result.Refusal ?? SmtpReplies.AuthFailed;
        services.Logger.AuthFailed(id, _client, user, refusal);
        if (refusal.IsPermanent)
        {
            Fail(refusal);
        }
        else
        {
            connection.Write(refusal);
        }
    }

    /// <summary>Sends a <c>334</c> challenge and decodes the answer; null when it was cancelled or malformed (already answered).</summary>
    private async Task<string?> ChallengeAsync(string challenge)
    {
        connection.WriteLine(challenge.Length == 0 ? "334 " : $"334 {challenge}");
        var line = await connection.ReadLineAsync(SmtpConnection.AuthLineLimit);
        switch (line.Status)
        {
            case LineStatus.Ended:
                _end = line.End;
                return null;
            case LineStatus.Line when line.Text == "*":
                Fail(SmtpReplies.AuthCancelled);
                return null;
            case LineStatus.Line:
                return DecodeBase64(line.Text);
            default:
                Fail(SmtpReplies.AuthBadBase64);
                return null;
        }
    }

    /// <summary>An initial response (RFC 4954 §4): "=" stands for an empty one.</summary>
    private string? DecodeInitial(string response) => response == "=" ? string.Empty : DecodeBase64(response);

    private string? DecodeBase64(string text)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromBase64String(text));
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException)
        {
            Fail(SmtpReplies.AuthBadBase64);
            return null;
        }
    }

    private bool NoArgument(string argument, string command)
    {
        if (argument.Trim().Length == 0)
        {
            return true;
        }

        Fail(SmtpReplies.Syntax($"{command} takes no argument"));
        return false;
    }

    /// <summary>Answers a client's mistake; at <see cref="SmtpOptions.MaxErrors"/> of them the session ends.</summary>
    private void Fail(SmtpReply reply)
    {
        connection.Write(reply);
        if (++_errors >= _options.MaxErrors)
        {
            services.Logger.TooManyErrors(id, _client, _errors);
            connection.Write(SmtpReplies.TooManyErrors);
            _closing = true;
        }
    }

    private void ResetTransaction()
    {
        _inTransaction = false;
        _sender = null;
        _smtpUtf8 = false;
        _recipients.Clear();
    }
}
