using Gateway.Core.Protocol.Postgres;

namespace Gateway.Core.Tests.Protocol.Postgres;

public sealed class PgMessageCodeSetTests
{
    [Fact]
    public void Empty_AnyCode_IsNotContained()
    {
        AssertExactly(PgMessageCodeSet.Empty, []);
        Assert.True(PgMessageCodeSet.Empty.IsEmpty);
        Assert.Equal(default, PgMessageCodeSet.Empty);
    }

    [Fact]
    public void With_EachSingleCode_ContainsExactlyThatCode()
    {
        for (int code = 0; code < 256; code++)
        {
            PgMessageCodeSet set = PgMessageCodeSet.Empty.With((byte)code);

            AssertExactly(set, [code]);
            Assert.False(set.IsEmpty);
        }
    }

    [Fact]
    public void With_WordBoundaryCodes_ContainsExactlyThose()
    {
        int[] codes = [0, 1, 62, 63, 64, 65, 126, 127, 128, 129, 190, 191, 192, 193, 254, 255];
        PgMessageCodeSet set = PgMessageCodeSet.Empty;
        foreach (int code in codes)
        {
            set = set.With((byte)code);
        }

        AssertExactly(set, codes);
    }

    [Fact]
    public void With_CodeAlreadyPresent_LeavesTheSetUnchanged()
    {
        PgMessageCodeSet set = PgMessageCodeSet.Of(BackendCode.DataRow);

        Assert.Equal(set, set.With((byte)'D'));
    }

    [Fact]
    public void Of_BackendCodes_ContainsExactlyThose()
    {
        PgMessageCodeSet set = PgMessageCodeSet.Of(BackendCode.DataRow, BackendCode.RowDescription, BackendCode.ErrorResponse, BackendCode.NoticeResponse);

        AssertExactly(set, ['D', 'T', 'E', 'N']);
    }

    [Fact]
    public void Of_FrontendCodes_ContainsExactlyThose()
    {
        PgMessageCodeSet set = PgMessageCodeSet.Of(FrontendCode.Query, FrontendCode.Parse, FrontendCode.Bind, FrontendCode.Execute);

        AssertExactly(set, ['Q', 'P', 'B', 'E']);
    }

    [Fact]
    public void Of_AllBackendCodes_ContainsExactlyTheEnumValues()
    {
        PgMessageCodeSet set = PgMessageCodeSet.Of(Enum.GetValues<BackendCode>());

        AssertExactly(set, [.. Enum.GetValues<BackendCode>().Select(c => (int)c)]);
    }

    [Fact]
    public void Of_NoCodes_IsEmpty()
        => Assert.True(PgMessageCodeSet.Of(Array.Empty<FrontendCode>()).IsEmpty);

    [Fact]
    public void Union_TwoSetsSpanningAllWords_ContainsEveryCodeOfEither()
    {
        PgMessageCodeSet left = PgMessageCodeSet.Empty;
        PgMessageCodeSet right = PgMessageCodeSet.Empty;
        var expected = new List<int>();
        for (int code = 0; code < 256; code++)
        {
            if (code % 3 == 0)
            {
                left = left.With((byte)code);
                expected.Add(code);
            }
            else if (code % 7 == 0)
            {
                right = right.With((byte)code);
                expected.Add(code);
            }
        }

        AssertExactly(left.Union(right), expected);
        AssertExactly(right.Union(left), expected);
        AssertExactly(left.Union(PgMessageCodeSet.Empty), [.. Enumerable.Range(0, 256).Where(c => c % 3 == 0)]);
    }

    [Fact]
    public void Equality_SameCodesBuiltDifferently_AreEqualWithEqualHashes()
    {
        PgMessageCodeSet a = PgMessageCodeSet.Of(BackendCode.DataRow).Union(PgMessageCodeSet.Of(BackendCode.CommandComplete));
        PgMessageCodeSet b = PgMessageCodeSet.Empty.With((byte)'C').With((byte)'D');
        PgMessageCodeSet c = PgMessageCodeSet.Of(FrontendCode.Close, FrontendCode.Describe); // same bytes from the other side

        Assert.True(a == b);
        Assert.True(a == c);
        Assert.False(a != b);
        Assert.True(a.Equals((object)b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(a != PgMessageCodeSet.Of(BackendCode.DataRow));
        Assert.False(a.Equals("D"));
    }

    private static void AssertExactly(PgMessageCodeSet set, IReadOnlyCollection<int> codes)
    {
        for (int code = 0; code < 256; code++)
        {
            Assert.True(set.Contains((byte)code) == codes.Contains(code), $"code 0x{code:X2}: Contains is {set.Contains((byte)code)}");
        }
    }
}
