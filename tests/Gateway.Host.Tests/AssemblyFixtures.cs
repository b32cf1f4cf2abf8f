using Gateway.Testing;

[assembly: AssemblyFixture(typeof(PostgresServer))]
