using System.Text;
using Gateway.Core.Protocol.Postgres;
using Gateway.Testing;

namespace Gateway.Core.Tests.Protocol.Postgres;

/// <summary>
/// Every typed message of protocol 3.0, built with <see cref="Pg"/>, keyed by a name a theory can carry. Payloads that
/// could hold row data use <see cref="Marker"/>, so tests can check that no diagnostic ever echoes them.
/// </summary>
internal static class WireFixtures
{
    /// <summary>A recognisable stand-in for row data or a secret.</summary>
    public const string Marker = "SECRET-ROW-DATA";

    public static readonly byte[] MarkerBytes = Encoding.ASCII.GetBytes(Marker);

    public static IReadOnlyDictionary<string, WireFixture> Frontend { get; } = Index(PgSide.Frontend,
    [
        ("Bind", FrontendCode.Bind, Pg.Build().Bind("portal", "stmt", [0, 1], [MarkerBytes, null, []], [1])),
        ("Bind unnamed, no parameters", FrontendCode.Bind, Pg.Build().Bind("", "", [], [], [])),
        ("Close statement", FrontendCode.Close, Pg.Build().Close('S', "stmt")),
        ("Close portal", FrontendCode.Close, Pg.Build().Close('P', "")),
        ("CopyData", FrontendCode.CopyData, Pg.Build().CopyData(Encoding.ASCII.GetBytes("1\t" + Marker + "\n"))),
        ("CopyData empty", FrontendCode.CopyData, Pg.Build().CopyData([])),
        ("CopyDone", FrontendCode.CopyDone, Pg.Build().CopyDone()),
        ("CopyFail", FrontendCode.CopyFail, Pg.Build().CopyFail("COPY aborted by the client")),
        ("Describe statement", FrontendCode.Describe, Pg.Build().Describe('S', "stmt")),
        ("Describe portal", FrontendCode.Describe, Pg.Build().Describe('P', "")),
        ("Execute", FrontendCode.Execute, Pg.Build().Execute("portal", 100)),
        ("Flush", FrontendCode.Flush, Pg.Build().Flush()),
        ("FunctionCall", FrontendCode.FunctionCall, Pg.Build().FunctionCall(1598, [MarkerBytes, null])),
        ("Parse", FrontendCode.Parse, Pg.Build().Parse("stmt", "SELECT $1::int, $2::text", 23, 25)),
        ("Parse unnamed, no types", FrontendCode.Parse, Pg.Build().Parse("", "SELECT 1")),
        ("PasswordMessage", FrontendCode.Password, Pg.Build().PasswordMessage("md54376eb6913b38f9aaff38dc7cf19ca76")),
        ("SASLInitialResponse", FrontendCode.Password, Pg.Build().SaslInitialResponse("SCRAM-SHA-256", "n,,n=,r=rOprNGfwEbeRWgbNEkqO"u8)),
        ("SASLResponse", FrontendCode.Password, Pg.Build().SaslResponse("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="u8)),
        ("Query", FrontendCode.Query, Pg.Build().Query("SELECT 1")),
        ("Query non-ASCII", FrontendCode.Query, Pg.Build().Query("SELECT 'Zürich ✓', '" + Marker + "'")),
        ("Sync", FrontendCode.Sync, Pg.Build().Sync()),
        ("Terminate", FrontendCode.Terminate, Pg.Build().Terminate()),
    ]);

    public static IReadOnlyDictionary<string, WireFixture> Backend { get; } = Index(PgSide.Backend,
    [
        ("AuthenticationOk", BackendCode.Authentication, Pg.Build().AuthenticationOk()),
        ("AuthenticationKerberosV5", BackendCode.Authentication, Pg.Build().Message('R', b => b.Int32(2))),
        ("AuthenticationCleartextPassword", BackendCode.Authentication, Pg.Build().AuthenticationCleartextPassword()),
        ("AuthenticationMD5Password", BackendCode.Authentication, Pg.Build().AuthenticationMd5Password([1, 2, 3, 4])),
        ("AuthenticationSCMCredential", BackendCode.Authentication, Pg.Build().Message('R', b => b.Int32(6))),
        ("AuthenticationGSS", BackendCode.Authentication, Pg.Build().Message('R', b => b.Int32(7))),
        ("AuthenticationGSSContinue", BackendCode.Authentication, Pg.Build().Message('R', b => b.Int32(8).Bytes([0x60, 0x81, 0x00, 0xFF]))),
        ("AuthenticationSSPI", BackendCode.Authentication, Pg.Build().Message('R', b => b.Int32(9))),
        ("AuthenticationSASL", BackendCode.Authentication, Pg.Build().AuthenticationSasl("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256")),
        ("AuthenticationSASLContinue", BackendCode.Authentication, Pg.Build().AuthenticationSaslContinue("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")),
        ("AuthenticationSASLFinal", BackendCode.Authentication, Pg.Build().AuthenticationSaslFinal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")),
        ("BackendKeyData", BackendCode.BackendKeyData, Pg.Build().BackendKeyData(1234, unchecked((int)0xDEADBEEF))),
        ("BindComplete", BackendCode.BindComplete, Pg.Build().BindComplete()),
        ("CloseComplete", BackendCode.CloseComplete, Pg.Build().CloseComplete()),
        ("CommandComplete SELECT", BackendCode.CommandComplete, Pg.Build().CommandComplete("SELECT 1")),
        ("CommandComplete INSERT", BackendCode.CommandComplete, Pg.Build().CommandComplete("INSERT 0 5")),
        ("CopyData", BackendCode.CopyData, Pg.Build().CopyData(Encoding.ASCII.GetBytes("42\t" + Marker + "\n"))),
        ("CopyDone", BackendCode.CopyDone, Pg.Build().CopyDone()),
        ("CopyInResponse", BackendCode.CopyInResponse, Pg.Build().CopyInResponse(0, 0, 0)),
        ("CopyOutResponse", BackendCode.CopyOutResponse, Pg.Build().CopyOutResponse(1, 1, 1, 1)),
        ("CopyBothResponse", BackendCode.CopyBothResponse, Pg.Build().CopyBothResponse(0)),
        ("DataRow", BackendCode.DataRow, Pg.Build().DataRow("1"u8.ToArray(), null, [], MarkerBytes)),
        ("DataRow no columns", BackendCode.DataRow, Pg.Build().DataRow()),
        ("EmptyQueryResponse", BackendCode.EmptyQueryResponse, Pg.Build().EmptyQueryResponse()),
        ("ErrorResponse", BackendCode.ErrorResponse, Pg.Build().ErrorResponse("ERROR", "23505", "duplicate key value violates unique constraint", ('D', "Key (email)=(" + Marker + ") already exists."))),
        ("FunctionCallResponse", BackendCode.FunctionCallResponse, Pg.Build().FunctionCallResponse(MarkerBytes)),
        ("FunctionCallResponse NULL", BackendCode.FunctionCallResponse, Pg.Build().FunctionCallResponse(null)),
        ("NegotiateProtocolVersion", BackendCode.NegotiateProtocolVersion, Pg.Build().NegotiateProtocolVersion(0, "_pq_.compression")),
        ("NoData", BackendCode.NoData, Pg.Build().NoData()),
        ("NoticeResponse", BackendCode.NoticeResponse, Pg.Build().NoticeResponse("NOTICE", "00000", "table \"t\" does not exist, skipping")),
        ("NotificationResponse", BackendCode.NotificationResponse, Pg.Build().NotificationResponse(4242, "channel", Marker)),
        ("ParameterDescription", BackendCode.ParameterDescription, Pg.Build().ParameterDescription(23, 25)),
        ("ParameterStatus", BackendCode.ParameterStatus, Pg.Build().ParameterStatus("TimeZone", "Europe/Zürich")),
        ("ParseComplete", BackendCode.ParseComplete, Pg.Build().ParseComplete()),
        ("PortalSuspended", BackendCode.PortalSuspended, Pg.Build().PortalSuspended()),
        ("ReadyForQuery idle", BackendCode.ReadyForQuery, Pg.Build().ReadyForQuery('I')),
        ("ReadyForQuery in transaction", BackendCode.ReadyForQuery, Pg.Build().ReadyForQuery('T')),
        ("ReadyForQuery failed transaction", BackendCode.ReadyForQuery, Pg.Build().ReadyForQuery('E')),
        ("RowDescription", BackendCode.RowDescription, Pg.Build().RowDescription(("id", 16384, 1, 23, 4, -1, 0), ("email", 16384, 2, 25, -1, -1, 0))),
    ]);

    /// <summary>Messages sent back to back, as a client or server writes them in one flush.</summary>
    public static IReadOnlyDictionary<string, WireFixture[]> FrontendPipelines { get; } = new Dictionary<string, WireFixture[]>
    {
        ["extended query"] = Select(Frontend, "Parse", "Bind", "Describe portal", "Execute", "Sync"),
        ["simple query then terminate"] = Select(Frontend, "Query", "Query non-ASCII", "Terminate"),
        ["copy in"] = Select(Frontend, "CopyData", "CopyData empty", "CopyData", "CopyDone", "Sync"),
        ["prepared statement lifecycle"] = Select(Frontend, "Parse unnamed, no types", "Describe statement", "Flush", "Bind unnamed, no parameters", "Execute", "Close portal", "Close statement", "Sync"),
    };

    public static IReadOnlyDictionary<string, WireFixture[]> BackendPipelines { get; } = new Dictionary<string, WireFixture[]>
    {
        ["login"] = Select(Backend, "AuthenticationSASLFinal", "AuthenticationOk", "ParameterStatus", "NoticeResponse", "BackendKeyData", "ReadyForQuery idle"),
        ["extended query result"] = Select(Backend, "ParseComplete", "BindComplete", "RowDescription", "DataRow", "DataRow no columns", "DataRow", "CommandComplete SELECT", "ReadyForQuery idle"),
        ["copy out"] = Select(Backend, "CopyOutResponse", "CopyData", "CopyData", "CopyDone", "CommandComplete SELECT", "ReadyForQuery in transaction"),
        ["error in transaction"] = Select(Backend, "ParseComplete", "ErrorResponse", "ReadyForQuery failed transaction", "NotificationResponse", "EmptyQueryResponse", "NoData", "PortalSuspended", "CloseComplete"),
    };

    /// <summary>Startup-phase packets: no type byte, the length field first.</summary>
    public static IReadOnlyDictionary<string, byte[]> StartupPackets { get; } = new Dictionary<string, byte[]>
    {
        ["StartupMessage"] = Pg.Build().Startup(("user", "agent-1"), ("database", "shop"), ("application_name", "psql"), ("client_encoding", "UTF8")).ToArray(),
        ["StartupMessage without parameters"] = Pg.Build().Startup().ToArray(),
        ["StartupMessage protocol 3.2"] = Pg.Build().Startup((3 << 16) | 2, ("user", "agent-1")).ToArray(),
        ["SSLRequest"] = Pg.Build().SslRequest().ToArray(),
        ["GSSENCRequest"] = Pg.Build().GssEncRequest().ToArray(),
        ["CancelRequest"] = Pg.Build().CancelRequest(1234, unchecked((int)0xCAFEBABE)).ToArray(),
    };

    public static TheoryData<string> Names<T>(IReadOnlyDictionary<string, T> fixtures)
    {
        var data = new TheoryData<string>();
        foreach (string name in fixtures.Keys)
        {
            data.Add(name);
        }

        return data;
    }

    private static Dictionary<string, WireFixture> Index<TCode>(PgSide side, (string Name, TCode Code, Pg Bytes)[] fixtures)
        where TCode : struct, Enum
    {
        var index = new Dictionary<string, WireFixture>();
        foreach ((string name, TCode code, Pg bytes) in fixtures)
        {
            index.Add(name, new WireFixture(name, side, Convert.ToByte(code, System.Globalization.CultureInfo.InvariantCulture), bytes.ToArray()));
        }

        return index;
    }

    private static WireFixture[] Select(IReadOnlyDictionary<string, WireFixture> fixtures, params string[] names)
        => [.. names.Select(name => fixtures[name])];
}
