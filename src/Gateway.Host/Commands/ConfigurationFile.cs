using Gateway.Host.Configuration;

namespace Gateway.Host.Commands;

/// <summary>The <c>--config</c> file of the commands that read one, loaded and reported the same way for each.</summary>
internal static class ConfigurationFile
{
    /// <summary>The configuration, or null after printing what is wrong with it as <c>gateway: …</c> (the command then exits with 2).</summary>
    public static async Task<LoadedConfiguration?> LoadAsync(FileInfo file)
    {
        try
        {
            return GatewayConfigurationLoader.Load(file.FullName);
        }
        catch (ConfigurationException exception)
        {
            await Console.Error.WriteLineAsync("gateway: " + exception.Message);
            return null;
        }
    }
}
