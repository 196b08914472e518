package dev.tollgate.wire.bedrock;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Pinned to the AWS Signature Version 4 test suite (credentials AKIDEXAMPLE, 2015-08-30T12:36:00Z, us-east-1). */
class SigV4Test {
    private static final SigV4.Credentials SUITE =
            new SigV4.Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);
    private static final Instant SUITE_TIME = Instant.parse("2015-08-30T12:36:00Z");
    private static final String SUITE_SCOPE = "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "get-vanilla, GET, /, '', 5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        "post-vanilla, POST, /, '', 5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
        "get-vanilla-query-order-key-case, GET, /, Param2=value2&Param1=value1,"
                + " b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
        "get-utf8, GET, /%E1%88%B4, '', 8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85",
    })
    void signsLikeTheAwsTestSuite(String name, String method, String path, String query, String signature) {
        SigV4.Request request =
                new SigV4.Request(method, path, query, Map.of("host", "example.amazonaws.com"), new byte[0]);

        Map<String, String> added = SigV4.sign(request, SUITE, "us-east-1", "service", SUITE_TIME, false);

        assertThat(added.get("x-amz-date")).isEqualTo("20150830T123600Z");
        assertThat(added.get("authorization"))
                .isEqualTo("AWS4-HMAC-SHA256 Credential=" + SUITE_SCOPE + ", SignedHeaders=host;x-amz-date, Signature="
                        + signature);
    }

    @Test
    void encodesAnAlreadyEncodedPathOnceMoreForServicesOtherThanS3() {
        SigV4.Request request = new SigV4.Request(
                "POST",
                "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse",
                "",
                Map.of("host", "bedrock-runtime.us-east-1.amazonaws.com", "x-amz-date", "20150830T123600Z"),
                "{}".getBytes(UTF_8));

        String canonical =
                SigV4.canonicalRequest(request, new LinkedHashMap<>(request.headers()), List.of("host"), true);

        assertThat(canonical.lines().toList().get(1))
                .isEqualTo("/model/anthropic.claude-3-5-sonnet-20240620-v1%253A0/converse");
    }

    @Test
    void temporaryCredentialsSignTheSessionToken() {
        SigV4.Credentials temporary = new SigV4.Credentials("ASIAEXAMPLE", "s3cr3tValue", "token/with+chars");
        SigV4.Request request =
                new SigV4.Request("POST", "/x", "", Map.of("host", "h", "content-type", "application/json"), body());

        Map<String, String> added = SigV4.sign(request, temporary, "eu-west-1", "bedrock", SUITE_TIME, true);

        assertThat(added).containsEntry("x-amz-security-token", "token/with+chars");
        assertThat(added.get("authorization"))
                .contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,");
        assertThat(temporary.toString()).doesNotContain("s3cr3tValue").doesNotContain("token/with");
    }

    @Test
    void verifiesWhatItSignedAndRefusesAnyChange() {
        SigV4.Request request = new SigV4.Request(
                "POST",
                "/model/m%3A1/converse",
                "",
                Map.of("host", "127.0.0.1:9000", "content-type", "application/json"),
                body());
        Map<String, String> headers = new LinkedHashMap<>(request.headers());
        headers.putAll(SigV4.sign(request, SUITE, "us-east-1", "bedrock", SUITE_TIME, true));
        SigV4.Request received = new SigV4.Request("POST", request.rawPath(), "", headers, body());

        assertThat(verify(received, SUITE_TIME.plusSeconds(60))).isEqualTo(SigV4.Verdict.VALID);
        assertThat(verify(
                        new SigV4.Request("POST", request.rawPath(), "", headers, "{\"x\":2}".getBytes(UTF_8)),
                        SUITE_TIME))
                .isEqualTo(SigV4.Verdict.MISMATCH);
        assertThat(verify(new SigV4.Request("POST", "/model/m%3A2/converse", "", headers, body()), SUITE_TIME))
                .isEqualTo(SigV4.Verdict.MISMATCH);
        assertThat(verify(received, SUITE_TIME.plus(SigV4.MAX_SKEW).plusSeconds(1)))
                .isEqualTo(SigV4.Verdict.EXPIRED);
        assertThat(SigV4.verify(received, key -> null, "bedrock", SUITE_TIME, true))
                .isEqualTo(SigV4.Verdict.UNKNOWN_KEY);
        assertThat(verify(new SigV4.Request("POST", "/", "", Map.of("host", "h"), body()), SUITE_TIME))
                .isEqualTo(SigV4.Verdict.MISSING);
    }

    private static SigV4.Verdict verify(SigV4.Request request, Instant now) {
        return SigV4.verify(
                request, key -> key.equals("AKIDEXAMPLE") ? SUITE.secretAccessKey() : null, "bedrock", now, true);
    }

    private static byte[] body() {
        return "{\"x\":1}".getBytes(UTF_8);
    }
}
