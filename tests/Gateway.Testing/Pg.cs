using System.Buffers.Binary;
using System.Text;

namespace Gateway.Testing;

/// <summary>
/// Builds PostgreSQL wire bytes for fixtures: <c>Pg.Build().RowDescription(...).DataRow("a"u8, null).CommandComplete("SELECT 1").ReadyForQuery()</c>.
/// Layouts follow the protocol documentation (protocol-message-formats) field by field.
/// </summary>
public sealed class Pg
{
    private readonly List<byte> _bytes = [];

    public static Pg Build() => new();

    public byte[] ToArray() => [.. _bytes];

    public int Length => _bytes.Count;

    public Pg Raw(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            _bytes.Add(b);
        }

        return this;
    }

    /// <summary>A typed message from its code and body; the length is computed.</summary>
    public Pg Message(char code, Action<Body> body)
    {
        var content = new Body();
        body(content);
        _bytes.Add((byte)code);
        AddInt32(content.Content.Count + 4);
        _bytes.AddRange(content.Content);
        return this;
    }

    /// <summary>A typed message with a length field that lies.</summary>
    public Pg MessageWithLength(char code, int length, ReadOnlySpan<byte> body)
    {
        _bytes.Add((byte)code);
        AddInt32(length);
        return Raw(body);
    }

    // Startup phase
    public Pg Startup(params (string Name, string Value)[] parameters) => Startup(3 << 16, parameters);

    public Pg Startup(int protocolVersion, params (string Name, string Value)[] parameters)
    {
        var body = new Body().Int32(protocolVersion);
        foreach ((string name, string value) in parameters)
        {
            body.CString(name).CString(value);
        }

        body.Byte(0);
        AddInt32(body.Content.Count + 4);
        _bytes.AddRange(body.Content);
        return this;
    }

    public Pg SslRequest() => Untyped(new Body().Int32((1234 << 16) | 5679));

    public Pg GssEncRequest() => Untyped(new Body().Int32((1234 << 16) | 5680));

    public Pg CancelRequest(int processId, int secretKey) => Untyped(new Body().Int32((1234 << 16) | 5678).Int32(processId).Int32(secretKey));

    // Frontend
    public Pg Query(string sql) => Message('Q', b => b.CString(sql));

    public Pg Parse(string statement, string sql, params int[] parameterTypes)
        => Message('P', b =>
        {
            b.CString(statement).CString(sql).Int16((short)parameterTypes.Length);
            foreach (int type in parameterTypes)
            {
                b.Int32(type);
            }
        });

    public Pg Bind(string portal, string statement, short[] parameterFormats, byte[]?[] parameters, short[] resultFormats)
        => Message('B', b =>
        {
            b.CString(portal).CString(statement).Int16((short)parameterFormats.Length);
            foreach (short format in parameterFormats)
            {
                b.Int16(format);
            }

            b.Int16((short)parameters.Length);
            foreach (byte[]? parameter in parameters)
            {
                b.Value(parameter);
            }

            b.Int16((short)resultFormats.Length);
            foreach (short format in resultFormats)
            {
                b.Int16(format);
            }
        });

    public Pg Describe(char kind, string name) => Message('D', b => b.Byte((byte)kind).CString(name));

    public Pg Execute(string portal, int maxRows = 0) => Message('E', b => b.CString(portal).Int32(maxRows));

    public Pg Close(char kind, string name) => Message('C', b => b.Byte((byte)kind).CString(name));

    public Pg Sync() => Message('S', _ => { });

    public Pg Flush() => Message('H', _ => { });

    public Pg Terminate() => Message('X', _ => { });

    public Pg CopyData(ReadOnlySpan<byte> data)
    {
        byte[] copy = data.ToArray();
        return Message('d', b => b.Bytes(copy));
    }

    public Pg CopyDone() => Message('c', _ => { });

    public Pg CopyFail(string reason) => Message('f', b => b.CString(reason));

    public Pg FunctionCall(int functionOid, byte[]?[] arguments)
        => Message('F', b =>
        {
            b.Int32(functionOid).Int16(0).Int16((short)arguments.Length);
            foreach (byte[]? argument in arguments)
            {
                b.Value(argument);
            }

            b.Int16(0);
        });

    public Pg PasswordMessage(string password) => Message('p', b => b.CString(password));

    public Pg SaslInitialResponse(string mechanism, ReadOnlySpan<byte> data)
    {
        byte[] copy = data.ToArray();
        return Message('p', b => b.CString(mechanism).Int32(copy.Length).Bytes(copy));
    }

    public Pg SaslResponse(ReadOnlySpan<byte> data)
    {
        byte[] copy = data.ToArray();
        return Message('p', b => b.Bytes(copy));
    }

    // Backend
    public Pg AuthenticationOk() => Message('R', b => b.Int32(0));

    public Pg AuthenticationCleartextPassword() => Message('R', b => b.Int32(3));

    public Pg AuthenticationMd5Password(ReadOnlySpan<byte> salt)
    {
        byte[] copy = salt.ToArray();
        return Message('R', b => b.Int32(5).Bytes(copy));
    }

    public Pg AuthenticationSasl(params string[] mechanisms)
        => Message('R', b =>
        {
            b.Int32(10);
            foreach (string mechanism in mechanisms)
            {
                b.CString(mechanism);
            }

            b.Byte(0);
        });

    public Pg AuthenticationSaslContinue(string data) => Message('R', b => b.Int32(11).Bytes(Encoding.ASCII.GetBytes(data)));

    public Pg AuthenticationSaslFinal(string data) => Message('R', b => b.Int32(12).Bytes(Encoding.ASCII.GetBytes(data)));

    public Pg ParameterStatus(string name, string value) => Message('S', b => b.CString(name).CString(value));

    public Pg BackendKeyData(int processId, int secretKey) => Message('K', b => b.Int32(processId).Int32(secretKey));

    public Pg ReadyForQuery(char status = 'I') => Message('Z', b => b.Byte((byte)status));

    public Pg RowDescription(params (string Name, int TableOid, short Column, int TypeOid, short TypeSize, int TypeModifier, short Format)[] fields)
        => Message('T', b =>
        {
            b.Int16((short)fields.Length);
            foreach (var field in fields)
            {
                b.CString(field.Name).Int32(field.TableOid).Int16(field.Column).Int32(field.TypeOid)
                    .Int16(field.TypeSize).Int32(field.TypeModifier).Int16(field.Format);
            }
        });

    public Pg DataRow(params byte[]?[] values)
        => Message('D', b =>
        {
            b.Int16((short)values.Length);
            foreach (byte[]? value in values)
            {
                b.Value(value);
            }
        });

    public Pg CommandComplete(string tag) => Message('C', b => b.CString(tag));

    public Pg EmptyQueryResponse() => Message('I', _ => { });

    public Pg ParseComplete() => Message('1', _ => { });

    public Pg BindComplete() => Message('2', _ => { });

    public Pg CloseComplete() => Message('3', _ => { });

    public Pg NoData() => Message('n', _ => { });

    public Pg PortalSuspended() => Message('s', _ => { });

    public Pg ParameterDescription(params int[] types)
        => Message('t', b =>
        {
            b.Int16((short)types.Length);
            foreach (int type in types)
            {
                b.Int32(type);
            }
        });

    public Pg CopyInResponse(byte format, params short[] columnFormats) => CopyResponse('G', format, columnFormats);

    public Pg CopyOutResponse(byte format, params short[] columnFormats) => CopyResponse('H', format, columnFormats);

    public Pg CopyBothResponse(byte format, params short[] columnFormats) => CopyResponse('W', format, columnFormats);

    public Pg NotificationResponse(int processId, string channel, string payload)
        => Message('A', b => b.Int32(processId).CString(channel).CString(payload));

    public Pg FunctionCallResponse(byte[]? value) => Message('V', b => b.Value(value));

    public Pg NegotiateProtocolVersion(int minor, params string[] options)
        => Message('v', b =>
        {
            b.Int32((3 << 16) | minor).Int32(options.Length);
            foreach (string option in options)
            {
                b.CString(option);
            }
        });

    public Pg ErrorResponse(string severity, string sqlState, string message, params (char Field, string Value)[] extra)
        => FieldMessage('E', severity, sqlState, message, extra);

    public Pg NoticeResponse(string severity, string sqlState, string message, params (char Field, string Value)[] extra)
        => FieldMessage('N', severity, sqlState, message, extra);

    private Pg FieldMessage(char code, string severity, string sqlState, string message, (char Field, string Value)[] extra)
        => Message(code, b =>
        {
            b.Byte((byte)'S').CString(severity).Byte((byte)'V').CString(severity).Byte((byte)'C').CString(sqlState).Byte((byte)'M').CString(message);
            foreach ((char field, string value) in extra)
            {
                b.Byte((byte)field).CString(value);
            }

            b.Byte(0);
        });

    private Pg CopyResponse(char code, byte format, short[] columnFormats)
        => Message(code, b =>
        {
            b.Byte(format).Int16((short)columnFormats.Length);
            foreach (short columnFormat in columnFormats)
            {
                b.Int16(columnFormat);
            }
        });

    private Pg Untyped(Body body)
    {
        AddInt32(body.Content.Count + 4);
        _bytes.AddRange(body.Content);
        return this;
    }

    private void AddInt32(int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        Raw(bytes);
    }

    /// <summary>The fields of a message body.</summary>
    public sealed class Body
    {
        public List<byte> Content { get; } = [];

        public Body Byte(byte value)
        {
            Content.Add(value);
            return this;
        }

        public Body Int16(short value)
        {
            Content.Add((byte)(value >> 8));
            Content.Add((byte)value);
            return this;
        }

        public Body Int32(int value)
        {
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(bytes, value);
            foreach (byte b in bytes)
            {
                Content.Add(b);
            }

            return this;
        }

        public Body Bytes(ReadOnlySpan<byte> value)
        {
            foreach (byte b in value)
            {
                Content.Add(b);
            }

            return this;
        }

        public Body CString(string value)
        {
            Content.AddRange(Encoding.UTF8.GetBytes(value));
            Content.Add(0);
            return this;
        }

        /// <summary>An int32 length and the bytes, or -1 for NULL.</summary>
        public Body Value(byte[]? value)
        {
            if (value is null)
            {
                return Int32(-1);
            }

            Int32(value.Length);
            return Bytes(value);
        }
    }
}
