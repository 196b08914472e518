package dev.tollgate.provider;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import dev.tollgate.config.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Zhipu GLM's signed form of an {@code id.secret} API key, as the zhipuai SDKs make it: an HS256 JWT whose header
 * carries {@code sign_type: SIGN} and whose payload is {@code {api_key: id, exp, timestamp}}, both in milliseconds
 * (not JWT's usual seconds). A token is reused until shortly before it expires, so that a busy provider signs a few
 * times a minute, not once per request. Thread-safe: event loops share one instance per provider.
 */
public final class ZhipuTokens {
    /** How long a token is valid; the zhipuai SDK uses a few minutes. */
    static final Duration LIFETIME = Duration.ofSeconds(210);
    /** A token is replaced this long before it expires, so that none expires in flight. */
    static final Duration MARGIN = Duration.ofSeconds(30);

    private final String id;
    private final Algorithm algorithm;
    private volatile Token current;

    private record Token(String value, Instant expires) {}

    public ZhipuTokens(Secret key) {
        String value = key.value();
        int dot = value.indexOf('.');
        if (dot <= 0 || dot == value.length() - 1) {
            throw new IllegalArgumentException("a Zhipu key for JWT signing has the form id.secret");
        }
        this.id = value.substring(0, dot);
        this.algorithm = Algorithm.HMAC256(value.substring(dot + 1).getBytes(StandardCharsets.UTF_8));
    }

    /** A valid token at {@code now}: the cached one, or a fresh one when it is about to expire. */
    public String token(Instant now) {
        Token t = current;
        if (t == null || !now.plus(MARGIN).isBefore(t.expires())) {
            t = sign(now);
            current = t;
        }
        return t.value();
    }

    private Token sign(Instant now) {
        long millis = now.toEpochMilli();
        Instant expires = now.plus(LIFETIME);
        String token = JWT.create()
                .withHeader(Map.of("sign_type", "SIGN"))
                .withClaim("api_key", id)
                .withClaim("exp", expires.toEpochMilli())
                .withClaim("timestamp", millis)
                .sign(algorithm);
        return new Token(token, expires);
    }

    @Override
    public String toString() {
        return "ZhipuTokens[id=***]";
    }
}
