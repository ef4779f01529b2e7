using MailAdmin.Core.Accounts;
using MailAdmin.Core.DirectoryServices;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Errors;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace MailAdmin.Web.Components.Pages;

/// <summary>A domain's directory settings; saving tests a bind and a search first.</summary>
public sealed partial class DirectoryDialog
{
    private MudForm? _form;
    private bool _valid;
    private bool _testing;
    private string? _error;
    private DirectoryProfileKind _profile;
    private DirectorySecurity _security;
    private string? _host;
    private int _port = 389;
    private string? _bindDn;
    private string? _password;
    private string? _baseDn;
    private string? _userFilter;
    private string? _groupFilter;
    private string? _placementFilter;
    private string? _caPem;

    [CascadingParameter]
    private IMudDialogInstance Dialog { get; set; } = default!;

    [Parameter]
    public DomainInfo Domain { get; set; } = default!;

    [Parameter]
    public Actor Actor { get; set; } = default!;

    [Inject]
    private DomainService Service { get; set; } = default!;

    [Inject]
    private MailAdmin.Core.Distribution.ClusterState Cluster { get; set; } = default!;

    /// <summary>On a slave, a distributed domain's base DN, schema and filters come from the master.</summary>
    private bool Inherited => Domain.Distributed && Cluster.Role == MailAdmin.Core.Nodes.NodeRole.Slave;

    private string? InheritedHelp => Inherited ? $"Inherited from the master {Cluster.MasterName}: change it there." : null;

    private string DefaultUserFilter => _profile == DirectoryProfileKind.ActiveDirectory
        ? "(&(objectCategory=person)(objectClass=user))"
        : "(objectClass=inetOrgPerson)";

    protected override void OnInitialized()
    {
        if (Domain.Directory is { } d)
        {
            (_profile, _security, _host, _port, _bindDn, _baseDn) = (d.Profile, d.Security, d.Host, d.Port, d.BindDn, d.BaseDn);
            (_userFilter, _groupFilter, _placementFilter) = (d.UserFilter, d.GroupFilter, d.PlacementFilter);
        }
    }

    private void SecurityChanged(DirectorySecurity security)
    {
        // Follow the usual port unless the administrator chose another.
        if (_port is 389 or 636)
        {
            _port = security == DirectorySecurity.Ldaps ? 636 : 389;
        }

        _security = security;
    }

    private async Task SaveAsync()
    {
        if (_form is not null)
        {
            await _form.ValidateAsync();
        }

        if (!_valid)
        {
            return;
        }

        _testing = true;
        _error = null;
        try
        {
            var input = new DirectoryInput(_host ?? string.Empty, _port, _security, _bindDn ?? string.Empty,
                string.IsNullOrEmpty(_password) ? null : _password, _baseDn ?? string.Empty, _profile,
                _userFilter, _groupFilter, _placementFilter, _security == DirectorySecurity.None ? null : _caPem);
            await Service.SetDirectoryAsync(Actor, Domain.Name, input, CancellationToken.None);
            Dialog.Close(DialogResult.Ok(true));
        }
        catch (MailAdminException e)
        {
            _error = e.Message;
        }
        finally
        {
            _testing = false;
        }
    }
}
