namespace Gateway.Core.Tests.Masking;

/// <summary>Card-number helpers for tests, written from the algorithm's definition rather than from the scanner.</summary>
internal static class Luhn
{
    public static bool IsValid(string digits)
    {
        int sum = 0;
        for (int i = 0; i < digits.Length; i++)
        {
            int d = digits[digits.Length - 1 - i] - '0';
            if (i % 2 == 1)
            {
                d = d * 2 > 9 ? (d * 2) - 9 : d * 2;
            }

            sum += d;
        }

        return sum % 10 == 0;
    }

    /// <summary>Appends the check digit that makes <paramref name="body"/> Luhn-valid.</summary>
    public static string Complete(string body)
    {
        for (char check = '0'; check <= '9'; check++)
        {
            if (IsValid(body + check))
            {
                return body + check;
            }
        }

        throw new InvalidOperationException("unreachable");
    }

    public static string RandomDigits(Random random, int length, string firstDigits)
    {
        if (length <= 0)
        {
            return "";
        }

        var chars = new char[length];
        chars[0] = firstDigits[random.Next(firstDigits.Length)];
        for (int i = 1; i < length; i++)
        {
            chars[i] = (char)('0' + random.Next(10));
        }

        return new string(chars);
    }
}
