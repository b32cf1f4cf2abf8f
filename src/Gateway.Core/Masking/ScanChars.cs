using System.Buffers;
using System.Runtime.CompilerServices;

namespace Gateway.Core.Masking;

/// <summary>
/// ASCII character classes for the content detectors. They work on UTF-8 bytes: every byte of a multi-byte sequence
/// is 0x80 or above and belongs to no class, so a non-ASCII character always ends an ASCII token.
/// </summary>
internal static class ScanChars
{
    /// <summary>What may appear in a JWT segment: the base64url alphabet (RFC 4648 §5).</summary>
    public static readonly SearchValues<byte> Base64Url =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"u8);

    /// <summary>The standard base64 alphabet without padding, which is what an AWS secret access key is drawn from.</summary>
    public static readonly SearchValues<byte> Base64 =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"u8);

    /// <summary>Where an unquoted assignment value ends: whitespace and the punctuation that closes a field in
    /// query strings, CSV, JSON, XML and argument lists.</summary>
    public static readonly SearchValues<byte> UnquotedValueEnd = SearchValues.Create(" \t\r\n,;&\"'<>)]}"u8);

    /// <summary>The end of a line, where an unterminated quoted value is cut.</summary>
    public static readonly SearchValues<byte> LineEnd = SearchValues.Create("\r\n"u8);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsLetter(byte b) => (uint)((b | 0x20) - 'a') <= 'z' - 'a';

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsUpper(byte b) => (uint)(b - 'A') <= 'Z' - 'A';

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsLower(byte b) => (uint)(b - 'a') <= 'z' - 'a';

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsLetterOrDigit(byte b) => IsDigit(b) || IsLetter(b);

    /// <summary>Lower-cases an ASCII letter; any other byte comes back unchanged or as a non-letter.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte Lower(byte b) => (byte)(b | 0x20);

    /// <summary>The characters we accept in the local part of an e-mail address. RFC 5322 allows more
    /// (<c>!#$&amp;'*/=?^`{|}~</c>), but real addresses almost never use them and most of them are field separators in
    /// the text around an address (<c>email=jane@…</c>, <c>'jane@…'</c>), so accepting them would stretch matches.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsEmailLocal(byte b) => IsLetterOrDigit(b) || b is (byte)'.' or (byte)'_' or (byte)'%' or (byte)'+' or (byte)'-';

    /// <summary>An ASCII host name character (LDH rule). Internationalised domains are matched only in their punycode form.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsDomainLabel(byte b) => IsLetterOrDigit(b) || b == '-';

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsBase64Url(byte b) => IsLetterOrDigit(b) || b is (byte)'-' or (byte)'_';

    /// <summary>A single character that may separate digit groups of a card, SSN or phone number.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsGroupSeparator(byte b) => b is (byte)' ' or (byte)'-' or (byte)'.';
}
