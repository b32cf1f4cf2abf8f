using Gateway.Core.Protocol.Postgres;
using Gateway.Core.Protocol.Postgres.Messages;
using Gateway.Testing;

namespace Gateway.Core.Tests.Protocol.Postgres.Messages;

public sealed class BackendKeyDataTests
{
    [Theory]
    [InlineData(4242, 123456789)]
    [InlineData(int.MaxValue, int.MinValue)]
    [InlineData(0, -1)]
    public void Parse_EightBytes_ReturnsProcessIdAndSecret(int processId, int secretKey)
    {
        byte[] payload = Pg.Build().BackendKeyData(processId, secretKey).PayloadBytes();

        Assert.Equal(new CancelKey(processId, secretKey), BackendKeyData.Parse(payload));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(9)]
    [InlineData(36)]
    public void Parse_OtherLength_IsViolation(int length)
    {
        byte[] payload = Payload.Ascii(Payload.Marker.PadRight(40, '*'))[..length];

        Payload.Violation(() => BackendKeyData.Parse(payload));
    }
}
