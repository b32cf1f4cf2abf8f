using System.Runtime.InteropServices;

namespace Gateway.Host.Audit;

/// <summary>
/// fsync on a directory, so that a newly created segment, checkpoint or quarantine file is still there after a power
/// loss (fsync on the file covers its data, not its name). .NET cannot open a directory as a file, hence libc.
/// </summary>
internal static partial class AuditDirectorySync
{
    private const int ReadOnlyDirectory = 0x10000; // O_RDONLY | O_DIRECTORY on Linux

    public static void Sync(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        int descriptor = Open(directory, ReadOnlyDirectory);
        if (descriptor < 0)
        {
            throw new IOException($"cannot open the audit directory to sync it (errno {Marshal.GetLastPInvokeError()})", Marshal.GetLastPInvokeError());
        }

        try
        {
            if (Fsync(descriptor) != 0)
            {
                throw new IOException($"cannot sync the audit directory (errno {Marshal.GetLastPInvokeError()})", Marshal.GetLastPInvokeError());
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int descriptor);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int descriptor);
}
