using Gateway.Host.Storage;
using Gateway.Testing;

namespace Gateway.Host.Tests.Storage;

public sealed class SqliteControlStoreTests : ControlStoreContract
{
    private readonly TempDirectory _directory = TempDirectory.Create("gateway-store-");

    internal override Task<IControlStore> CreateStoreAsync()
        => Task.FromResult<IControlStore>(new SqliteControlStore(Path.Combine(_directory.Path, "gateway.db")));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }
}
