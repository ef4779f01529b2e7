namespace MailAdmin.Tests.Infrastructure;

/// <summary>One node shared by the tests of a class (<c>IClassFixture&lt;NodeFixture&gt;</c>).</summary>
public sealed class NodeFixture : IAsyncLifetime
{
    public TestNode Node { get; private set; } = default!;

    public async Task InitializeAsync() => Node = await TestNode.StartAsync("shared");

    public async Task DisposeAsync() => await Node.DisposeAsync();
}
