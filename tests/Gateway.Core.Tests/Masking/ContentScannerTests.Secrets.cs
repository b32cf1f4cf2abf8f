using Gateway.Core.Masking;

namespace Gateway.Core.Tests.Masking;

public sealed partial class ContentScannerTests
{
    [Theory]
    [InlineData("password=hunter2", "password=[secret_assignment]")]
    [InlineData("PASSWORD = 'hunter2'", "PASSWORD = '[secret_assignment]'")]
    [InlineData("{\"password\": \"p@ss \\\"quoted\\\" w0rd\", \"user\": \"jane\"}", "{\"password\": \"[secret_assignment]\", \"user\": \"jane\"}")]
    [InlineData("{\"Password\":\"x\"}", "{\"Password\":\"[secret_assignment]\"}")]
    [InlineData("db_password: s3cr3t\nhost: db", "db_password: [secret_assignment]\nhost: db")]
    [InlineData("https://api.example.com/v1?api_key=abc123&limit=5", "https://api.example.com/v1?api_key=[secret_assignment]&limit=5")]
    [InlineData("apiKey: \"k-123\"", "apiKey: \"[secret_assignment]\"")]
    [InlineData("X-Api-Key: 0123abcd", "X-Api-Key: [secret_assignment]")]
    [InlineData("access_token=ya29.a0AfH6SMB; path=/", "access_token=[secret_assignment]; path=/")]
    [InlineData("Token: abc.def", "Token: [secret_assignment]")]
    [InlineData("client_secret=xyz789,scope=read", "client_secret=[secret_assignment],scope=read")]
    [InlineData("Server=db;User Id=app;Pwd=Tr0ub4dor&3;", "Server=db;User Id=app;Pwd=[secret_assignment];")]
    [InlineData("passwd:abc", "passwd:[secret_assignment]")]
    [InlineData("\"{\\\"password\\\":\\\"hunter2\\\",\\\"u\\\":1}\"", "\"{\\\"password\\\":\\\"[secret_assignment]\\\",\\\"u\\\":1}\"")]
    [InlineData("WHERE password = 'it''s'", "WHERE password = '[secret_assignment]'")]
    [InlineData("password := 'x1'", "password := '[secret_assignment]'")]
    [InlineData("<add key=\"ApiKey\" value=\"v\"/> apikey='q'", "<add key=\"ApiKey\" value=\"v\"/> apikey='[secret_assignment]'")]
    [InlineData("dbPassword=p1 accessToken=t2 SECRET_KEY=s3", "dbPassword=[secret_assignment] accessToken=[secret_assignment] SECRET_KEY=[secret_assignment]")]
    [InlineData("password='unterminated\nnext", "password='[secret_assignment]\nnext")]
    [InlineData("token=4111111111111111", "token=[secret_assignment]")]
    [InlineData("config.password=x", "config.password=[secret_assignment]")]
    [InlineData("{\"pwd\": 1234}", "{\"pwd\": [secret_assignment]}")]
    public void Scan_SecretAssignment_MasksTheValueOnly(string text, string expected)
        => Assert.Equal(expected, ScanText.Redact(text));

    [Theory]
    [InlineData("password == 'x'")]
    [InlineData("if password != x")]
    [InlineData("password >= x")]
    [InlineData("nopassword=x")]
    [InlineData("csrftoken=abc")]
    [InlineData("DBPASSWORD=x")]
    [InlineData("cat /etc/passwd: permission denied")]
    [InlineData("password=")]
    [InlineData("password= ")]
    [InlineData("password=\"\"")]
    [InlineData("{\"token\": null, \"secret\": true, \"password\": false}")]
    [InlineData("password_reset=true")]
    [InlineData("tokens=5")]
    [InlineData("The password was changed.")]
    [InlineData("std::token")]
    [InlineData("password")]
    [InlineData("=password")]
    public void Scan_NotASecretAssignment_FindsNothing(string text)
        => Assert.Empty(ScanText.Matches(ScanText.Only(ContentDetectors.SecretAssignment), text));
}
