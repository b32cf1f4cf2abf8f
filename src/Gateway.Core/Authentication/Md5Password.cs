using System.Security.Cryptography;
using System.Text;

namespace Gateway.Core.Authentication;

/// <summary>PostgreSQL's MD5 password response: "md5" + md5hex(md5hex(password + user) + salt), NUL-terminated.</summary>
internal static class Md5Password
{
    public static byte[] CreateResponse(ReadOnlySpan<byte> password, string user, ReadOnlySpan<byte> salt)
    {
        byte[] userBytes = Encoding.UTF8.GetBytes(user);
        byte[] inner = new byte[password.Length + userBytes.Length];
        password.CopyTo(inner);
        userBytes.CopyTo(inner.AsSpan(password.Length));
#pragma warning disable CA5351 // MD5 is what the upstream asked for; the gateway never offers it to clients.
        string innerHex = Convert.ToHexStringLower(MD5.HashData(inner));
        byte[] outer = new byte[32 + salt.Length];
        Encoding.ASCII.GetBytes(innerHex, outer);
        salt.CopyTo(outer.AsSpan(32));
        string outerHex = Convert.ToHexStringLower(MD5.HashData(outer));
#pragma warning restore CA5351
        CryptographicOperations.ZeroMemory(inner);
        return Encoding.ASCII.GetBytes("md5" + outerHex + "\0");
    }
}
