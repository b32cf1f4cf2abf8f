using Gateway.Host.Storage;

namespace Gateway.Host.Tests.Storage;

public sealed class SqliteControlStoreTests : ControlStoreContract
{
    internal override Task<IControlStore> CreateStoreAsync()
        => Task.FromResult<IControlStore>(new SqliteControlStore(Path.Combine(Directory.CreateTempSubdirectory("gateway-store-").FullName, "gateway.db")));
}
