using System.Security.Cryptography;

namespace Gateway.Host.Grants;

/// <summary>
/// The random identifiers the gateway hands out: a letter, an underscore and lower-case base32 characters (5 random
/// bits each). They are valid PostgreSQL user names and file names as they are.
/// </summary>
internal static class Base32Id
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string New(char prefix, int characters)
    {
        Span<byte> random = stackalloc byte[characters];
        RandomNumberGenerator.Fill(random);
        Span<char> id = stackalloc char[characters + 2];
        id[0] = prefix;
        id[1] = '_';
        for (int i = 0; i < characters; i++)
        {
            id[i + 2] = Alphabet[random[i] & 31];
        }

        return new string(id);
    }
}
