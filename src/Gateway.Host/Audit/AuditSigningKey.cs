using System.Security.Cryptography;

namespace Gateway.Host.Audit;

/// <summary>
/// The gateway's ECDSA P-256 checkpoint key, kept in <c>audit-signing-key.pem</c> (PKCS#8, mode 0600). Its id is the
/// SHA-256 of the public key's SubjectPublicKeyInfo. The private key is never logged or exported.
/// </summary>
internal sealed class AuditSigningKey : IDisposable
{
    private readonly ECDsa _key;

    private AuditSigningKey(ECDsa key)
    {
        _key = key;
        PublicKeyPem = key.ExportSubjectPublicKeyInfoPem();
        KeyId = KeyIdOf(key);
    }

    public string KeyId { get; }

    public string PublicKeyPem { get; }

    /// <summary>Loads the key file, or creates it (owner-only) when <paramref name="mayCreate"/> and it is absent.</summary>
    public static AuditSigningKey LoadOrCreate(string path, bool mayCreate)
    {
        var key = ECDsa.Create();
        try
        {
            if (File.Exists(path))
            {
                key.ImportFromPem(File.ReadAllText(path));
                if (key.KeySize != 256)
                {
                    throw new InvalidDataException($"{Path.GetFileName(path)} is not a P-256 key");
                }
            }
            else if (mayCreate)
            {
                key.GenerateKey(ECCurve.NamedCurves.nistP256);
                using var file = new FileStream(path, AuditFiles.OwnerOnly(new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write }));
                file.Write(System.Text.Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem()));
                file.Flush(flushToDisk: true);
                AuditDirectorySync.Sync(Path.GetDirectoryName(Path.GetFullPath(path))!);
            }
            else
            {
                throw new InvalidDataException($"the audit log exists but its signing key {Path.GetFileName(path)} is missing");
            }

            return new AuditSigningKey(key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    public static string KeyIdOf(ECDsa publicKey) => Convert.ToHexStringLower(SHA256.HashData(publicKey.ExportSubjectPublicKeyInfo()));

    /// <summary>IEEE P1363 (r || s) signature over SHA-256 of <paramref name="message"/>.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message) => _key.SignData(message, HashAlgorithmName.SHA256);

    public void Dispose() => _key.Dispose();
}
