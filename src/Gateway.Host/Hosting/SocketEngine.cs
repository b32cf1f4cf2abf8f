using System.Globalization;
using Gateway.Host.Configuration;

namespace Gateway.Host.Hosting;

/// <summary>
/// Configures .NET's socket engine before the first socket exists (it reads these once). With inline completions
/// a received message is relayed and sent on the epoll thread that saw it: no thread-pool hop and no spinning
/// worker per message, which on a small machine is most of a proxy's cost (docs/benchmarks.md has the figures).
/// Values already set in the environment win, so an operator can always override them.
/// </summary>
internal static class SocketEngine
{
    public static void Configure(IoConfiguration io)
    {
        SetDefault("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", io.InlineCompletions ? "1" : "0");
        int threads = io.Threads ?? Math.Max(1, Environment.ProcessorCount / 2);
        SetDefault("DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT", threads.ToString(CultureInfo.InvariantCulture));
    }

    private static void SetDefault(string name, string value)
    {
        if (Environment.GetEnvironmentVariable(name) is null)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}
