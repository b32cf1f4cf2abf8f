using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Testing;

/// <summary>A throwaway CA and a server certificate for localhost / 127.0.0.1 signed by it, as PEM files.</summary>
public sealed class TestCertificates
{
    private TestCertificates(X509Certificate2 authority, X509Certificate2 server, string directory)
    {
        Authority = authority;
        Server = server;
        Directory = directory;
    }

    public X509Certificate2 Authority { get; }

    /// <summary>The server certificate with its private key.</summary>
    public X509Certificate2 Server { get; }

    public string Directory { get; }

    public string AuthorityPemPath => Path.Combine(Directory, "ca.crt");

    public string ServerCertificatePemPath => Path.Combine(Directory, "server.crt");

    public string ServerKeyPemPath => Path.Combine(Directory, "server.key");

    public static TestCertificates Create(string directory, string commonName = "localhost")
    {
        using ECDsa authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var authorityRequest = new CertificateRequest("CN=GatewayCore Test CA", authorityKey, HashAlgorithmName.SHA256);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        X509Certificate2 authority = authorityRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));

        ECDsa serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest($"CN={commonName}", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(commonName);
        names.AddIpAddress(IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using X509Certificate2 serverPublic = serverRequest.Create(authority, now.AddDays(-1), now.AddYears(1), RandomNumberGenerator.GetBytes(16));
        X509Certificate2 server = serverPublic.CopyWithPrivateKey(serverKey);

        System.IO.Directory.CreateDirectory(directory);
        var certificates = new TestCertificates(authority, server, directory);
        File.WriteAllText(certificates.AuthorityPemPath, authority.ExportCertificatePem());
        File.WriteAllText(certificates.ServerCertificatePemPath, server.ExportCertificatePem());
        File.WriteAllText(certificates.ServerKeyPemPath, serverKey.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(certificates.ServerKeyPemPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return certificates;
    }
}
