using Gateway.Core.Masking;

namespace Gateway.Core.Tests.Masking;

public sealed partial class ContentScannerTests
{
    private const string ExampleKeyId = "AKIAIOSFODNN7EXAMPLE";
    private const string ExampleSecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string ExampleJwt =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

    [Theory]
    [InlineData(ExampleKeyId, "[aws_access_key_id]")]
    [InlineData("aws_access_key_id=" + ExampleKeyId + "\n", "aws_access_key_id=[aws_access_key_id]\n")]
    [InlineData("Credential=" + ExampleKeyId + "/20130524/us-east-1/s3/aws4_request", "Credential=[aws_access_key_id]/20130524/us-east-1/s3/aws4_request")]
    [InlineData("{\"AccessKeyId\":\"ASIAY34FZKBOKMUTVV7A\"}", "{\"AccessKeyId\":\"[aws_access_key_id]\"}")]
    [InlineData("keys: AGPA1234567890ABCDEF, AIDAJQABLZS4A3QDU576, AROADBQP57FF2AEXAMPL", "keys: [aws_access_key_id], [aws_access_key_id], [aws_access_key_id]")]
    [InlineData("ANPA1234567890ABCDEF ANVA1234567890ABCDEF AIPA1234567890ABCDEF", "[aws_access_key_id] [aws_access_key_id] [aws_access_key_id]")]
    public void Scan_AwsAccessKeyId_MasksTheWholeToken(string text, string expected)
        => Assert.Equal(expected, ScanText.Redact(text));

    [Theory]
    [InlineData("X" + ExampleKeyId)]
    [InlineData(ExampleKeyId + "X")]
    [InlineData("AKIAIOSFODNN7EXAMPL")]
    [InlineData("akiaiosfodnn7example")]
    [InlineData("AKIAiosfodnn7example")]
    [InlineData("ABCDIOSFODNN7EXAMPLE")]
    [InlineData("AKIA IOSFODNN7EXAMPLE")]
    [InlineData("And A KIA is a car.")]
    public void Scan_NotAnAwsAccessKeyId_FindsNothing(string text)
        => Assert.Empty(ScanText.Matches(ScanText.All, text));

    [Theory]
    [InlineData("aws_secret_access_key = " + ExampleSecretKey, "aws_secret_access_key = [aws_secret_key]")]
    [InlineData("AWS_SECRET_ACCESS_KEY=" + ExampleSecretKey + "\nAWS_REGION=us-east-1", "AWS_SECRET_ACCESS_KEY=[aws_secret_key]\nAWS_REGION=us-east-1")]
    [InlineData("{\"SecretAccessKey\": \"" + ExampleSecretKey + "\"}", "{\"SecretAccessKey\": \"[aws_secret_key]\"}")]
    [InlineData("secret: '" + ExampleSecretKey + "'", "secret: '[aws_secret_key]'")]
    [InlineData(ExampleKeyId + ":" + ExampleSecretKey, "[aws_access_key_id]:[aws_secret_key]")]
    [InlineData(ExampleSecretKey + "," + ExampleKeyId + ",us-east-1", "[aws_secret_key],[aws_access_key_id],us-east-1")]
    [InlineData("id " + ExampleKeyId + "\nkey " + ExampleSecretKey + "\n", "id [aws_access_key_id]\nkey [aws_secret_key]\n")]
    public void Scan_AwsSecretKeyNamedOrNearAKeyId_MasksTheKey(string text, string expected)
        => Assert.Equal(expected, ScanText.Redact(text));

    [Fact]
    public void Scan_AwsSecretKeyNearAKeyIdThatIsNotMasked_StillMasksTheSecret()
        => Assert.Equal(ExampleKeyId + " [aws_secret_key]",
            ScanText.Redact(ScanText.Only(ContentDetectors.AwsSecretKey), ExampleKeyId + " " + ExampleSecretKey));

    [Theory]
    [InlineData(ExampleSecretKey)] // no key id and no key name
    [InlineData("blob " + ExampleSecretKey + " end")]
    [InlineData("secret=da39a3ee5e6b4b0d3255bfef95601890afd80709")] // a git SHA: no upper case
    [InlineData("secret=WJALRXUTNFEMI/K7MDENG/BPXRFICYEXAMPLEKEY")] // no lower case
    [InlineData(ExampleKeyId + " " + ExampleSecretKey + "x")] // 41 characters
    [InlineData(ExampleKeyId + " " + ExampleSecretKey + "=")] // base64 data with padding
    [InlineData(ExampleKeyId + " " + "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY")]
    public void Scan_NotAnAwsSecretKey_FindsNoSecretKey(string text)
        => Assert.DoesNotContain(ScanText.Matches(ScanText.All, text), m => m.Detector == ContentScanner.AwsSecretKeyDetector);

    [Theory]
    [InlineData(ExampleJwt, "[jwt]")]
    [InlineData("Authorization: Bearer " + ExampleJwt, "Authorization: Bearer [jwt]")]
    [InlineData("{\"jwt\":\"" + ExampleJwt + "\",\"exp\":1}", "{\"jwt\":\"[jwt]\",\"exp\":1}")]
    [InlineData("<t>" + ExampleJwt + "</t>", "<t>[jwt]</t>")]
    [InlineData("got " + ExampleJwt + ". Then", "got [jwt]. Then")]
    [InlineData("a\n" + ExampleJwt + "\nb", "a\n[jwt]\nb")]
    [InlineData("https://example.com/cb#jwt=" + ExampleJwt + "&state=1", "https://example.com/cb#jwt=[jwt]&state=1")]
    [InlineData("none: eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxMjM0NTY3ODkwIn0. ok", "none: [jwt] ok")]
    [InlineData("jwe eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4R0NNIn0..48V1_ALb6US04U3b.5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6jiSdiwkIr3ajwQzaBtQD_A.XFBoMYUZodetZdvTiFvSkQ end",
        "jwe [jwt] end")]
    public void Scan_Jwt_MasksTheWholeToken(string text, string expected)
        => Assert.Equal(expected, ScanText.Redact(text));

    [Theory]
    [InlineData("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9")] // base64 JSON without dots
    [InlineData("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0")] // two segments
    [InlineData("xeyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c")]
    [InlineData("eyJhbGciOi.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c")] // header too short
    [InlineData("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.short")]
    [InlineData("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9a.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c")] // 4n+1
    [InlineData("eyJ.abc.def")]
    public void Scan_NotAJwt_FindsNothing(string text)
        => Assert.Empty(ScanText.Matches(ScanText.Only(ContentDetectors.Jwt), text));

    [Theory]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB\naFDrBz9vFqU4yB7lQ==\n-----END RSA PRIVATE KEY-----",
        "[pem_private_key]")]
    [InlineData("key:\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\ndone",
        "key:\n[pem_private_key]\ndone")]
    [InlineData("{\"key\":\"-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CB04fSeQ6tF1aY/PuoAoGCCqGSM49\\n-----END EC PRIVATE KEY-----\\n\"}",
        "{\"key\":\"[pem_private_key]\\n\"}")]
    [InlineData("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----", "[pem_private_key]")]
    [InlineData("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQww\n-----END ENCRYPTED PRIVATE KEY-----", "[pem_private_key]")]
    [InlineData("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF0\n-----END PGP PRIVATE KEY BLOCK-----", "[pem_private_key]")]
    [InlineData("-----begin private key-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----end private key-----", "[pem_private_key]")]
    [InlineData("truncated: -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nMIIEvQIBAD", "truncated: [pem_private_key]")]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\ntail", "[pem_private_key]")] // END of another label: unterminated
    public void Scan_PemPrivateKey_MasksTheWholeBlock(string text, string expected)
        => Assert.Equal(expected, ScanText.Redact(text));

    [Theory]
    [InlineData("-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n-----END CERTIFICATE-----")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----")]
    [InlineData("-----BEGIN CERTIFICATE REQUEST-----\nMIIC\n-----END CERTIFICATE REQUEST-----")]
    [InlineData("------------------------------ BEGIN PRIVATE KEY")]
    [InlineData("-----BEGIN PRIVATE_KEY-----")]
    public void Scan_PemThatIsNotAPrivateKey_FindsNothing(string text)
        => Assert.Empty(ScanText.Matches(ScanText.Only(ContentDetectors.PemPrivateKey), text));
}
