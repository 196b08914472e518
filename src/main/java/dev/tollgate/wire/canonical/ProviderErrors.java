package dev.tollgate.wire.canonical;

import dev.tollgate.wire.GatewayError;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;

/** What every upstream dialect's error mapping shares: recognising the few errors a gateway must act on. */
public final class ProviderErrors {
    /**
     * The wordings providers use for a prompt that does not fit the model (OpenAI {@code context_length_exceeded},
     * Anthropic "prompt is too long", Gemini "exceeds the maximum number of tokens", Bedrock "Input is too long",
     * DeepSeek/vLLM "maximum context length").
     */
    private static final Pattern CONTEXT_LENGTH = Pattern.compile(
            "context[_ ]length|context window|maximum context|prompt is too long|input is too long|too many"
                    + " (input )?tokens|exceeds the maximum number of tokens|input length|reduce the length",
            Pattern.CASE_INSENSITIVE);

    private ProviderErrors() {}

    public static boolean isContextLength(String code, String message) {
        return (code != null && CONTEXT_LENGTH.matcher(code).find())
                || (message != null && CONTEXT_LENGTH.matcher(message).find());
    }

    /**
     * The neutral error for a provider's status and message. {@code overloadedType} is true when the provider's own
     * error type says "overloaded" whatever the status.
     */
    public static ProviderError classify(
            int status,
            String providerCode,
            String message,
            boolean overloadedType,
            Function<String, String> header,
            long nowMillis) {
        String text = message == null || message.isBlank() ? "HTTP " + status : message;
        // 402: the gateway's account with the provider is out of credit (DeepSeek's "Insufficient Balance"), which
        // another deployment may not be; the caller can do nothing about it.
        boolean deploymentFault = status == 429
                || status >= 500
                || status == 401
                || status == 402
                || status == 403
                || status == 404
                || status == 408;
        long retryAfter = status == 429 || status == 503 || status == 529 || overloadedType
                ? RetryAfter.millis(header, nowMillis)
                : -1;
        GatewayError error;
        if (status == 401 || status == 403) {
            // Upstreams quote (parts of) the credential they rejected; never pass that on.
            error = new GatewayError(
                    502,
                    GatewayError.Kind.UPSTREAM,
                    "upstream_auth_failed",
                    null,
                    "HTTP " + status + " (the upstream rejected the gateway's credentials)",
                    0);
        } else if (status == 402) {
            error = new GatewayError(
                    502,
                    GatewayError.Kind.UPSTREAM,
                    "upstream_payment_required",
                    null,
                    "HTTP 402 (the gateway's account with the provider is out of credit)",
                    0);
        } else if (overloadedType || status == 529 || status == 503) {
            error = new GatewayError(503, GatewayError.Kind.UNAVAILABLE, "overloaded", null, text, seconds(retryAfter));
        } else if (status == 429) {
            error = new GatewayError(
                    429, GatewayError.Kind.RATE_LIMITED, "rate_limited", null, text, seconds(retryAfter));
        } else if (isContextLength(providerCode, message)) {
            error = new GatewayError(
                    400, GatewayError.Kind.INVALID_REQUEST, "context_length_exceeded", "messages", text, 0);
        } else if (status == 404) {
            error = new GatewayError(404, GatewayError.Kind.NOT_FOUND, "not_found", null, text, 0);
        } else if (status == 413) {
            error = new GatewayError(413, GatewayError.Kind.TOO_LARGE, "request_too_large", null, text, 0);
        } else if (status >= 500) {
            error = new GatewayError(502, GatewayError.Kind.UPSTREAM, "upstream_error", null, text, 0);
        } else if (status == 408) {
            error = new GatewayError(504, GatewayError.Kind.TIMEOUT, "upstream_timeout", null, text, 0);
        } else {
            error = new GatewayError(
                    status,
                    GatewayError.Kind.INVALID_REQUEST,
                    providerCode == null ? "invalid_request" : providerCode.toLowerCase(Locale.ROOT),
                    null,
                    text,
                    0);
        }
        return new ProviderError(error, retryAfter, deploymentFault);
    }

    private static long seconds(long millis) {
        return millis < 0 ? 0 : Math.max(1, (millis + 999) / 1000);
    }
}
