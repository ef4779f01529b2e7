using MailAdmin.Core.Accounts;
using MailAdmin.Core.Errors;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace MailAdmin.Web.Components.Common;

/// <summary>
/// A dialog with a form that saves through a Core service: validates the form, runs
/// <see cref="SubmitAsync"/> as the acting administrator, closes with its result, or keeps the
/// dialog open and shows the refusal's message (a loop, a duplicate, a weak password).
/// </summary>
public abstract class FormDialog : ComponentBase
{
    /// <summary>Who is acting: passed to the Core service for its checks and the audit log.</summary>
    [Parameter]
    public Actor Actor { get; set; } = default!;

    [CascadingParameter]
    protected IMudDialogInstance Dialog { get; set; } = default!;

    protected MudForm? Form { get; set; }

    protected bool Valid { get; set; }

    protected bool Saving { get; private set; }

    /// <summary>The last refusal's message, shown in the dialog.</summary>
    protected string? Error { get; private set; }

    protected void Cancel() => Dialog.Cancel();

    protected async Task SaveAsync()
    {
        if (Form is not null)
        {
            await Form.ValidateAsync();
        }

        if (!Valid)
        {
            return;
        }

        Saving = true;
        Error = null;
        try
        {
            Dialog.Close(DialogResult.Ok(await SubmitAsync()));
        }
        catch (MailAdminException e)
        {
            Error = e.Message;
        }
        finally
        {
            Saving = false;
        }
    }

    /// <summary>Saves the form's values; the dialog closes with what it returns.</summary>
    protected abstract Task<object> SubmitAsync();
}
