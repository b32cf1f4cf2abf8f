using Gateway.Core.Protocol.Postgres.Messages;

namespace Gateway.Core.Tests.Protocol.Postgres.Messages;

public sealed class ReadyForQueryTests
{
    [Theory]
    [InlineData('I')]
    [InlineData('T')]
    [InlineData('E')]
    public void Parse_KnownStatus_ReturnsIt(char status)
        => Assert.Equal((byte)status, ReadyForQuery.Parse([(byte)status]));

    [Fact]
    public void Parse_EveryOtherStatusByte_IsViolation()
    {
        for (int status = 0; status < 256; status++)
        {
            if (status is 'I' or 'T' or 'E')
            {
                continue;
            }

            byte[] payload = [(byte)status];
            Payload.Violation(() => ReadyForQuery.Parse(payload));
        }
    }

    [Fact]
    public void Parse_EmptyPayload_IsViolation()
        => Payload.Violation(() => ReadyForQuery.Parse([]));

    [Fact]
    public void Parse_TwoBytes_IsViolation()
        => Payload.Violation(() => ReadyForQuery.Parse("II"u8.ToArray()));
}
