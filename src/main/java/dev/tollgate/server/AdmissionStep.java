package dev.tollgate.server;

import dev.tollgate.admit.Decision;
import dev.tollgate.admit.Quota;
import dev.tollgate.admit.TenantLimits;
import dev.tollgate.admit.Ticket;
import dev.tollgate.config.TenantConfig;
import dev.tollgate.meter.UsageRecord;
import dev.tollgate.tenant.Principal;
import dev.tollgate.wire.GatewayError;
import dev.tollgate.wire.anthropic.AnthropicDialect;
import dev.tollgate.wire.canonical.IngressDialect;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one admission step of the public API, between "the request is understood and the model allowed" and "the
 * request is sent", for the pass-through and the translated paths alike: rate limits of the key and the tenant. It
 * writes the {@code x-ratelimit-*} headers, refuses with 429 in the caller's dialect, and keeps the ticket of an
 * admitted request until its usage record is journaled (then the real token count corrects the estimate and the
 * stream slot is freed) or its answer ends without one.
 */
final class AdmissionStep {
    private static final CharSequence LIMIT_REQUESTS = HttpHeaders.createOptimized("x-ratelimit-limit-requests");
    private static final CharSequence REMAINING_REQUESTS =
            HttpHeaders.createOptimized("x-ratelimit-remaining-requests");
    private static final CharSequence RESET_REQUESTS = HttpHeaders.createOptimized("x-ratelimit-reset-requests");
    private static final CharSequence LIMIT_TOKENS = HttpHeaders.createOptimized("x-ratelimit-limit-tokens");
    private static final CharSequence REMAINING_TOKENS = HttpHeaders.createOptimized("x-ratelimit-remaining-tokens");
    private static final CharSequence RESET_TOKENS = HttpHeaders.createOptimized("x-ratelimit-reset-tokens");

    private final GatewayState state;
    /** Tickets of admitted requests by request id, until their usage record is journaled. */
    private final ConcurrentHashMap<String, Ticket> open = new ConcurrentHashMap<>();

    AdmissionStep(GatewayState state) {
        this.state = state;
        state.ledger.onAppended(this::settle);
    }

    /**
     * Admits a request or answers it with 429. Returns false when refused (the answer is then on its way).
     *
     * @param body the request as the caller sent it; only read when the tenant has a tokens-per-minute limit
     */
    boolean admit(
            HttpServerResponse response,
            RuntimeConfig config,
            Principal principal,
            String requestId,
            byte[] body,
            boolean stream,
            IngressDialect dialect) {
        TenantConfig tenant = config.config().tenants().get(principal.tenant());
        TenantLimits limits = tenant == null ? TenantLimits.NONE : tenant.limits();
        if (limits.isNone()) {
            return true;
        }
        boolean countTokens =
                limits.tenant().tokensPerMinute() > 0 || limits.eachKey().tokensPerMinute() > 0;
        long estimate = countTokens ? state.estimator.promptTokens(body) : 0;
        Decision decision = state.admission.admit(principal.tenant(), principal.keyId(), limits, estimate, stream);
        headers(response, decision.quota(), dialect);
        return switch (decision) {
            case Decision.Admitted admitted -> {
                Ticket ticket = admitted.ticket();
                open.put(requestId, ticket);
                // An answer that ends without a usage record (the journal refused it) still frees its stream slot.
                response.endHandler(v -> {
                    Ticket left = open.remove(requestId);
                    if (left != null) {
                        left.release();
                    }
                });
                yield true;
            }
            case Decision.Refused refused -> {
                ApiErrors.send(
                        response,
                        new GatewayError(
                                429,
                                GatewayError.Kind.RATE_LIMITED,
                                "rate_limit_exceeded",
                                null,
                                refused.message(),
                                refused.retryAfterSeconds()),
                        requestId,
                        dialect);
                yield false;
            }
        };
    }

    /** On the journaling thread (the request's event loop): the real tokens replace the estimate. */
    private void settle(UsageRecord record) {
        Ticket ticket = open.remove(record.requestId());
        if (ticket != null) {
            ticket.settle(record.usage().totalTokens());
            ticket.release();
        }
    }

    private void headers(HttpServerResponse response, Quota quota, IngressDialect dialect) {
        if (quota.limitsRequests()) {
            response.putHeader(LIMIT_REQUESTS, Long.toString(quota.limitRequests()));
            response.putHeader(REMAINING_REQUESTS, Long.toString(quota.remainingRequests()));
            response.putHeader(RESET_REQUESTS, duration(quota.resetRequestsNanos()));
        }
        if (quota.limitsTokens()) {
            response.putHeader(LIMIT_TOKENS, Long.toString(quota.limitTokens()));
            response.putHeader(REMAINING_TOKENS, Long.toString(quota.remainingTokens()));
            response.putHeader(RESET_TOKENS, duration(quota.resetTokensNanos()));
        }
        if (dialect == AnthropicDialect.INSTANCE) {
            // Anthropic's own names, with the reset as an RFC 3339 instant.
            Instant now = state.clock.instant();
            if (quota.limitsRequests()) {
                response.putHeader("anthropic-ratelimit-requests-limit", Long.toString(quota.limitRequests()));
                response.putHeader("anthropic-ratelimit-requests-remaining", Long.toString(quota.remainingRequests()));
                response.putHeader("anthropic-ratelimit-requests-reset", instant(now, quota.resetRequestsNanos()));
            }
            if (quota.limitsTokens()) {
                response.putHeader("anthropic-ratelimit-tokens-limit", Long.toString(quota.limitTokens()));
                response.putHeader("anthropic-ratelimit-tokens-remaining", Long.toString(quota.remainingTokens()));
                response.putHeader("anthropic-ratelimit-tokens-reset", instant(now, quota.resetTokensNanos()));
            }
        }
    }

    private static String instant(Instant now, long nanos) {
        return now.plusNanos(nanos).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** OpenAI's form of a reset time: {@code 120ms}, {@code 17s}, {@code 6m0s}. */
    static String duration(long nanos) {
        if (nanos < 1_000_000_000L) {
            return Math.max(0, (nanos + 999_999) / 1_000_000) + "ms";
        }
        long seconds = (nanos + 999_999_999L) / 1_000_000_000L;
        return seconds < 60 ? seconds + "s" : (seconds / 60) + "m" + (seconds % 60) + "s";
    }
}
