using System.CommandLine;
using Gateway.Host.Identities;

namespace Gateway.Host.Commands;

/// <summary>
/// <c>gateway apikey</c>: makes a new API key and prints it with the hash that goes into the configuration. The key
/// is shown here once and stored nowhere.
/// </summary>
internal static class ApiKeyCommand
{
    public static Command Create()
    {
        var command = new Command("apikey", "Create an API key for an identity: prints the key (give it to its owner) and its hash (put it in the configuration)");
        command.SetAction(_ =>
        {
            string key = ApiKey.Create();
            Console.WriteLine($"key:  {key}");
            Console.WriteLine($"hash: {ApiKey.Hash(key)}");
            return 0;
        });
        return command;
    }
}
