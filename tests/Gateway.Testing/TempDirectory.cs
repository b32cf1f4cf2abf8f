namespace Gateway.Testing;

/// <summary>
/// A fresh directory under the system temp directory (<c>/tmp/&lt;prefix&gt;XXXXXX</c>) that <see cref="Dispose"/> deletes
/// with everything in it, so that a test run leaves nothing behind. Dispose it only after whatever writes into it (a
/// store, a host, a child process) has stopped.
/// </summary>
public sealed class TempDirectory : IDisposable
{
    private const int Attempts = 5;

    private TempDirectory(string path) => Path = path;

    public string Path { get; }

    public static TempDirectory Create(string prefix) => new(Directory.CreateTempSubdirectory(prefix).FullName);

    public void Dispose() => Delete(Path);

    /// <summary>
    /// Deletes <paramref name="path"/> recursively; a directory that is already gone is fine. A file created while the
    /// delete walks the tree (a SQLite journal, a log closing) makes it fail with "directory not empty": it is tried
    /// again at once a few times, and a leftover after that is tolerated rather than failing the test that has run.
    /// </summary>
    public static void Delete(string path)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                Directory.Delete(path, recursive: true);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                if (attempt == Attempts)
                {
                    return;
                }
            }
        }
    }
}
