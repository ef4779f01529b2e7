using MailAdmin.Web.Hosting;

return await NodeHost.RunAsync(args);

/// <summary>The entry point; public so that test hosts can name it.</summary>
public partial class Program;
