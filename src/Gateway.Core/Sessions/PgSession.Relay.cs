using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Gateway.Core.Diagnostics;
using Gateway.Core.Internal;
using Gateway.Core.Protocol.Postgres;
using Gateway.Core.Protocol.Postgres.Messages;
using Gateway.Core.Transport;

namespace Gateway.Core.Sessions;

/// <summary>
/// The relay: one pump per direction. A pump reads each frame's five-byte header; a frame that no hook wants is
/// copied straight from the receive buffer into the send buffer, in pieces as it arrives, without ever being
/// buffered whole. Only frames a hook (or the relay itself) inspects are framed completely.
/// </summary>
public sealed partial class PgSession
{
    /// <summary>Inspected frames up to this size wait in the transport until whole; larger ones are assembled in a pooled buffer.</summary>
    private const int InPipeFrameLimit = TransportPipeOptions.InPipeFrameLimit;

    /// <summary>Server messages the relay itself reads: errors, to tell a FATAL end from a plain disconnect.</summary>
    private static readonly PgMessageCodeSet RelayBackendCodes = PgMessageCodeSet.Of(BackendCode.ErrorResponse);

    private IPgMessageHook[] _hooks = [];

    /// <summary>Each hook as <see cref="IPgContiguousMessageHook"/>, or null, by index into <see cref="_hooks"/>.</summary>
    private IPgContiguousMessageHook?[] _contiguousHooks = [];

    /// <summary>Per side (indexed by <see cref="PgSide"/>): the last hook's straight-to-the-wire output.</summary>
    private readonly CheckedFrameWriter?[] _directWriters = new CheckedFrameWriter?[2];
    private PgMessageCodeSet _frontendCodes;
    private PgMessageCodeSet _backendCodes;
    private PooledBufferWriter[] _hookBuffers = [];
    private LargeFrame _clientLargeFrame;
    private LargeFrame _serverLargeFrame;
    private readonly Lock _stopLock = new();
    private bool _pipesCompleted;
    private volatile bool _clientFlushPending;
    private volatile bool _upstreamFlushPending;
    private bool _clientSendInterrupted;
    private bool _upstreamSendInterrupted;
    private volatile bool _upstreamIdle = true;
    private bool _serverSentFatal;
    private IPgSessionRecorder? _recorder;
    private RecordingPipeWriter? _clientRecordingOutput;
    private CancellationTokenSource? _recorderStop;

    /// <summary>The client's output: through the recording tee once the session is open with a recorder.</summary>
    private PipeWriter ClientOutput => _clientRecordingOutput ?? _client.Output;

    private readonly record struct PumpResult(CloseReason Reason, bool AtBoundary, string Detail);

    private void InitializeHooks(IReadOnlyList<IPgMessageHook> hooks)
    {
        _hooks = [.. hooks];
        _contiguousHooks = [.. _hooks.Select(hook => hook as IPgContiguousMessageHook)];
        _frontendCodes = PgMessageCodeSet.Empty;
        _backendCodes = RelayBackendCodes;
        foreach (IPgMessageHook hook in _hooks)
        {
            _frontendCodes = _frontendCodes.Union(hook.FrontendCodes);
            _backendCodes = _backendCodes.Union(hook.BackendCodes);
        }

        // One replacement buffer per hook and direction: the two pumps run concurrently.
        _hookBuffers = new PooledBufferWriter[_hooks.Length * 2];
    }

    /// <summary>After both pumps have stopped: returns the hooks' buffers and disposes the hooks that hold resources.</summary>
    private void ReleaseHooks()
    {
        foreach (PooledBufferWriter? buffer in _hookBuffers)
        {
            buffer?.Dispose();
        }

        foreach (IPgMessageHook hook in _hooks)
        {
            (hook as IDisposable)?.Dispose();
        }

        _clientLargeFrame.Release();
        _serverLargeFrame.Release();
    }

    private async Task RelayAsync()
    {
        Task<PumpResult> fromClient = PumpAsync(PgSide.Frontend);
        Task<PumpResult> fromServer = PumpAsync(PgSide.Backend);
        PumpResult first = await (await Task.WhenAny(fromClient, fromServer).ConfigureAwait(false)).ConfigureAwait(false);
        if (first.Reason != CloseReason.None && SetCloseReason(first.Reason, first.Detail))
        {
            if (first.Reason is CloseReason.ClientProtocolViolation or CloseReason.ServerProtocolViolation or CloseReason.MessageTooLarge or CloseReason.InternalError)
            {
                Log.ProtocolViolation(_gateway.Logger, Id, first.Reason, first.Detail);
            }
        }

        StopPumps();
        try
        {
            await Task.WhenAll(fromClient, fromServer).WaitAsync(FinalFlushTimeout, _gateway.TimeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A pump is stuck flushing to a peer that does not read: interrupt the flush; the session ends regardless.
            InterruptFlushes();
        }

        PumpResult client = await fromClient.ConfigureAwait(false);
        PumpResult server = await fromServer.ConfigureAwait(false);

        // Only the server pump writes to the client while relaying; now that it has stopped, the client may be told
        // why its session ends, provided the pump stopped between two messages and no send was cut off midway (an
        // interrupted send may have left part of a message, or of a TLS record, on the wire).
        string? message = ClientMessageFor(CloseReason);
        if (message is not null && server.AtBoundary && !_clientSendInterrupted)
        {
            await TryWriteClientErrorAsync(ClientSqlStateFor(CloseReason), message).ConfigureAwait(false);
        }

        if (client.AtBoundary && !_upstreamSendInterrupted && CloseReason is not (CloseReason.ClientTerminate or CloseReason.ServerEndOfStream
            or CloseReason.ServerFatalError or CloseReason.ServerConnectionError))
        {
            await TryWriteUpstreamTerminateAsync().ConfigureAwait(false);
        }
    }

    private void InitializeRecorder(IPgSessionRecorder? recorder)
    {
        if (recorder is null)
        {
            return;
        }

        _recorder = recorder;
        _recorderStop = new CancellationTokenSource();
        _clientRecordingOutput = new RecordingPipeWriter(_client.Output, recorder);
    }

    private async Task<PumpResult> PumpAsync(PgSide side)
    {
        PipeReader input = side == PgSide.Frontend ? _client.Input : _upstream!.Input;
        PipeWriter output = side == PgSide.Frontend ? _upstream!.Output : ClientOutput;
        IPgSessionRecorder? recorder = _recorder;
        long remaining = 0;
        try
        {
            while (true)
            {
                ReadResult result = await input.ReadAsync().ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                if (recorder is not null && !buffer.IsEmpty)
                {
                    // Before this read is relayed: a recorder that lags makes the session wait (the bytes stay in the
                    // transport), and one that has failed lets nothing more through.
                    ValueTask<bool> capacity = recorder.WaitForCapacityAsync(_recorderStop!.Token);
                    if (!(capacity.IsCompletedSuccessfully ? capacity.Result : await capacity.ConfigureAwait(false)))
                    {
                        input.AdvanceTo(buffer.Start);
                        return new PumpResult(CloseReason.RecordingFailed, remaining == 0 && LargeFrameFor(side).IsEmpty, "the session recording failed");
                    }
                }

                long received = buffer.Length;
                CloseReason reason = Process(side, ref buffer, output, ref remaining);
                Count(side, received - buffer.Length);
                if (recorder is not null && side == PgSide.Frontend && received != buffer.Length)
                {
                    RecordConsumed(recorder, result.Buffer.Slice(0, buffer.Start));
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                if (reason != CloseReason.None)
                {
                    await output.FlushAsync().ConfigureAwait(false);
                    return new PumpResult(reason, remaining == 0, EndDetail(reason));
                }

                if (result.IsCanceled || _terminating)
                {
                    return new PumpResult(CloseReason.None, remaining == 0 && LargeFrameFor(side).IsEmpty, "stopped");
                }

                if (result.IsCompleted)
                {
                    return EndOfStream(side, remaining == 0 && buffer.IsEmpty && LargeFrameFor(side).IsEmpty);
                }

                ValueTask<FlushResult> flush = output.FlushAsync();
                FlushResult flushed = flush.IsCompletedSuccessfully ? flush.Result : await AwaitFlushAsync(side, flush).ConfigureAwait(false);
                if (flushed.IsCompleted)
                {
                    CloseReason peerGone = side == PgSide.Frontend ? CloseReason.ServerConnectionError : CloseReason.ClientConnectionError;
                    return new PumpResult(peerGone, false, side == PgSide.Frontend ? "the server connection closed" : "the client connection closed");
                }

                if (flushed.IsCanceled)
                {
                    return new PumpResult(CloseReason.None, remaining == 0 && LargeFrameFor(side).IsEmpty, "stopped");
                }
            }
        }
        catch (OperationCanceledException) when (_recorderStop?.IsCancellationRequested == true)
        {
            // Stopped while waiting for the recorder to catch up.
            return new PumpResult(CloseReason.None, remaining == 0 && LargeFrameFor(side).IsEmpty, "stopped");
        }
        catch (PgProtocolException violation)
        {
            CloseReason reason = side == PgSide.Backend ? CloseReason.ServerProtocolViolation
                : violation.MessageTooLarge ? CloseReason.MessageTooLarge : CloseReason.ClientProtocolViolation;
            return new PumpResult(reason, remaining == 0, violation.Message);
        }
        catch (Exception exception) when (TransportErrors.IsConnectionError(exception))
        {
            CloseReason reason = side == PgSide.Frontend ? CloseReason.ClientConnectionError : CloseReason.ServerConnectionError;
            return new PumpResult(reason, remaining == 0, exception.GetType().Name);
        }
#pragma warning disable CA1031 // A failing hook must end the session with a reason, not crash the gateway; only the type is logged.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Log.SessionFailed(_gateway.Logger, Id, exception.GetType().Name);
            return new PumpResult(CloseReason.InternalError, remaining == 0, "unexpected " + exception.GetType().Name);
        }
    }

    /// <summary>
    /// Relays every frame in <paramref name="buffer"/> and advances it past what was consumed. Returns a reason when
    /// the session must end (Terminate), otherwise <see cref="CloseReason.None"/>.
    /// </summary>
    private CloseReason Process(PgSide side, ref ReadOnlySequence<byte> buffer, PipeWriter output, ref long remaining)
    {
        PgMessageCodeSet inspected = side == PgSide.Frontend ? _frontendCodes : _backendCodes;
        ref LargeFrame large = ref side == PgSide.Frontend ? ref _clientLargeFrame : ref _serverLargeFrame;
        int maxMessageSize = Options.MaxMessageSize;
        while (true)
        {
            if (remaining > 0)
            {
                if (buffer.IsEmpty)
                {
                    return CloseReason.None;
                }

                long take = Math.Min(remaining, buffer.Length);
                Copy(buffer.Slice(0, take), output);
                buffer = buffer.Slice(take);
                remaining -= take;
                if (remaining > 0)
                {
                    return CloseReason.None;
                }
            }

            if (!large.IsEmpty)
            {
                if (!large.Append(ref buffer))
                {
                    return CloseReason.None;
                }

                HandleFrame(side, large.Code, large.Frame, output);
                large.Release();
            }

            if (_terminating)
            {
                return CloseReason.None;
            }

            if (ForwardRun(side, ref buffer, output, inspected, maxMessageSize, ref remaining))
            {
                continue;
            }

            // The general path: a header split across segments, a frame a hook inspects, Terminate, or a violation.
            if (!PgFrameReader.TryReadHeader(buffer, side, maxMessageSize, out byte code, out int length))
            {
                return CloseReason.None;
            }

            long frameLength = length + 1L;
            bool isInspected = inspected.Contains(code);
            if (isInspected && buffer.Length < frameLength)
            {
                if (frameLength <= InPipeFrameLimit)
                {
                    return CloseReason.None;
                }

                Account(side, code);
                large.Start(code, (int)frameLength);
                large.Append(ref buffer);
                return CloseReason.None;
            }

            CloseReason end = Account(side, code);
            if (end != CloseReason.None)
            {
                // Terminate: fixed length, so the five header bytes are the whole frame.
                Copy(buffer.Slice(0, frameLength), output);
                buffer = buffer.Slice(frameLength);
                return end;
            }

            if (!isInspected)
            {
                remaining = frameLength;
                continue;
            }

            HandleFrame(side, code, buffer.Slice(0, frameLength), output);
            buffer = buffer.Slice(frameLength);
        }
    }

    /// <summary>
    /// The hot path: walks the headers of consecutive frames inside the first span, validating each. Frames that need
    /// nothing but forwarding are forwarded a whole run at a time, with one write; a frame a hook inspects that lies
    /// whole in the span is handed to the hooks right there, as a slice of the span's memory, without slicing the
    /// sequence per frame. A forwarded frame cut by the span's end is forwarded up to there and the rest left to
    /// <paramref name="remaining"/>. Returns false, having consumed nothing, when the first frame needs the general path
    /// (an inspected frame cut by the span's end, Terminate, a login message, or a header split across segments).
    /// </summary>
    private bool ForwardRun(PgSide side, ref ReadOnlySequence<byte> buffer, PipeWriter output, PgMessageCodeSet inspected, int maxMessageSize, ref long remaining)
    {
        ReadOnlyMemory<byte> first = buffer.First;
        ReadOnlySpan<byte> span = first.Span;
        int offset = 0;
        int run = 0;
        long cut = 0;
        while (span.Length - offset >= PgFrameReader.HeaderLength)
        {
            byte code = span[offset];
            int length = BinaryPrimitives.ReadInt32BigEndian(span.Slice(offset + 1));
            PgFrameReader.Validate(side, code, length, maxMessageSize);
            if (NeedsGeneralPath(side, code))
            {
                break;
            }

            long frameLength = length + 1L;
            int available = span.Length - offset;
            if (inspected.Contains(code))
            {
                if (frameLength > available || _terminating)
                {
                    break;
                }

                if (offset > run)
                {
                    output.Write(span.Slice(run, offset - run));
                }

                Account(side, code);
                HandleFrame(side, code, first.Slice(offset, (int)frameLength), output);
                offset += (int)frameLength;
                run = offset;
                continue;
            }

            Account(side, code);
            if (frameLength > available)
            {
                cut = frameLength - available;
                offset = span.Length;
                break;
            }

            offset += (int)frameLength;
        }

        if (offset == 0)
        {
            return false;
        }

        if (offset > run)
        {
            output.Write(span.Slice(run, offset - run));
        }

        buffer = buffer.Slice(offset);
        remaining = cut;
        return true;
    }

    /// <summary>Terminate ends the session; login-only server messages are violations once logged in.</summary>
    private static bool NeedsGeneralPath(PgSide side, byte code)
        => side == PgSide.Frontend
            ? code == (byte)FrontendCode.Terminate
            : code is (byte)BackendCode.BackendKeyData or (byte)BackendCode.Authentication or (byte)BackendCode.NegotiateProtocolVersion;

    /// <summary>
    /// Bookkeeping for a frame the pump has committed to (once per frame): statement counts, whether the server is
    /// idle, and the checks that end the session.
    /// </summary>
    private CloseReason Account(PgSide side, byte code)
    {
        if (side == PgSide.Frontend)
        {
            _upstreamIdle = false;
            if (code is (byte)FrontendCode.Query or (byte)FrontendCode.Execute or (byte)FrontendCode.FunctionCall)
            {
                Statements++;
            }

            if (code == (byte)FrontendCode.Terminate)
            {
                // Recorded now, before the server acts on it: its closing the connection is a consequence.
                SetCloseReason(CloseReason.ClientTerminate, "the client sent Terminate");
                return CloseReason.ClientTerminate;
            }

            return CloseReason.None;
        }

        if (code == (byte)BackendCode.DataRow)
        {
            RowsReturned++;
        }
        else if (code == (byte)BackendCode.ReadyForQuery)
        {
            _upstreamIdle = true;
        }
        else if (NeedsGeneralPath(side, code))
        {
            // Only valid during login. A BackendKeyData here would hand the client the upstream's real key.
            ThrowHelper.ThrowProtocolViolation($"server sent login message '{PgFormat.Code(code)}' after login");
        }

        return CloseReason.None;
    }

    /// <summary>
    /// Runs the relay's own checks and the hooks over one whole frame (header included). A frame split across the
    /// transport's buffers (a small share of DataRows, and frames assembled by the general path) is first copied into
    /// one pooled buffer: every hook would otherwise make it contiguous itself.
    /// </summary>
    private void HandleFrame(PgSide side, byte code, ReadOnlySequence<byte> frame, PipeWriter output)
    {
        if (frame.IsSingleSegment)
        {
            HandleFrame(side, code, frame.First, output);
            return;
        }

        int length = checked((int)frame.Length);
        byte[] rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            frame.CopyTo(rented);
            HandleFrame(side, code, rented.AsMemory(0, length), output);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary><see cref="HandleFrame(PgSide, byte, ReadOnlySequence{byte}, PipeWriter)"/> for a frame in one piece of memory.</summary>
    private void HandleFrame(PgSide side, byte code, ReadOnlyMemory<byte> frame, PipeWriter output)
    {
        if (side == PgSide.Backend && code == (byte)BackendCode.ErrorResponse)
        {
            ErrorResponse.Parse(frame.Span.Slice(PgFrameReader.HeaderLength), out ReadOnlySpan<byte> severity, out _);
            _serverSentFatal |= ErrorResponse.IsFatal(severity);
        }

        RunHooks(side, code, frame, output, 0);
    }

    /// <summary>The hooks from <paramref name="first"/> on over a frame in one piece of memory.</summary>
    private void RunHooks(PgSide side, byte code, ReadOnlyMemory<byte> frame, PipeWriter output, int first)
    {
        for (int i = first; i < _hooks.Length; i++)
        {
            IPgMessageHook hook = _hooks[i];
            if (!(side == PgSide.Frontend ? hook.FrontendCodes : hook.BackendCodes).Contains(code))
            {
                continue;
            }

            ReadOnlyMemory<byte> payload = frame.Slice(PgFrameReader.HeaderLength);
            IPgContiguousMessageHook? contiguous = _contiguousHooks[i];
            if (contiguous is not null && !WantedAfter(i, side, code))
            {
                // The last hook to see this message: its replacement goes straight to the wire (checked on the way).
                CheckedFrameWriter direct = _directWriters[(int)side] ??= new CheckedFrameWriter();
                direct.Start(output, side, Options.MaxMessageSize);
                if (contiguous.OnMessage(side, code, payload, direct) == PgHookAction.Replace)
                {
                    return;
                }

                if (direct.Wrote)
                {
                    throw new InvalidOperationException("a message hook wrote a replacement and asked for the original to be forwarded");
                }

                continue;
            }

            PooledBufferWriter replacement = ReplacementBuffer(i, side);
            PgHookAction action = contiguous is not null
                ? contiguous.OnMessage(side, code, payload, replacement)
                : hook.OnMessage(new PgMessage(side, code, new ReadOnlySequence<byte>(payload)), replacement);
            if (action == PgHookAction.Forward)
            {
                continue;
            }

            RunHooksOnReplacement(side, replacement, output, i);
            return;
        }

        output.Write(frame.Span);
    }

    /// <summary>Whether a hook after <paramref name="hook"/> inspects this message type.</summary>
    private bool WantedAfter(int hook, PgSide side, byte code)
    {
        for (int i = hook + 1; i < _hooks.Length; i++)
        {
            if ((side == PgSide.Frontend ? _hooks[i].FrontendCodes : _hooks[i].BackendCodes).Contains(code))
            {
                return true;
            }
        }

        return false;
    }

    private PooledBufferWriter ReplacementBuffer(int hook, PgSide side)
    {
        PooledBufferWriter replacement = _hookBuffers[(hook * 2) + (side == PgSide.Frontend ? 0 : 1)] ??= new PooledBufferWriter();
        replacement.Reset();
        return replacement;
    }

    /// <summary>
    /// The replacement hook <paramref name="replacedBy"/> wrote is re-framed and checked like input from a peer before
    /// the next hook or the wire sees it: a hook that miscounts a length must not be able to smuggle bytes.
    /// </summary>
    private void RunHooksOnReplacement(PgSide side, PooledBufferWriter replacement, PipeWriter output, int replacedBy)
    {
        ReadOnlyMemory<byte> rewritten = replacement.WrittenMemory;
        int position = 0;
        while (position < rewritten.Length)
        {
            int length = CheckedFrameWriter.FrameLength(rewritten.Span.Slice(position), side, Options.MaxMessageSize);
            ReadOnlyMemory<byte> frame = rewritten.Slice(position, length);
            RunHooks(side, frame.Span[0], frame, output, replacedBy + 1);
            position += length;
        }
    }

    private static void RecordConsumed(IPgSessionRecorder recorder, in ReadOnlySequence<byte> consumed)
    {
        if (consumed.IsSingleSegment)
        {
            recorder.Record(PgSide.Frontend, consumed.FirstSpan);
            return;
        }

        foreach (ReadOnlyMemory<byte> segment in consumed)
        {
            recorder.Record(PgSide.Frontend, segment.Span);
        }
    }

    private static void Copy(in ReadOnlySequence<byte> source, PipeWriter output)
    {
        if (source.IsSingleSegment)
        {
            output.Write(source.FirstSpan);
            return;
        }

        foreach (ReadOnlyMemory<byte> segment in source)
        {
            output.Write(segment.Span);
        }
    }

    private void Count(PgSide side, long bytes)
    {
        if (side == PgSide.Frontend)
        {
            BytesFromClient += bytes;
        }
        else
        {
            BytesFromServer += bytes;
        }
    }

    private ref LargeFrame LargeFrameFor(PgSide side) => ref side == PgSide.Frontend ? ref _clientLargeFrame : ref _serverLargeFrame;

    private PumpResult EndOfStream(PgSide side, bool atBoundary)
    {
        if (side == PgSide.Frontend)
        {
            return new PumpResult(CloseReason.ClientEndOfStream, atBoundary,
                atBoundary ? "the client closed the connection" : "the client closed the connection in the middle of a message");
        }

        // A server that vanishes mid-message must not look like a short but complete result: the client is told.
        return new PumpResult(_serverSentFatal ? CloseReason.ServerFatalError : CloseReason.ServerEndOfStream, atBoundary,
            atBoundary ? "the server closed the connection" : "the server closed the connection in the middle of a message");
    }

    private static string EndDetail(CloseReason reason)
        => reason == CloseReason.ClientTerminate ? "the client sent Terminate" : reason.ToString();

    private string? ClientMessageFor(CloseReason reason) => reason switch
    {
        CloseReason.GrantExpired or CloseReason.GrantRevoked or CloseReason.TerminatedByHost or CloseReason.Shutdown
            => _terminationMessage,
        CloseReason.ClientProtocolViolation => "invalid message from the client: " + _closeDetail,
        CloseReason.MessageTooLarge => "message from the client exceeds the gateway's maximum message size",
        CloseReason.ServerProtocolViolation => "the upstream server sent an invalid message; the session was closed",
        CloseReason.ServerEndOfStream or CloseReason.ServerConnectionError => "the connection to the upstream server was lost",
        CloseReason.InternalError => "the gateway ended the session after an internal error",
        CloseReason.RecordingFailed => "session recording failed",
        _ => null,
    };

    private static string ClientSqlStateFor(CloseReason reason) => reason switch
    {
        CloseReason.ClientProtocolViolation => SqlState.ProtocolViolation,
        CloseReason.MessageTooLarge => SqlState.ProgramLimitExceeded,
        CloseReason.RecordingFailed => SqlState.IoError,
        CloseReason.GrantExpired or CloseReason.GrantRevoked or CloseReason.TerminatedByHost or CloseReason.Shutdown => SqlState.AdminShutdown,
        _ => SqlState.ConnectionFailure,
    };

    private async ValueTask TryWriteUpstreamTerminateAsync()
    {
        try
        {
            PgMessageWriter.WriteTerminate(_upstream!.Output);
            await FlushWithinAsync(_upstream.Output).ConfigureAwait(false);
        }
        catch (Exception exception) when (TransportErrors.IsConnectionError(exception) || exception is InvalidOperationException or OperationCanceledException)
        {
            // The server is already gone.
        }
    }

    /// <summary>
    /// Wakes both pumps waiting for input so that they return. Safe from any thread and at any time, including while
    /// the session is completing its pipes. A pump in the middle of a send is left to finish it (see
    /// <see cref="InterruptFlushes"/>).
    /// </summary>
    private void StopPumps()
    {
        lock (_stopLock)
        {
            if (_pipesCompleted)
            {
                return;
            }

            Wake(_client);
            if (_upstream is not null)
            {
                Wake(_upstream);
            }

            _recorderStop?.Cancel();
        }
    }

    /// <summary>Cuts off sends still pending after the pumps were asked to stop, and remembers that it did.</summary>
    private void InterruptFlushes()
    {
        lock (_stopLock)
        {
            if (_pipesCompleted)
            {
                return;
            }

            if (_clientFlushPending)
            {
                _clientSendInterrupted = true;
                CancelFlush(_client.Output);
            }

            if (_upstreamFlushPending && _upstream is not null)
            {
                _upstreamSendInterrupted = true;
                CancelFlush(_upstream.Output);
            }
        }
    }

    /// <summary>Awaits a send that did not complete at once, marking it pending so that termination can interrupt it.</summary>
    private async ValueTask<FlushResult> AwaitFlushAsync(PgSide side, ValueTask<FlushResult> flush)
    {
        SetFlushPending(side, true);
        try
        {
            return await flush.ConfigureAwait(false);
        }
        finally
        {
            SetFlushPending(side, false);
        }
    }

    private void SetFlushPending(PgSide side, bool pending)
    {
        if (side == PgSide.Frontend)
        {
            _upstreamFlushPending = pending;
        }
        else
        {
            _clientFlushPending = pending;
        }
    }

    private static void CancelFlush(PipeWriter output)
    {
        try
        {
            output.CancelPendingFlush();
        }
        catch (ObjectDisposedException)
        {
            // A stream-backed writer disposes its cancellation source as a cancelled flush completes.
        }
    }

    private static void Wake(IDuplexPipe pipe)
    {
        try
        {
            pipe.Input.CancelPendingRead();
        }
        catch (ObjectDisposedException)
        {
            // A stream-backed reader disposes its cancellation source as a cancelled read completes; racing with
            // that means the pump is already awake.
        }
    }
}
