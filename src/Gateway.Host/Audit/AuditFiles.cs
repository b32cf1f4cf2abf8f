using System.Globalization;

namespace Gateway.Host.Audit;

/// <summary>The names in a log directory and the file operations the log and its verifier share.</summary>
internal static class AuditFiles
{
    public const string Manifest = "log.json";
    public const string Checkpoints = "checkpoints.log";
    public const string SigningKey = "audit-signing-key.pem";
    public const string PublicKey = "audit-public-key.pem";
    public const string Lock = "audit.lock";
    public const string QuarantinePattern = "quarantine-*.bin";
    private const string SegmentPrefix = "audit-";
    private const string SegmentSuffix = ".log";

    public static string SegmentName(int number) => $"{SegmentPrefix}{number:D6}{SegmentSuffix}";

    /// <summary>The segments present, by number; gaps in the numbering are for the verifier to report.</summary>
    public static List<(int Number, string Path)> ListSegments(string directory)
    {
        var segments = new List<(int, string)>();
        foreach (string path in System.IO.Directory.EnumerateFiles(directory, SegmentPrefix + "*" + SegmentSuffix))
        {
            string name = Path.GetFileName(path);
            ReadOnlySpan<char> digits = name.AsSpan(SegmentPrefix.Length, name.Length - SegmentPrefix.Length - SegmentSuffix.Length);
            if (digits.Length == 6 && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int number) && number > 0)
            {
                segments.Add((number, path));
            }
        }

        segments.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return segments;
    }

    /// <summary>Opens a file for writing at its current end, creating it owner-readable only (and its name durable).</summary>
    public static Stream OpenWrite(string path)
    {
        bool creating = !File.Exists(path);
        var stream = new FileStream(path, OwnerOnly(new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.Write,
            Share = FileShare.Read,
            BufferSize = 0,
        }));
        stream.Seek(0, SeekOrigin.End);
        if (creating)
        {
            try
            {
                AuditDirectorySync.Sync(Path.GetDirectoryName(Path.GetFullPath(path))!);
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }

        return stream;
    }

    /// <summary>Makes files created with these options readable by their owner only (the log holds sensitive detail).</summary>
    public static FileStreamOptions OwnerOnly(FileStreamOptions options)
    {
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return options;
    }

    /// <summary>Flushes to the device (fsync), not just to the operating system.</summary>
    public static void FlushDurably(Stream stream)
    {
        if (stream is FileStream file)
        {
            file.Flush(flushToDisk: true);
        }
        else
        {
            stream.Flush();
        }
    }

    /// <summary>
    /// Finds where the last complete line of a file ends (just after its newline) and where that line starts, reading
    /// backwards so that opening a large segment reads only its tail. Both are 0 when the file has no complete line.
    /// </summary>
    public static (long LastLineStart, long WholeLength) FindLastLine(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 0);
        long length = file.Length;
        long wholeLength = FindNewlineBackwards(file, length);
        if (wholeLength == 0)
        {
            return (0, 0);
        }

        long lastLineStart = FindNewlineBackwards(file, wholeLength - 1);
        return (lastLineStart, wholeLength);
    }

    public static byte[] ReadRange(string path, long start, long end)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 0);
        byte[] bytes = new byte[checked((int)(end - start))];
        file.Position = start;
        file.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>
    /// Moves the bytes of a file past <paramref name="keepLength"/> into a new quarantine file (made durable first),
    /// then truncates the file. Returns the quarantine file's name and the number of bytes moved.
    /// </summary>
    public static (string? Name, long Bytes) Quarantine(Func<string, Stream> openWrite, string path, long keepLength, string label, DateTimeOffset now)
    {
        long length = new FileInfo(path).Length;
        if (length <= keepLength)
        {
            return (null, 0);
        }

        byte[] tail = ReadRange(path, keepLength, length);
        string name = $"quarantine-{label}-{now.UtcDateTime:yyyyMMdd'T'HHmmssfff'Z'}.bin";
        string directory = Path.GetDirectoryName(path)!;
        for (int attempt = 1; File.Exists(Path.Combine(directory, name)); attempt++)
        {
            name = $"quarantine-{label}-{now.UtcDateTime:yyyyMMdd'T'HHmmssfff'Z'}-{attempt}.bin";
        }

        string quarantinePath = Path.Combine(directory, name);
        try
        {
            using Stream quarantine = openWrite(quarantinePath);
            quarantine.Write(tail);
            FlushDurably(quarantine);
        }
        catch (IOException)
        {
            // A half-written quarantine file would pass for the whole tail; the bytes stay in place for the next try.
            File.Delete(quarantinePath);
            throw;
        }

        using (Stream file = openWrite(path))
        {
            file.SetLength(keepLength);
            FlushDurably(file);
        }

        return (name, tail.Length);
    }

    /// <summary>The offset just after the last newline before <paramref name="end"/>, or 0.</summary>
    private static long FindNewlineBackwards(FileStream file, long end)
    {
        byte[] chunk = new byte[64 * 1024];
        while (end > 0)
        {
            int count = (int)Math.Min(chunk.Length, end);
            file.Position = end - count;
            file.ReadExactly(chunk, 0, count);
            int index = chunk.AsSpan(0, count).LastIndexOf((byte)'\n');
            if (index >= 0)
            {
                return end - count + index + 1;
            }

            end -= count;
        }

        return 0;
    }
}
