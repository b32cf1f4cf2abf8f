using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Gateway.Core.Masking;

namespace Gateway.Core.Tests.Masking;

/// <summary>
/// The vector classification reads a value's last partial 64-byte block with a masked load. A value that ends where
/// readable memory ends must be scanned without touching the next page: here that page is mapped with no access, so
/// a load that reached into it would kill the test process.
/// </summary>
public sealed partial class ContentScannerTests
{
    private const int PageSize = 4096;

    [Fact]
    public void Scan_ValueEndingAtAnInaccessiblePage_ReadsNothingPastItsEnd()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "uses mmap and mprotect");
        var scanner = new ContentScanner(ContentDetectors.All, []);
        byte[] text = Encoding.UTF8.GetBytes(
            "call 555-123-4567 or mail jane.doe@example.com, card 4111 1111 1111 1111, ab12cd 9e107d9d372bb682 DE89 3704 0044 0532 0130 00 " +
            "AKIAIOSFODNN7EXAMPLE password=hunter2 +44 20 7946 0958 ssn 123-45-6789 1234 Main Street");
        nint region = Mmap(0, 2 * PageSize, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
        Assert.NotEqual(-1, region);
        try
        {
            Assert.Equal(0, Mprotect(region + PageSize, PageSize, ProtNone));
            Span<byte> page = MemoryMarshal.CreateSpan(ref Unsafe.AddByteOffset(ref Unsafe.NullRef<byte>(), region), PageSize);
            var atPageEnd = new DetectorMatch[MaskingScratch.MaxMatches];
            var inArray = new DetectorMatch[MaskingScratch.MaxMatches];
            for (int length = 1; length <= text.Length; length++)
            {
                ReadOnlySpan<byte> value = text.AsSpan(text.Length - length);
                Span<byte> placed = page.Slice(PageSize - length);
                value.CopyTo(placed);
                foreach (ScanPass pass in (ScanPass[])[ScanPass.Indexed, ScanPass.Auto])
                {
                    int found = scanner.Scan(placed, atPageEnd, pass);
                    int expected = scanner.Scan(value.ToArray(), inArray, ScanPass.Sequential);
                    Assert.Equal(expected, found);
                    Assert.True(atPageEnd.AsSpan(0, found).SequenceEqual(inArray.AsSpan(0, expected)), $"{pass}, last {length} bytes");
                }
            }
        }
        finally
        {
            Assert.Equal(0, Munmap(region, 2 * PageSize));
        }
    }

    private const int ProtNone = 0;
    private const int ProtRead = 1;
    private const int ProtWrite = 2;
    private const int MapPrivate = 0x02;
    private const int MapAnonymous = 0x20;

    [DllImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static extern nint Mmap(nint address, nuint length, int protection, int flags, int descriptor, nint offset);

    [DllImport("libc", EntryPoint = "mprotect", SetLastError = true)]
    private static extern int Mprotect(nint address, nuint length, int protection);

    [DllImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static extern int Munmap(nint address, nuint length);
}
