package dev.tollgate.sim;

import java.time.Duration;
import java.util.Objects;

/**
 * A misbehaviour the simulator applies to chat and embedding requests, so tests can drive a gateway through the
 * failures real providers produce. Faults never apply to {@code GET /v1/models}, to 401s or to 404s: those are
 * answered before a fault is drawn.
 */
public sealed interface Fault
        permits Fault.None,
                Fault.Status,
                Fault.ResetConnection,
                Fault.CutStreamAfter,
                Fault.StallStreamAfter,
                Fault.Hang,
                Fault.SlowFirstByte,
                Fault.MalformedBody,
                Fault.StreamErrorAfter {

    /** Answer normally. */
    static Fault none() {
        return None.INSTANCE;
    }

    /**
     * Answer with an HTTP error in OpenAI's error shape.
     *
     * @param errorType goes into {@code error.type} and {@code error.code}; null picks the one OpenAI uses for the code
     * @param retryAfter nullable; sets {@code retry-after} (whole seconds, rounded up) and {@code retry-after-ms}
     */
    static Fault status(int code, String errorType, Duration retryAfter) {
        return new Status(code, errorType, retryAfter);
    }

    static Fault status(int code) {
        return new Status(code, null, null);
    }

    /** Read the request, then close the TCP connection without writing a byte. */
    static Fault resetConnection() {
        return ResetConnection.INSTANCE;
    }

    /**
     * Start a 200 answer, write {@code chunks} events (the role chunk counts), then close the connection without
     * {@code [DONE]} or usage. A non-streaming request gets its headers and half of its body instead.
     */
    static Fault cutStreamAfter(int chunks) {
        return new CutStreamAfter(chunks);
    }

    /**
     * Like {@link #cutStreamAfter} but keep the connection open and silent, to exercise idle timeouts. A
     * non-streaming request gets its headers and half of its body, then silence.
     */
    static Fault stallStreamAfter(int chunks) {
        return new StallStreamAfter(chunks);
    }

    /** Accept the request and never answer. */
    static Fault hang() {
        return Hang.INSTANCE;
    }

    /** Wait before sending the response headers, then answer normally. */
    static Fault slowFirstByte(Duration delay) {
        return new SlowFirstByte(delay);
    }

    /** Answer 200 with a body that is not valid JSON (a non-JSON event, for streams). */
    static Fault malformedBody() {
        return MalformedBody.INSTANCE;
    }

    enum None implements Fault {
        INSTANCE
    }

    record Status(int code, String errorType, Duration retryAfter) implements Fault {
        public Status {
            if (code < 400 || code > 599) {
                throw new IllegalArgumentException("status fault needs a 4xx or 5xx code, got " + code);
            }
            if (errorType == null) {
                errorType = defaultType(code);
            }
            if (retryAfter != null && retryAfter.isNegative()) {
                throw new IllegalArgumentException("retryAfter must not be negative");
            }
        }

        // The error.type values OpenAI itself sends for these codes.
        private static String defaultType(int code) {
            return switch (code) {
                case 400, 404, 422 -> "invalid_request_error";
                case 401 -> "invalid_api_key";
                case 403 -> "permission_denied";
                case 429 -> "rate_limit_exceeded";
                case 503 -> "service_unavailable";
                default -> "server_error";
            };
        }
    }

    enum ResetConnection implements Fault {
        INSTANCE
    }

    record CutStreamAfter(int chunks) implements Fault {
        public CutStreamAfter {
            if (chunks < 0) {
                throw new IllegalArgumentException("chunks must not be negative");
            }
        }
    }

    record StallStreamAfter(int chunks) implements Fault {
        public StallStreamAfter {
            if (chunks < 0) {
                throw new IllegalArgumentException("chunks must not be negative");
            }
        }
    }

    enum Hang implements Fault {
        INSTANCE
    }

    record SlowFirstByte(Duration delay) implements Fault {
        public SlowFirstByte {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative");
            }
        }
    }

    /**
     * A stream that sends {@code chunks} events, then an error event in the provider's dialect (Anthropic:
     * {@code event: error} with {@code errorType}, OpenAI: {@code data: {"error":…}}) and ends.
     */
    static Fault streamErrorAfter(int chunks, String errorType) {
        return new StreamErrorAfter(chunks, errorType);
    }

    record StreamErrorAfter(int chunks, String errorType) implements Fault {
        public StreamErrorAfter {
            if (chunks < 0) {
                throw new IllegalArgumentException("chunks must not be negative");
            }
            Objects.requireNonNull(errorType, "errorType");
        }
    }

    enum MalformedBody implements Fault {
        INSTANCE
    }
}
