using Gateway.Core.Protocol.Postgres;
using Gateway.Core.Protocol.Postgres.Messages;
using Gateway.Testing;

namespace Gateway.Core.Tests.Protocol.Postgres.Messages;

public sealed class CancelRequestTests
{
    [Theory]
    [InlineData(1234, 5678)]
    [InlineData(int.MaxValue, int.MinValue)]
    [InlineData(1, -1)]
    public void Parse_SixteenBytePacket_ReturnsTheKey(int processId, int secretKey)
    {
        byte[] packet = Pg.Build().CancelRequest(processId, secretKey).PacketBytes();

        Assert.Equal(new CancelKey(processId, secretKey), CancelRequest.Parse(packet));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(11)]
    [InlineData(13)]
    [InlineData(32)] // a protocol 3.2 style longer secret
    [InlineData(260)]
    public void Parse_OtherLength_IsViolation(int packetLength)
    {
        byte[] packet = Payload.Of(b => b.Int32(StartupRequestCode.CancelRequest).Bytes(Payload.Ascii(Payload.Marker.PadRight(packetLength, '*'))))[..packetLength];

        var violation = Payload.Violation(() => CancelRequest.Parse(packet));

        Assert.Contains((packetLength + 4).ToString(System.Globalization.CultureInfo.InvariantCulture), violation.Message, StringComparison.Ordinal);
    }
}
