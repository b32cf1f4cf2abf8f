using Gateway.Host.Storage;
using Gateway.Host.Tests.Support;
using Gateway.Testing;

namespace Gateway.Host.Tests.Storage;

public sealed class PostgresControlStoreTests(PostgresServer postgres) : ControlStoreContract
{
    internal override async Task<IControlStore> CreateStoreAsync()
        => new PostgresControlStore(await StoreDatabase.CreateAsync(postgres));
}
