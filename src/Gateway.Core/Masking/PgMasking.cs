using System.Buffers;
using System.Text;
using Gateway.Core.Internal;
using Gateway.Core.Protocol.Postgres;
using Gateway.Core.Sessions;

namespace Gateway.Core.Masking;

/// <summary>
/// A session's masking, as a message hook. It follows the client's statements (simple queries, and Parse, Bind,
/// Describe and Execute of the extended protocol) to know, for every result the server sends, which statement it
/// answers, whether that statement's text is tainted and what shape its rows have; it then masks DataRow, COPY
/// data, error and notice fields, notifications, reported settings and function-call results on their way to the
/// client. When the client executes a portal whose shape nobody asked for, the hook asks itself (an injected
/// Describe whose answer the client never sees), so no row is forwarded without a plan.
/// </summary>
/// <remarks>
/// The client's pump and the server's pump call <see cref="OnMessage"/> concurrently; they share only the queue of
/// answers the server still owes, under a lock. Everything about rows is touched by the server's pump alone.
/// </remarks>
public sealed class PgMasking : IPgMessageHook, IPgContiguousMessageHook, IDisposable
{
    private const string FieldRule = "(error or notice text)";
    private const string NotificationRule = "(notification payload)";
    private const string SettingRule = "(reported setting)";
    private const string FunctionCallRule = "(function call result)";

    private static readonly PgMessageCodeSet ClientCodes = PgMessageCodeSet.Of(
        FrontendCode.Query, FrontendCode.Parse, FrontendCode.Bind, FrontendCode.Describe, FrontendCode.Execute,
        FrontendCode.Close, FrontendCode.Sync, FrontendCode.FunctionCall);

    private static readonly PgMessageCodeSet ServerCodes = PgMessageCodeSet.Of(
        BackendCode.RowDescription, BackendCode.DataRow, BackendCode.NoData, BackendCode.ParseComplete,
        BackendCode.BindComplete, BackendCode.CloseComplete, BackendCode.CommandComplete, BackendCode.EmptyQueryResponse,
        BackendCode.PortalSuspended, BackendCode.ReadyForQuery, BackendCode.ErrorResponse, BackendCode.NoticeResponse,
        BackendCode.NotificationResponse, BackendCode.ParameterStatus, BackendCode.CopyOutResponse, BackendCode.CopyData,
        BackendCode.CopyBothResponse, BackendCode.FunctionCallResponse);

    private static readonly short[] AllText = [0];
    private static readonly short[] AllBinary = [1];

    private readonly Func<MaskingCatalog> _catalog;
    private readonly MaskingStatistics _statistics;
    private readonly Action<uint>? _unknownRelation;
    private readonly Lock _lock = new();
    private readonly Queue<Expectation> _expected = new();

    // The client's side.
    private readonly Dictionary<string, PreparedStatement> _statements = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Portal> _portals = new(StringComparer.Ordinal);
    private readonly MaskingScratch _clientScratch = new();
    private readonly TaintNames _names;
    private MaskingCatalog _namesCatalog;

    // The server's side.
    private readonly MaskingScratch _scratch = new();
    private readonly ContentScanner _scanner;
    private readonly ValueMasker _masker;
    private readonly ValueRewriter _rewriter;
    private RowPlan? _rows;

    // The last plan built, and what it was built from (see Plan).
    private RowPlan? _lastPlan;
    private MaskingCatalog? _lastPlanCatalog;
    private byte[] _lastDescription = [];
    private int _lastDescriptionLength;
    private short[] _lastPlanFormats = [];
    private bool _lastPlanTainted;
    private CopyOutMasker? _copy;
    private long _fieldsMasked;
    private long _notificationsMasked;
    private long _settingsMasked;
    private long _functionResultsMasked;

    /// <summary>Creates the masking of one session.</summary>
    /// <param name="catalog">
    /// The target's current catalog; read again for every result, so a catalog the host reloads after a schema
    /// change applies to running sessions too.
    /// </param>
    /// <param name="statistics">Where this session's counts go.</param>
    /// <param name="unknownRelation">
    /// Called with the OID of a relation a result comes from that the catalog does not know (created after it was
    /// read); its columns are masked until the host reloads the catalog.
    /// </param>
    public PgMasking(Func<MaskingCatalog> catalog, MaskingStatistics statistics, Action<uint>? unknownRelation = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(statistics);
        _catalog = catalog;
        _statistics = statistics;
        _unknownRelation = unknownRelation;
        _namesCatalog = catalog();
        _names = new TaintNames(_namesCatalog.TaintNames);
        ContentScanner scanner = _namesCatalog.Scanner;
        _masker = new ValueMasker(_namesCatalog.Policy, scanner);
        _scanner = scanner;
        _rewriter = new ValueRewriter(scanner, _masker, _namesCatalog);
    }

    /// <inheritdoc/>
    public PgMessageCodeSet FrontendCodes => ClientCodes;

    /// <inheritdoc/>
    public PgMessageCodeSet BackendCodes => ServerCodes;

    /// <inheritdoc/>
    public PgHookAction OnMessage(in PgMessage message, IBufferWriter<byte> replacement)
        => message.Side == PgSide.Frontend ? OnClientMessage(message, replacement) : OnServerMessage(message, replacement);

    /// <inheritdoc/>
    PgHookAction IPgContiguousMessageHook.OnMessage(PgSide side, byte code, ReadOnlyMemory<byte> payload, IBufferWriter<byte> replacement)
        => side == PgSide.Backend && code == (byte)BackendCode.DataRow
            ? DataRow(payload.Span, replacement)
            : OnMessage(new PgMessage(side, code, new ReadOnlySequence<byte>(payload)), replacement);

    /// <inheritdoc/>
    public void Dispose()
    {
        _scratch.Dispose();
        _clientScratch.Dispose();
        _copy?.Dispose();
        _masker.Dispose();
    }

    private PgHookAction OnClientMessage(in PgMessage message, IBufferWriter<byte> replacement)
    {
        var reader = new PgReader(_clientScratch.Contiguous(message.Payload));
        switch ((FrontendCode)message.Code)
        {
            case FrontendCode.Query:
            {
                ReadOnlySpan<byte> sql = reader.ReadCString();
                Expect(new Expectation(ExpectKind.Query, Analyze(sql), CopyStatement.Parse(sql)));
                break;
            }

            case FrontendCode.Parse:
            {
                ReadOnlySpan<byte> name = reader.ReadCString();
                ReadOnlySpan<byte> sql = reader.ReadCString();
                _statements[Name(name)] = new PreparedStatement(Analyze(sql), CopyStatement.Parse(sql));
                Expect(new Expectation(ExpectKind.Parse, false, null));
                break;
            }

            case FrontendCode.Bind:
                Bind(ref reader);
                Expect(new Expectation(ExpectKind.Bind, false, null));
                break;
            case FrontendCode.Describe:
            {
                byte kind = reader.ReadByte();
                ReadOnlySpan<byte> name = reader.ReadCString();
                if (kind == 'S')
                {
                    PreparedStatement? statement = Find(_statements, name);
                    statement?.DescribeRequested = true;
                    Expect(new Expectation(ExpectKind.DescribeStatement, statement?.Tainted ?? true, statement));
                }
                else
                {
                    Portal? portal = Find(_portals, name);
                    portal?.DescribeRequested = true;
                    Expect(new Expectation(ExpectKind.DescribePortal, portal?.Tainted ?? true, portal));
                }

                break;
            }

            case FrontendCode.Execute:
                return Execute(ref reader, message.Payload, replacement);
            case FrontendCode.Close:
            {
                byte kind = reader.ReadByte();
                ReadOnlySpan<byte> name = reader.ReadCString();
                if (kind == 'S')
                {
                    Remove(_statements, name);
                }
                else
                {
                    Remove(_portals, name);
                }

                Expect(new Expectation(ExpectKind.Close, false, null));
                break;
            }

            case FrontendCode.Sync:
                Expect(new Expectation(ExpectKind.Sync, false, null));
                break;
            case FrontendCode.FunctionCall:
                Expect(new Expectation(ExpectKind.FunctionCall, true, null));
                break;
        }

        return PgHookAction.Forward;
    }

    private bool Analyze(ReadOnlySpan<byte> sql)
    {
        MaskingCatalog current = _catalog();
        if (!ReferenceEquals(current, _namesCatalog))
        {
            _namesCatalog = current;
            _names.UseCatalog(current.TaintNames);
        }

        return SqlStatement.Analyze(sql, _names);
    }

    private void Bind(ref PgReader reader)
    {
        ReadOnlySpan<byte> portalName = reader.ReadCString();
        ReadOnlySpan<byte> statementName = reader.ReadCString();
        int parameterFormats = reader.ReadInt16();
        reader.ReadBytes(2 * Math.Max(0, parameterFormats));
        int parameters = reader.ReadInt16();
        for (int i = 0; i < parameters; i++)
        {
            int length = reader.ReadInt32();
            reader.ReadBytes(Math.Max(0, length));
        }

        int resultFormatCount = reader.ReadInt16();
        short[] resultFormats;
        if (resultFormatCount <= 0)
        {
            resultFormats = [];
        }
        else if (resultFormatCount == 1)
        {
            resultFormats = reader.ReadInt16() == 1 ? AllBinary : AllText;
        }
        else
        {
            resultFormats = new short[resultFormatCount];
            for (int i = 0; i < resultFormatCount; i++)
            {
                resultFormats[i] = reader.ReadInt16();
            }
        }

        _portals[Name(portalName)] = new Portal(Find(_statements, statementName), resultFormats);
    }

    /// <summary>
    /// Forwards an Execute; when neither the portal nor its statement was described, puts a Describe of the portal in
    /// front of it so the shape of its rows is known before the first one arrives.
    /// </summary>
    private PgHookAction Execute(ref PgReader reader, in ReadOnlySequence<byte> payload, IBufferWriter<byte> replacement)
    {
        ReadOnlySpan<byte> name = reader.ReadCString();
        Portal? portal = Find(_portals, name);
        if (portal is null || portal.DescribeRequested || portal.Statement?.DescribeRequested == true)
        {
            Expect(new Expectation(ExpectKind.Execute, portal?.Tainted ?? true, portal));
            return PgHookAction.Forward;
        }

        portal.DescribeRequested = true;
        lock (_lock)
        {
            _expected.Enqueue(new Expectation(ExpectKind.InjectedDescribe, portal.Tainted, portal));
            _expected.Enqueue(new Expectation(ExpectKind.Execute, portal.Tainted, portal));
        }

        int describeLength = 4 + 1 + name.Length + 1;
        var writer = new PgSpanWriter(replacement.GetSpan(1 + describeLength));
        writer.WriteByte((byte)FrontendCode.Describe);
        writer.WriteInt32(describeLength);
        writer.WriteByte((byte)'P');
        writer.WriteCString(name);
        replacement.Advance(1 + describeLength);
        PgMessageWriter.WriteRaw(replacement, (byte)FrontendCode.Execute, _clientScratch.Contiguous(payload));
        return PgHookAction.Replace;
    }

    private PgHookAction OnServerMessage(in PgMessage message, IBufferWriter<byte> replacement)
    {
        switch ((BackendCode)message.Code)
        {
            case BackendCode.DataRow:
                return DataRow(message.Payload, replacement);
            case BackendCode.CopyData:
                return CopyData(message.Payload, replacement);
            case BackendCode.RowDescription:
                return RowDescription(_scratch.Contiguous(message.Payload));
            case BackendCode.NoData:
                return NoData();
            case BackendCode.CommandComplete or BackendCode.EmptyQueryResponse or BackendCode.PortalSuspended:
                EndResult();
                Complete(ExpectKind.Execute);
                return PgHookAction.Forward;
            case BackendCode.ParseComplete:
                Complete(ExpectKind.Parse);
                return PgHookAction.Forward;
            case BackendCode.BindComplete:
                Complete(ExpectKind.Bind);
                return PgHookAction.Forward;
            case BackendCode.CloseComplete:
                Complete(ExpectKind.Close);
                return PgHookAction.Forward;
            case BackendCode.ReadyForQuery:
                ReadyForQuery();
                return PgHookAction.Forward;
            case BackendCode.ErrorResponse or BackendCode.NoticeResponse:
                return ErrorOrNotice(message.Code, _scratch.Contiguous(message.Payload), replacement);
            case BackendCode.NotificationResponse:
                return Notification(_scratch.Contiguous(message.Payload), replacement);
            case BackendCode.ParameterStatus:
                return Setting(_scratch.Contiguous(message.Payload), replacement);
            case BackendCode.CopyOutResponse:
                CopyOut(_scratch.Contiguous(message.Payload));
                return PgHookAction.Forward;
            case BackendCode.FunctionCallResponse:
                return FunctionCallResult(replacement);
            default:
                // CopyBothResponse: only replication starts it, and the gateway refuses replication at startup.
                ThrowHelper.ThrowProtocolViolation($"server sent '{PgFormat.Code(message.Code)}', which a masked session does not expect");
                return PgHookAction.Forward;
        }
    }

    private PgHookAction DataRow(in ReadOnlySequence<byte> payload, IBufferWriter<byte> replacement)
        => DataRow(_scratch.Contiguous(payload), replacement);

    private PgHookAction DataRow(ReadOnlySpan<byte> row, IBufferWriter<byte> replacement)
    {
        RowPlan? plan = _rows ?? ExecutePlan();
        if (plan is null)
        {
            // Rows of a result whose shape the gateway never saw: every value goes.
            plan = _rows = RowPlan.MaskAll(Math.Max((short)0, new PgReader(row).ReadInt16()), RowPlan.UnparsedRule);
        }

        if (!plan.NeedsWork)
        {
            plan.Rows++;
            return PgHookAction.Forward;
        }

        return DataRowMasker.TryRewrite(row, plan, _rewriter, _scratch, replacement) ? PgHookAction.Replace : PgHookAction.Forward;
    }

    /// <summary>The plan of the portal an Execute at the head of the queue runs, built on its first row.</summary>
    private RowPlan? ExecutePlan()
    {
        Expectation head;
        lock (_lock)
        {
            if (!_expected.TryPeek(out head))
            {
                return null;
            }
        }

        if (head.Kind != ExpectKind.Execute || head.Target is not Portal portal)
        {
            return null;
        }

        if (portal.Plan is null && portal.Statement?.RowDescription is { Length: > 0 } description)
        {
            portal.Plan = Plan(description, portal.ResultFormats, portal.Tainted);
        }

        return _rows = portal.Plan;
    }

    private RowPlan Plan(ReadOnlySpan<byte> description, ReadOnlySpan<short> formats, bool tainted)
    {
        MaskingCatalog catalog = _catalog();
        _rewriter.Catalog = catalog;

        // A session that runs the same statement again gets the same RowDescription: reuse its plan (a plan's
        // columns never change; its counts are moved to the statistics when each result ends), so that steady
        // traffic allocates nothing per result. Not a plan with a relation unknown to the catalog: building it again
        // tells the host again, until the catalog it reloads knows the relation.
        if (_lastPlan is not null && ReferenceEquals(catalog, _lastPlanCatalog) && tainted == _lastPlanTainted
            && description.SequenceEqual(_lastDescription.AsSpan(0, _lastDescriptionLength)) && formats.SequenceEqual(_lastPlanFormats))
        {
            return _lastPlan;
        }

        RowPlan plan = RowPlan.Build(description, formats, tainted, catalog, catalog.Scanner, _unknownRelation);
        if (Array.IndexOf(plan.Rules, RowPlan.UnknownRelationRule) >= 0)
        {
            _lastPlan = null;
            return plan;
        }

        if (_lastDescription.Length < description.Length)
        {
            _lastDescription = new byte[Math.Max(description.Length, 2 * _lastDescription.Length)];
        }

        description.CopyTo(_lastDescription);
        _lastDescriptionLength = description.Length;
        _lastPlanFormats = formats.ToArray();
        _lastPlanTainted = tainted;
        _lastPlanCatalog = catalog;
        _lastPlan = plan;
        return plan;
    }

    private PgHookAction RowDescription(ReadOnlySpan<byte> description)
    {
        Expectation head = Head();
        switch (head.Kind)
        {
            case ExpectKind.DescribeStatement:
                if (head.Target is PreparedStatement statement)
                {
                    statement.RowDescription = description.ToArray();
                }

                Complete(ExpectKind.DescribeStatement);
                return PgHookAction.Forward;
            case ExpectKind.DescribePortal or ExpectKind.InjectedDescribe:
                if (head.Target is Portal portal)
                {
                    portal.Plan = Plan(description, [], portal.Tainted);
                }

                Complete(head.Kind);
                return head.Kind == ExpectKind.InjectedDescribe ? PgHookAction.Replace : PgHookAction.Forward;
            default:
                // A simple query's result (or one nobody announced, which is planned as tainted).
                _rows = Plan(description, [], head.Kind != ExpectKind.Query || head.Tainted);
                return PgHookAction.Forward;
        }
    }

    private PgHookAction NoData()
    {
        Expectation head = Head();
        if (head.Kind == ExpectKind.DescribeStatement && head.Target is PreparedStatement statement)
        {
            statement.RowDescription = [];
        }

        if (head.Kind is ExpectKind.DescribeStatement or ExpectKind.DescribePortal or ExpectKind.InjectedDescribe)
        {
            Complete(head.Kind);
        }

        return head.Kind == ExpectKind.InjectedDescribe ? PgHookAction.Replace : PgHookAction.Forward;
    }

    private PgHookAction CopyData(in ReadOnlySequence<byte> payload, IBufferWriter<byte> replacement)
    {
        if (_copy is null)
        {
            ThrowHelper.ThrowProtocolViolation("server sent CopyData outside a COPY TO STDOUT");
        }

        return _copy.TryRewrite(_scratch.Contiguous(payload), _rewriter, _scratch, replacement) ? PgHookAction.Replace : PgHookAction.Forward;
    }

    private void CopyOut(ReadOnlySpan<byte> response)
    {
        Expectation head = Head();
        CopyStatement? statement = head.Kind switch
        {
            ExpectKind.Query => head.Target as CopyStatement,
            ExpectKind.Execute => (head.Target as Portal)?.Statement?.Copy,
            _ => null,
        };
        MaskingCatalog catalog = _catalog();
        _rewriter.Catalog = catalog;
        _copy?.Dispose();
        _copy = CopyOutMasker.Create(response, statement, head.Tainted || head.Kind is not (ExpectKind.Query or ExpectKind.Execute), catalog, catalog.Scanner, _unknownRelation);
    }

    private PgHookAction ErrorOrNotice(byte code, ReadOnlySpan<byte> payload, IBufferWriter<byte> replacement)
    {
        Expectation head = Head();
        bool tainted = head.Tainted && _catalog().ProtectedColumnCount > 0;
        _scratch.Reset();
        bool rewritten = ResponseFieldMasker.TryRewrite(code, payload, tainted, _rewriter, _masker.RedactedText, _scratch, replacement, ref _fieldsMasked);
        if (code == (byte)BackendCode.ErrorResponse)
        {
            EndResult();
            if (head.Kind is not (ExpectKind.Query or ExpectKind.FunctionCall))
            {
                // The server skips every message of an extended sequence after an error until Sync: so do we.
                lock (_lock)
                {
                    while (_expected.TryPeek(out Expectation next) && next.Kind != ExpectKind.Sync)
                    {
                        _expected.Dequeue();
                    }
                }
            }
        }

        return rewritten ? PgHookAction.Replace : PgHookAction.Forward;
    }

    private PgHookAction Notification(ReadOnlySpan<byte> payload, IBufferWriter<byte> replacement)
    {
        var reader = new PgReader(payload);
        int process = reader.ReadInt32();
        ReadOnlySpan<byte> channel = reader.ReadCString();
        ReadOnlySpan<byte> text = reader.ReadCString();
        reader.VerifyAtEnd();
        if (!Mask(text, Head().Tainted, out ReadOnlySpan<byte> masked))
        {
            return PgHookAction.Forward;
        }

        _notificationsMasked++;
        int length = 4 + 4 + channel.Length + 1 + masked.Length + 1;
        var writer = new PgSpanWriter(replacement.GetSpan(1 + length));
        writer.WriteByte((byte)BackendCode.NotificationResponse);
        writer.WriteInt32(length);
        writer.WriteInt32(process);
        writer.WriteCString(channel);
        writer.WriteCString(masked);
        replacement.Advance(1 + length);
        return PgHookAction.Replace;
    }

    /// <summary>
    /// ParameterStatus: the settings drivers depend on (encoding, date style, time zone…) pass; any other reported
    /// setting — application_name above all, which <c>set_config</c> can fill from a query — is scanned, and
    /// redacted when set during a tainted statement.
    /// </summary>
    private PgHookAction Setting(ReadOnlySpan<byte> payload, IBufferWriter<byte> replacement)
    {
        var reader = new PgReader(payload);
        ReadOnlySpan<byte> name = reader.ReadCString();
        ReadOnlySpan<byte> value = reader.ReadCString();
        reader.VerifyAtEnd();
        if (IsDriverSetting(name) || !Mask(value, Head().Tainted, out ReadOnlySpan<byte> masked))
        {
            return PgHookAction.Forward;
        }

        _settingsMasked++;
        int length = 4 + name.Length + 1 + masked.Length + 1;
        var writer = new PgSpanWriter(replacement.GetSpan(1 + length));
        writer.WriteByte((byte)BackendCode.ParameterStatus);
        writer.WriteInt32(length);
        writer.WriteCString(name);
        writer.WriteCString(masked);
        replacement.Advance(1 + length);
        return PgHookAction.Replace;
    }

    private static bool IsDriverSetting(ReadOnlySpan<byte> name)
        => name.SequenceEqual("client_encoding"u8) || name.SequenceEqual("server_encoding"u8) || name.SequenceEqual("DateStyle"u8)
            || name.SequenceEqual("IntervalStyle"u8) || name.SequenceEqual("TimeZone"u8) || name.SequenceEqual("integer_datetimes"u8)
            || name.SequenceEqual("standard_conforming_strings"u8) || name.SequenceEqual("server_version"u8)
            || name.SequenceEqual("is_superuser"u8) || name.SequenceEqual("session_authorization"u8)
            || name.SequenceEqual("in_hot_standby"u8) || name.SequenceEqual("default_transaction_read_only"u8)
            || name.SequenceEqual("scram_iterations"u8) || name.SequenceEqual("search_path"u8);

    /// <summary>Free text outside rows: redacted in a tainted statement of a target with protected columns, else scanned.</summary>
    private bool Mask(ReadOnlySpan<byte> text, bool tainted, out ReadOnlySpan<byte> masked)
    {
        _scratch.Reset();
        if (tainted && _catalog().ProtectedColumnCount > 0 && !text.IsEmpty)
        {
            masked = _masker.RedactedText;
            return true;
        }

        if (_rewriter.ScanText(text, _scratch, out int offset, out int length) == ValueOutcome.Rewritten)
        {
            masked = _scratch.Slice(offset, length);
            return true;
        }

        masked = default;
        return false;
    }

    /// <summary>
    /// The fast-path function call can run any function the role may execute on any value, outside every statement
    /// the gateway can read: with protected columns on the target its result is NULL.
    /// </summary>
    private PgHookAction FunctionCallResult(IBufferWriter<byte> replacement)
    {
        if (_catalog().ProtectedColumnCount == 0)
        {
            return PgHookAction.Forward;
        }

        _functionResultsMasked++;
        var writer = new PgSpanWriter(replacement.GetSpan(9));
        writer.WriteByte((byte)BackendCode.FunctionCallResponse);
        writer.WriteInt32(8);
        writer.WriteInt32(-1);
        replacement.Advance(9);
        return PgHookAction.Replace;
    }

    private void ReadyForQuery()
    {
        EndResult();
        bool idle;
        lock (_lock)
        {
            while (_expected.TryDequeue(out Expectation done) && done.Kind is not (ExpectKind.Query or ExpectKind.Sync or ExpectKind.FunctionCall))
            {
            }

            idle = _expected.Count == 0;
        }

        Flush();
        if (idle)
        {
            // Nothing more is owed: give the buffers back until the next statement.
            _scratch.Release();
            _copy?.Dispose();
            _copy = null;
        }
    }

    /// <summary>A result ended: its counts go to the statistics and the next result needs its own plan.</summary>
    private void EndResult()
    {
        _rows?.Flush(_statistics);
        _rows = null;
        if (_copy is not null)
        {
            _copy.Plan.Flush(_statistics);
            _copy.Dispose();
            _copy = null;
        }
    }

    private void Flush()
    {
        long[] detectors = _rewriter.DetectorCounts;
        for (int i = 0; i < detectors.Length; i++)
        {
            if (detectors[i] > 0)
            {
                _statistics.AddDetector(_scanner.DetectorName(i), detectors[i]);
                detectors[i] = 0;
            }
        }

        FlushRule(FieldRule, ref _fieldsMasked);
        FlushRule(NotificationRule, ref _notificationsMasked);
        FlushRule(SettingRule, ref _settingsMasked);
        FlushRule(FunctionCallRule, ref _functionResultsMasked);
    }

    private void FlushRule(string rule, ref long count)
    {
        if (count > 0)
        {
            _statistics.AddRule(rule, count);
            count = 0;
        }
    }

    private void Expect(Expectation expectation)
    {
        lock (_lock)
        {
            _expected.Enqueue(expectation);
        }
    }

    private Expectation Head()
    {
        lock (_lock)
        {
            return _expected.TryPeek(out Expectation head) ? head : new Expectation(ExpectKind.None, false, null);
        }
    }

    /// <summary>Removes the expectation at the head when it is of <paramref name="kind"/>: the server answers in order.</summary>
    private void Complete(ExpectKind kind)
    {
        lock (_lock)
        {
            if (_expected.TryPeek(out Expectation head) && head.Kind == kind)
            {
                _expected.Dequeue();
            }
        }
    }

    private static string Name(ReadOnlySpan<byte> name) => name.IsEmpty ? string.Empty : Encoding.UTF8.GetString(name);

    private static T? Find<T>(Dictionary<string, T> map, ReadOnlySpan<byte> name)
        where T : class
    {
        if (name.IsEmpty)
        {
            return map.GetValueOrDefault(string.Empty);
        }

        if (name.Length > 128)
        {
            return map.GetValueOrDefault(Encoding.UTF8.GetString(name));
        }

        Span<char> chars = stackalloc char[128];
        int length = Encoding.UTF8.GetChars(name, chars);
        return map.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(chars.Slice(0, length), out T? value) ? value : null;
    }

    private static void Remove<T>(Dictionary<string, T> map, ReadOnlySpan<byte> name)
        where T : class
    {
        if (Find(map, name) is not null)
        {
            map.Remove(Name(name));
        }
    }

    private enum ExpectKind : byte
    {
        None,
        Query,
        Parse,
        Bind,
        DescribeStatement,
        DescribePortal,
        InjectedDescribe,
        Execute,
        Close,
        Sync,
        FunctionCall,
    }

    /// <summary>An answer the server owes: to which client message, whether that statement is tainted, and its object.</summary>
    private readonly record struct Expectation(ExpectKind Kind, bool Tainted, object? Target);
}
