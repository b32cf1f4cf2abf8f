using System.Security.Cryptography;
using System.Text;
using Gateway.Core.Authentication;

namespace Gateway.Core.Tests.Authentication;

public sealed class Md5PasswordTests
{
    [Fact]
    public void CreateResponse_KnownInput_GivesTheValueComputedOutsideDotNet()
    {
        // python3: "md5" + md5(md5(b"penciluser").hexdigest().encode() + bytes([1, 2, 3, 4])).hexdigest()
        byte[] response = Md5Password.CreateResponse("pencil"u8, "user", [1, 2, 3, 4]);

        Assert.Equal("md54376eb6913b38f9aaff38dc7cf19ca76\0", Encoding.ASCII.GetString(response));
    }

    [Theory]
    [InlineData("secret", "alice", new byte[] { 0xDE, 0xAD, 0xBE, 0xEF })]
    [InlineData("pässwörd", "bénédicte", new byte[] { 0, 0, 0, 0 })]
    [InlineData("", "u", new byte[] { 0xFF, 0x00, 0x7F, 0x80 })]
    public void CreateResponse_AnyInput_IsMd5HexOfMd5HexOfPasswordAndUserThenSalt(string password, string user, byte[] salt)
    {
        byte[] response = Md5Password.CreateResponse(Encoding.UTF8.GetBytes(password), user, salt);

        Assert.Equal("md5" + Expected(password, user, salt) + "\0", Encoding.ASCII.GetString(response));
        Assert.Equal(36, response.Length);
    }

#pragma warning disable CA5351 // The test recomputes the MD5 scheme PostgreSQL defines.
    private static string Expected(string password, string user, byte[] salt)
    {
        string inner = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(password + user)));
        return Convert.ToHexStringLower(MD5.HashData([.. Encoding.ASCII.GetBytes(inner), .. salt]));
    }
#pragma warning restore CA5351
}
