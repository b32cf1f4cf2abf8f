using Gateway.Core.Protocol.Postgres;

namespace Gateway.Core.Tests.Protocol.Postgres;

/// <summary>Every field read is bounds-checked first; a read past the end is a violation, never an exception of another kind.</summary>
public sealed class PgReaderTests
{
    [Fact]
    public void Reads_BigEndianFieldsAndStrings_ReturnValuesAndAdvance()
    {
        byte[] payload = [0x01, 0x02, 0x80, 0x00, 0x00, 0x01, 0xFF, 0xFF, 0xFF, 0xFE, (byte)'a', (byte)'b', 0, 0xC3, 0xBC, 0, 7, 8, 9];
        var reader = new PgReader(payload);

        Assert.Equal(0x0102, reader.ReadInt16());
        Assert.Equal(unchecked((int)0x80000001), reader.ReadInt32());
        Assert.Equal(0xFFFFFFFEu, reader.ReadUInt32());
        Assert.Equal("ab"u8.ToArray(), reader.ReadCString().ToArray());
        Assert.Equal("ü", reader.ReadCStringUtf8());
        Assert.Equal(16, reader.Position);
        Assert.Equal(3, reader.Remaining);
        Assert.Equal([7, 8], reader.ReadBytes(2).ToArray());
        Assert.Equal([9], reader.ReadRemaining().ToArray());
        Assert.True(reader.IsAtEnd);
        reader.VerifyAtEnd();
    }

    [Theory]
    [InlineData(0, "byte")]
    [InlineData(1, "int16")]
    [InlineData(3, "int32")]
    [InlineData(3, "uint32")]
    [InlineData(4, "bytes5")]
    [InlineData(0, "bytes1")]
    [InlineData(4, "bytesMax")]
    [InlineData(4, "bytesNegative")]
    [InlineData(4, "cstring")]
    public void Read_PastTheEnd_IsViolation(int length, string field)
    {
        byte[] payload = new byte[length];
        Array.Fill(payload, (byte)'x');

        Assert.Throws<PgProtocolException>(() =>
        {
            var reader = new PgReader(payload);
            switch (field)
            {
                case "byte": reader.ReadByte(); break;
                case "int16": reader.ReadInt16(); break;
                case "int32": reader.ReadInt32(); break;
                case "uint32": reader.ReadUInt32(); break;
                case "bytes5": reader.ReadBytes(5); break;
                case "bytes1": reader.ReadBytes(1); break;
                case "bytesMax": reader.ReadBytes(int.MaxValue); break;
                case "bytesNegative": reader.ReadBytes(-1); break;
                default: reader.ReadCString(); break;
            }
        });
    }

    [Fact]
    public void VerifyAtEnd_BytesLeft_IsViolation()
    {
        Assert.Throws<PgProtocolException>(() =>
        {
            var reader = new PgReader([1, 2, 3]);
            reader.ReadByte();
            reader.VerifyAtEnd();
        });
    }

    [Fact]
    public void ReadCStringUtf8_InvalidUtf8_IsViolation()
        => Assert.Throws<PgProtocolException>(() => new PgReader([0xC3, 0x28, 0]).ReadCStringUtf8());
}
