using MailAdmin.Core.CardDav;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace MailAdmin.Tests.Unit.CardDav;

public sealed class SyncSnapshotsTests : IDisposable
{
    private const string Domain = "company.com";
    private readonly string _dataDir = Directory.CreateTempSubdirectory("mailadmin-snapshots-").FullName;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero));
    private readonly SyncSnapshots _snapshots;

    public SyncSnapshotsTests()
    {
        _snapshots = new SyncSnapshots(new NodeOptions { Name = "hq", PublicHost = "hq", DataDir = _dataDir }, _clock);
    }

    [Fact]
    public void ChangesTo_ReportsNewAndChangedCards_AndRemovedNames()
    {
        var before = AddressBookSnapshot.Of([Card("alice", "Alice Novak"), Card("bob", "Bob Smith"), Card("dan", "Dan Brown")]);
        var after = AddressBookSnapshot.Of([Card("alice", "Alice Novak"), Card("bob", "Robert Smith"), Card("eva", "Eva Green")]);

        var changes = before.ChangesTo(after);

        Assert.Equal(["bob@company.com.vcf", "eva@company.com.vcf"], changes.Changed);
        Assert.Equal(["dan@company.com.vcf"], changes.Removed);
        Assert.Empty(after.ChangesTo(after).Changed);
        Assert.Equal(3, AddressBookSnapshot.Empty.ChangesTo(after).Changed.Count);
    }

    [Fact]
    public void TheHash_ChangesExactlyWhenTheContentDoes_AndNotWithOrder()
    {
        var one = AddressBookSnapshot.Of([Card("alice", "Alice Novak"), Card("bob", "Bob Smith")]);

        Assert.Equal(one.Hash, AddressBookSnapshot.Of([Card("bob", "Bob Smith"), Card("alice", "Alice Novak")]).Hash);
        Assert.NotEqual(one.Hash, AddressBookSnapshot.Of([Card("alice", "Alice Novak"), Card("bob", "Bob Smyth")]).Hash);
        Assert.NotEqual(one.Hash, AddressBookSnapshot.Of([Card("alice", "Alice Novak")]).Hash);
    }

    [Fact]
    public async Task ARememberedSnapshot_IsRecalledByItsToken_AndAForeignOrForgedTokenIsNot()
    {
        var snapshot = AddressBookSnapshot.Of([Card("alice", "Alice Novak")]);

        var token = await _snapshots.RememberAsync(Domain, snapshot, CancellationToken.None);

        Assert.Equal(snapshot.Text, (await _snapshots.RecallAsync(Domain, token, CancellationToken.None))!.Text);
        Assert.Null(await _snapshots.RecallAsync("other.org", token, CancellationToken.None));
        Assert.Null(await _snapshots.RecallAsync(Domain, "http://example.com/sync/1", CancellationToken.None));
        Assert.Null(await _snapshots.RecallAsync(Domain, SyncSnapshots.TokenPrefix + "../../node", CancellationToken.None));

        // A file whose content does not hash to its name (edited, or half-written) is no snapshot.
        var path = Directory.GetFiles(Path.Combine(_dataDir, "carddav", Domain)).Single();
        await File.AppendAllTextAsync(path, "extra@company.com.vcf 00\n");
        Assert.Null(await _snapshots.RecallAsync(Domain, token, CancellationToken.None));
    }

    [Fact]
    public async Task ASnapshotOlderThanTheMaximumAge_HasExpired()
    {
        var token = await _snapshots.RememberAsync(Domain, AddressBookSnapshot.Of([Card("alice", "Alice Novak")]), CancellationToken.None);

        _clock.Advance(SyncSnapshots.MaxAge + TimeSpan.FromMinutes(1));

        Assert.Null(await _snapshots.RecallAsync(Domain, token, CancellationToken.None));
    }

    [Fact]
    public async Task TheNumberOfSnapshots_IsBounded_TheLeastRecentlyHandedOutGoFirst()
    {
        var first = await _snapshots.RememberAsync(Domain, AddressBookSnapshot.Of([Card("u0", "User 0")]), CancellationToken.None);
        var tokens = new List<string>();
        for (var i = 1; i <= SyncSnapshots.MaxPerAddressBook + 5; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            tokens.Add(await _snapshots.RememberAsync(Domain, AddressBookSnapshot.Of([Card($"u{i}", $"User {i}")]), CancellationToken.None));

            // The first state keeps being handed out (the book is back to it, say): it stays.
            _clock.Advance(TimeSpan.FromSeconds(1));
            await _snapshots.RememberAsync(Domain, AddressBookSnapshot.Of([Card("u0", "User 0")]), CancellationToken.None);
        }

        Assert.Equal(SyncSnapshots.MaxPerAddressBook, Directory.GetFiles(Path.Combine(_dataDir, "carddav", Domain), "*.snapshot").Length);
        Assert.NotNull(await _snapshots.RecallAsync(Domain, first, CancellationToken.None));
        Assert.NotNull(await _snapshots.RecallAsync(Domain, tokens[^1], CancellationToken.None));
        Assert.Null(await _snapshots.RecallAsync(Domain, tokens[0], CancellationToken.None));
    }

    [Fact]
    public void Apply_TakesSomeChanges_SoALimitedSyncCanGoOnFromThere()
    {
        var before = AddressBookSnapshot.Of([Card("alice", "Alice Novak"), Card("dan", "Dan Brown")]);
        var after = AddressBookSnapshot.Of([Card("alice", "Alice N."), Card("eva", "Eva Green")]);

        var halfway = before.Apply(after, ["alice@company.com.vcf"], ["dan@company.com.vcf"]);

        Assert.Equal(["alice@company.com.vcf"], halfway.ETags.Keys);
        Assert.Equal(["eva@company.com.vcf"], halfway.ChangesTo(after).Changed);
        Assert.Empty(halfway.ChangesTo(after).Removed);
    }

    public void Dispose()
    {
        _snapshots.Dispose();
        Directory.Delete(_dataDir, recursive: true);
    }

    private static AddressBookCard Card(string local, string name) =>
        AddressBookCard.From(new GalEntry($"{local}@company.com", name, GalKinds.User, null, null, null, null, "hq"));
}
