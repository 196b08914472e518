package dev.tollgate.server;

import dev.tollgate.guard.Guard;
import dev.tollgate.tenant.Principal;
import dev.tollgate.wire.GatewayError;
import dev.tollgate.wire.Usage;
import dev.tollgate.wire.canonical.IngressDialect;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Clock;

/**
 * The guard on the public API: before a request is admitted, the action its account's verdict calls for (403
 * {@code account_blocked} or {@code verification_required}, 429 {@code account_throttled} with retry-after, in the
 * caller's dialect); when an exchange completes, a sample for the detector (the same code path as {@code tollgate
 * guard replay}). The account is the virtual key; its tenant is the organisation.
 */
final class GuardStep {
    /** Request metadata the detector links accounts by; captured with the request, read when it completes. */
    static final String PAYMENT_FP = "x-tollgate-payment-fp";

    static final String CLIENT_FP = "x-tollgate-client-fp";

    /** Fingerprints of one request; any may be null. */
    record Tap(String ip, String paymentFp, String clientFp) {
        static final Tap NONE = new Tap(null, null, null);
    }

    final Guard guard;
    private final Clock clock;

    GuardStep(Guard guard, Clock clock) {
        this.guard = guard;
        this.clock = clock;
    }

    /** The request's fingerprints (three header reads), or none when the guard does not observe. */
    Tap tap(HttpServerRequest req) {
        if (!guard.policy().enabled()) {
            return Tap.NONE;
        }
        var address = req.remoteAddress();
        return new Tap(
                address == null ? null : address.hostAddress(), req.getHeader(PAYMENT_FP), req.getHeader(CLIENT_FP));
    }

    /** Refuses the request in the caller's dialect when its account's verdict calls for it; false when refused. */
    boolean admit(HttpServerResponse response, Principal principal, String requestId, IngressDialect dialect) {
        Guard.Refusal refusal = guard.check(principal.tenant(), principal.keyId());
        if (refusal == null) {
            return true;
        }
        ApiErrors.send(
                response,
                new GatewayError(
                        refusal.status(),
                        refusal.status() == 429 ? GatewayError.Kind.RATE_LIMITED : GatewayError.Kind.PERMISSION,
                        refusal.code(),
                        null,
                        refusal.message(),
                        refusal.retryAfterSeconds()),
                requestId,
                dialect);
        return false;
    }

    /** A completed exchange, from either path: handed to the guard thread without parsing anything here. */
    void completed(Tap tap, Principal principal, byte[] body, Usage usage) {
        if (tap == null) {
            tap = Tap.NONE;
        }
        guard.offer(new Guard.Sample(
                clock.instant(),
                principal.keyId(),
                principal.tenant(),
                body,
                usage.promptTokens(),
                usage.completionTokens(),
                usage.reasoningTokens(),
                tap.ip(),
                tap.paymentFp(),
                tap.clientFp()));
    }
}
