namespace Gateway.Core.Tests.Masking;

public sealed partial class ContentScannerTests
{
    [Theory]
    [InlineData("4111111111111111", "[payment_card]")]
    [InlineData("card 4111 1111 1111 1111 exp 12/27", "card [payment_card] exp 12/27")]
    [InlineData("4111-1111-1111-1111", "[payment_card]")]
    [InlineData("MC 5555555555554444.", "MC [payment_card].")]
    [InlineData("2223003122003222", "[payment_card]")]
    [InlineData("amex 378282246310005, grouped 3782 822463 10005", "amex [payment_card], grouped [payment_card]")]
    [InlineData("6011111111111117", "[payment_card]")]
    [InlineData("jcb=3530111333300000", "jcb=[payment_card]")]
    [InlineData("diners 36227206271667 / 3056 930902 5904", "diners [payment_card] / [payment_card]")]
    [InlineData("up 6200000000000005", "up [payment_card]")]
    [InlineData("visa13 4222222222222", "visa13 [payment_card]")]
    [InlineData("maestro 6759649826438453 mir 2200000000000004", "maestro [payment_card] mir [payment_card]")]
    [InlineData("{\"card\":\"4111111111111111\",\"cvv\":\"123\"}", "{\"card\":\"[payment_card]\",\"cvv\":\"123\"}")]
    [InlineData("{\"card\":4111111111111111}", "{\"card\":[payment_card]}")]
    [InlineData("1,4111111111111111,2027-12", "1,[payment_card],2027-12")]
    [InlineData("<pan>4111 1111 1111 1111</pan>", "<pan>[payment_card]</pan>")]
    [InlineData("paid with\n4111-1111-1111-1111\nthanks", "paid with\n[payment_card]\nthanks")]
    [InlineData("4111 1111 1111 1111 12/27", "[payment_card] 12/27")]
    [InlineData("ref 12 4111 1111 1111 1111", "ref 12 [payment_card]")]
    [InlineData("2024-4111 1111 1111 1111", "2024-[payment_card]")]
    [InlineData("cards 4111111111111111 5555555555554444", "cards [payment_card] [payment_card]")]
    [InlineData("-4111111111111111", "-[payment_card]")]
    public void Scan_CardNumberInAnyEmbedding_MasksExactlyTheNumber(string text, string expected)
        => Assert.Equal(expected, ScanText.Redact(text));

    [Theory]
    [InlineData("4111111111111112")] // Luhn fails
    [InlineData("order 4111 1111 1111 1112")]
    [InlineData("order 94111111111111111000")] // a 20-digit id holding a valid 16-digit run
    [InlineData("41111111111111110")] // 17 digits: not a length Visa issues, and fails Luhn
    [InlineData("1234567890123452")] // Luhn-valid, but no network issues prefix 1
    [InlineData("9111111111111111")]
    [InlineData("0.4111111111111111")] // a double's fraction
    [InlineData("4111111111111111.25")]
    [InlineData("deadbeef4111111111111111")]
    [InlineData("4111111111111111abc")]
    [InlineData("4111 1111 1111 1111 1111")] // five 4-digit groups: not a card layout
    [InlineData("1111 4111 1111 1111 1111")]
    [InlineData("4111.1111.1111.1111")]
    [InlineData("4111 1111  1111 1111")] // two spaces
    [InlineData("4111-1111 1111-1111")] // mixed separators
    [InlineData("epoch 1700000000000 ns 1700000000000000000")]
    [InlineData("snowflake 1234567890123456789")]
    [InlineData("41111111-1111-1111-1111-111111111111")] // UUID-shaped
    [InlineData("3782822463100050 is not amex")]
    public void Scan_NotACardNumber_FindsNothing(string text)
        => Assert.DoesNotContain(ScanText.Matches(ScanText.All, text), m => m.Detector == 1);

    [Fact]
    public void Scan_SixteenDigitNumbersFailingLuhn_NeverMasked()
    {
        var random = new Random(43134114);
        var scanner = ScanText.Only(Gateway.Core.Masking.ContentDetectors.PaymentCard);
        for (int i = 0; i < 20_000; i++)
        {
            string number = Luhn.RandomDigits(random, 16, firstDigits: "23456");
            if (Luhn.IsValid(number))
            {
                continue;
            }

            Assert.Empty(ScanText.Matches(scanner, "order " + number));
        }
    }

    [Fact]
    public void Scan_LuhnValidNumbersWithCardPrefixes_AllMasked()
    {
        var random = new Random(43134114);
        var scanner = ScanText.Only(Gateway.Core.Masking.ContentDetectors.PaymentCard);
        (string Prefix, int Length)[] issuers =
            [("4", 16), ("4", 13), ("4", 19), ("51", 16), ("55", 16), ("2221", 16), ("2720", 16), ("34", 15), ("37", 15),
             ("6011", 16), ("644", 16), ("65", 19), ("62", 17), ("3528", 16), ("3589", 19), ("300", 14), ("36", 14),
             ("38", 16), ("50", 13), ("56", 16), ("6304", 18), ("2200", 16)];
        foreach ((string prefix, int length) in issuers)
        {
            for (int i = 0; i < 50; i++)
            {
                string number = Luhn.Complete(prefix + Luhn.RandomDigits(random, length - prefix.Length - 1, firstDigits: "0123456789"));
                Assert.Equal("x [payment_card] y", ScanText.Redact(scanner, "x " + number + " y"));
            }
        }
    }

    [Fact]
    public void Scan_RandomSixteenAndNineteenDigitIds_MaskedOnlyWhenLuhnValid()
    {
        // Cards and ids of the same length are told apart only by the Luhn check digit and the issuer prefix, so a
        // random id that passes both is masked. This measures how often that happens, and checks that nothing failing
        // Luhn ever is.
        var random = new Random(43134114);
        var scanner = ScanText.Only(Gateway.Core.Masking.ContentDetectors.PaymentCard);
        foreach (int length in new[] { 16, 19 })
        {
            int masked = 0;
            const int Samples = 20_000;
            for (int i = 0; i < Samples; i++)
            {
                string id = Luhn.RandomDigits(random, length, firstDigits: "123456789");
                bool found = ScanText.Matches(scanner, "id " + id).Length > 0;
                Assert.False(found && !Luhn.IsValid(id), id);
                masked += found ? 1 : 0;
            }

            double rate = (double)masked / Samples;
            TestContext.Current.TestOutputHelper?.WriteLine($"{length}-digit random ids masked as cards: {rate:P2}");
            Assert.InRange(rate, 0.01, 0.07);
        }
    }
}
