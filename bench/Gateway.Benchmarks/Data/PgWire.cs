using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Gateway.Benchmarks.Data;

/// <summary>
/// Writes PostgreSQL wire bytes for fixtures and for the fake server, independently of Gateway.Core's own writer, so
/// that a bug there cannot make a benchmark agree with itself. Each method appends one whole message.
/// </summary>
public sealed class PgWire
{
    private readonly ArrayBufferWriter<byte> _bytes = new();

    /// <summary>Messages appended so far.</summary>
    public int MessageCount { get; private set; }

    /// <summary>Bytes appended so far.</summary>
    public int Length => _bytes.WrittenCount;

    public byte[] ToArray() => _bytes.WrittenSpan.ToArray();

    public PgWire Startup(params (string Name, string Value)[] parameters)
    {
        var body = new Body();
        body.Int32(3 << 16);
        foreach ((string name, string value) in parameters)
        {
            body.CString(name).CString(value);
        }

        body.Byte(0);
        Int32(body.Length + 4);
        Raw(body.Span);
        MessageCount++;
        return this;
    }

    public PgWire AuthenticationOk() => Message('R', new Body().Int32(0));

    public PgWire ParameterStatus(string name, string value) => Message('S', new Body().CString(name).CString(value));

    public PgWire BackendKeyData(int processId, int secretKey) => Message('K', new Body().Int32(processId).Int32(secretKey));

    public PgWire ReadyForQuery(char status = 'I') => Message('Z', new Body().Byte((byte)status));

    public PgWire CommandComplete(string tag) => Message('C', new Body().CString(tag));

    /// <summary>RowDescription with text-format columns of type text (OID 25).</summary>
    public PgWire RowDescription(params string[] columns)
    {
        var body = new Body().Int16((short)columns.Length);
        foreach (string column in columns)
        {
            body.CString(column).Int32(0).Int16(0).Int32(25).Int16(-1).Int32(-1).Int16(0);
        }

        return Message('T', body);
    }

    /// <summary>RowDescription with each column's origin (table OID, attribute number), type OID and format code.</summary>
    public PgWire RowDescription(params (string Name, uint Table, short Attribute, uint Type, short Format)[] columns)
    {
        var body = new Body().Int16((short)columns.Length);
        foreach ((string name, uint table, short attribute, uint type, short format) in columns)
        {
            body.CString(name).Int32((int)table).Int16(attribute).Int32((int)type).Int16(-1).Int32(-1).Int16(format);
        }

        return Message('T', body);
    }

    public PgWire DataRow(params byte[]?[] values)
    {
        var body = new Body().Int16((short)values.Length);
        foreach (byte[]? value in values)
        {
            if (value is null)
            {
                body.Int32(-1);
            }
            else
            {
                body.Int32(value.Length).Bytes(value);
            }
        }

        return Message('D', body);
    }

    public PgWire Query(string sql) => Message('Q', new Body().CString(sql));

    public PgWire SaslInitialResponse(string mechanism, ReadOnlySpan<byte> data)
        => Message('p', new Body().CString(mechanism).Int32(data.Length).Bytes(data));

    public PgWire SaslResponse(ReadOnlySpan<byte> data) => Message('p', new Body().Bytes(data));

    public PgWire Terminate() => Message('X', new Body());

    private PgWire Message(char code, Body body)
    {
        Raw([(byte)code]);
        Int32(body.Length + 4);
        Raw(body.Span);
        MessageCount++;
        return this;
    }

    private void Int32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_bytes.GetSpan(4), value);
        _bytes.Advance(4);
    }

    private void Raw(ReadOnlySpan<byte> bytes) => _bytes.Write(bytes);

    /// <summary>A message body under construction.</summary>
    private sealed class Body
    {
        private readonly ArrayBufferWriter<byte> _content = new();

        public int Length => _content.WrittenCount;

        public ReadOnlySpan<byte> Span => _content.WrittenSpan;

        public Body Byte(byte value)
        {
            _content.Write([value]);
            return this;
        }

        public Body Int16(short value)
        {
            BinaryPrimitives.WriteInt16BigEndian(_content.GetSpan(2), value);
            _content.Advance(2);
            return this;
        }

        public Body Int32(int value)
        {
            BinaryPrimitives.WriteInt32BigEndian(_content.GetSpan(4), value);
            _content.Advance(4);
            return this;
        }

        public Body CString(string value)
        {
            _content.Write(Encoding.UTF8.GetBytes(value));
            return Byte(0);
        }

        public Body Bytes(ReadOnlySpan<byte> value)
        {
            _content.Write(value);
            return this;
        }
    }
}
