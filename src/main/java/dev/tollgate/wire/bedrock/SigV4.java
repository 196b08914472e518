package dev.tollgate.wire.bedrock;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 in the {@code Authorization} header, for signing Bedrock requests and for the simulator to
 * check them. Written by hand because the AWS SDK signer drags in the SDK's HTTP and identity layers for ~150 lines of
 * HMAC; it is pinned to AWS's published test-suite vectors ({@code SigV4Test}).
 */
public final class SigV4 {
    public static final String ALGORITHM = "AWS4-HMAC-SHA256";
    /** AWS refuses a signature whose date is further than this from its clock. */
    public static final Duration MAX_SKEW = Duration.ofMinutes(5);

    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final HexFormat HEX = HexFormat.of();

    private SigV4() {}

    /**
     * Long-term (access key + secret) or temporary (plus session token) AWS credentials.
     *
     * @param sessionToken null for long-term keys
     */
    public record Credentials(String accessKeyId, String secretAccessKey, String sessionToken) {
        @Override
        public String toString() {
            // Never let the secret or token reach a log line through a record's generated toString.
            return "Credentials[accessKeyId=" + accessKeyId + ", secretAccessKey=***, sessionToken="
                    + (sessionToken == null ? "none" : "***") + "]";
        }
    }

    /**
     * One HTTP request as it goes on the wire.
     *
     * @param rawPath the path as sent, already percent-encoded
     * @param rawQuery the query as sent, without {@code ?}; empty when there is none
     * @param headers header names in lower case; must include {@code host}
     */
    public record Request(String method, String rawPath, String rawQuery, Map<String, String> headers, byte[] body) {}

    /**
     * The headers to add to {@code request}: {@code x-amz-date}, {@code x-amz-security-token} with temporary
     * credentials, and {@code authorization}. Every header of the request is signed.
     *
     * @param doubleEncodePath true for every service but S3: AWS's SDKs encode the already encoded path once more in the
     *     canonical request (so a model id {@code a:b}, sent as {@code a%3Ab}, is signed as {@code a%253Ab})
     */
    public static Map<String, String> sign(
            Request request,
            Credentials credentials,
            String region,
            String service,
            Instant at,
            boolean doubleEncodePath) {
        String amzDate = AMZ_DATE.format(at);
        Map<String, String> added = new LinkedHashMap<>();
        added.put("x-amz-date", amzDate);
        if (credentials.sessionToken() != null) {
            added.put("x-amz-security-token", credentials.sessionToken());
        }
        Map<String, String> headers = new TreeMap<>();
        request.headers().forEach((name, value) -> headers.put(name.toLowerCase(Locale.ROOT), value));
        headers.putAll(added);
        List<String> signed = List.copyOf(headers.keySet());
        String scope = amzDate.substring(0, 8) + "/" + region + "/" + service + "/aws4_request";
        String canonical = canonicalRequest(request, headers, signed, doubleEncodePath);
        String signature = signature(credentials.secretAccessKey(), scope, amzDate, canonical);
        added.put(
                "authorization",
                ALGORITHM + " Credential=" + credentials.accessKeyId() + "/" + scope + ", SignedHeaders="
                        + String.join(";", signed) + ", Signature=" + signature);
        return added;
    }

    /** Why a signature was refused, or {@link #VALID}. */
    public enum Verdict {
        VALID,
        MISSING,
        MALFORMED,
        UNKNOWN_KEY,
        EXPIRED,
        MISMATCH
    }

    /**
     * Checks the {@code authorization} header of a received request the way AWS does: recomputes the signature over the
     * headers it names and compares in constant time.
     *
     * @param secretFor the secret of an access key id, or null when the key is unknown
     */
    public static Verdict verify(
            Request request,
            java.util.function.Function<String, String> secretFor,
            String service,
            Instant now,
            boolean doubleEncodePath) {
        Map<String, String> headers = new TreeMap<>();
        request.headers().forEach((name, value) -> headers.put(name.toLowerCase(Locale.ROOT), value));
        String authorization = headers.get("authorization");
        if (authorization == null || !authorization.startsWith(ALGORITHM + " ")) {
            return Verdict.MISSING;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String part : authorization.substring(ALGORITHM.length() + 1).split(",")) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                return Verdict.MALFORMED;
            }
            fields.put(part.substring(0, eq).strip(), part.substring(eq + 1).strip());
        }
        String credential = fields.get("Credential");
        String signedHeaders = fields.get("SignedHeaders");
        String signature = fields.get("Signature");
        String amzDate = headers.get("x-amz-date");
        if (credential == null || signedHeaders == null || signature == null || amzDate == null) {
            return Verdict.MALFORMED;
        }
        String[] scopeParts = credential.split("/", -1);
        if (scopeParts.length != 5 || !scopeParts[3].equals(service) || !scopeParts[4].equals("aws4_request")) {
            return Verdict.MALFORMED;
        }
        List<String> signed = List.of(signedHeaders.split(";"));
        if (!signed.contains("host") || !signed.contains("x-amz-date") || !amzDate.startsWith(scopeParts[1])) {
            return Verdict.MALFORMED;
        }
        Instant signedAt;
        try {
            signedAt = Instant.from(AMZ_DATE.parse(amzDate));
        } catch (DateTimeParseException e) {
            return Verdict.MALFORMED;
        }
        if (Duration.between(signedAt, now).abs().compareTo(MAX_SKEW) > 0) {
            return Verdict.EXPIRED;
        }
        String secret = secretFor.apply(scopeParts[0]);
        if (secret == null) {
            return Verdict.UNKNOWN_KEY;
        }
        for (String name : signed) {
            if (!headers.containsKey(name)) {
                return Verdict.MALFORMED;
            }
        }
        String scope = credential.substring(scopeParts[0].length() + 1);
        String expected =
                signature(secret, scope, amzDate, canonicalRequest(request, headers, signed, doubleEncodePath));
        return MessageDigest.isEqual(expected.getBytes(UTF_8), signature.getBytes(UTF_8))
                ? Verdict.VALID
                : Verdict.MISMATCH;
    }

    static String canonicalRequest(
            Request request, Map<String, String> headers, List<String> signed, boolean doubleEncodePath) {
        StringBuilder canonical = new StringBuilder(256)
                .append(request.method())
                .append('\n')
                .append(canonicalUri(request.rawPath(), doubleEncodePath))
                .append('\n')
                .append(canonicalQuery(request.rawQuery()))
                .append('\n');
        for (String name : signed) {
            canonical
                    .append(name)
                    .append(':')
                    .append(trimAll(headers.get(name)))
                    .append('\n');
        }
        return canonical
                .append('\n')
                .append(String.join(";", signed))
                .append('\n')
                .append(hex(sha256(request.body())))
                .toString();
    }

    static String signature(String secret, String scope, String amzDate, String canonicalRequest) {
        String stringToSign =
                ALGORITHM + "\n" + amzDate + "\n" + scope + "\n" + hex(sha256(canonicalRequest.getBytes(UTF_8)));
        String[] parts = scope.split("/");
        byte[] key = hmac(("AWS4" + secret).getBytes(UTF_8), parts[0]);
        key = hmac(key, parts[1]);
        key = hmac(key, parts[2]);
        key = hmac(key, parts[3]);
        return hex(hmac(key, stringToSign));
    }

    private static String canonicalUri(String rawPath, boolean doubleEncode) {
        if (rawPath == null || rawPath.isEmpty()) {
            return "/";
        }
        return doubleEncode ? encode(rawPath, true) : encode(decode(rawPath), true);
    }

    private static String canonicalQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        List<String[]> pairs = new ArrayList<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            pairs.add(new String[] {encode(decode(name), false), encode(decode(value), false)});
        }
        pairs.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
        StringBuilder query = new StringBuilder();
        for (String[] pair : pairs) {
            if (!query.isEmpty()) {
                query.append('&');
            }
            query.append(pair[0]).append('=').append(pair[1]);
        }
        return query.toString();
    }

    /** RFC 3986 encoding as AWS defines it: only A-Z a-z 0-9 - _ . ~ stay as they are. */
    static String encode(String text, boolean keepSlash) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (byte b : text.getBytes(UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '_'
                    || c == '.'
                    || c == '~'
                    || (keepSlash && c == '/')) {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((c >> 4) & 0xf, 16)));
                out.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    private static String decode(String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%' && i + 2 < text.length()) {
                bytes.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                byte[] raw = String.valueOf(c).getBytes(UTF_8);
                bytes.write(raw, 0, raw.length);
            }
        }
        return bytes.toString(UTF_8);
    }

    /** Header values are trimmed and inner runs of spaces collapsed to one. */
    private static String trimAll(String value) {
        return value.strip().replaceAll(" +", " ");
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }
}
