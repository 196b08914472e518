package dev.tollgate.server;

import dev.tollgate.meter.LedgerUnavailableException;
import dev.tollgate.meter.UsageRecord;
import dev.tollgate.meter.UsageStatus;
import dev.tollgate.provider.UpstreamTarget;
import dev.tollgate.route.AttemptFailure;
import dev.tollgate.route.Deployment;
import dev.tollgate.route.HealthOrder;
import dev.tollgate.tenant.Principal;
import dev.tollgate.wire.GatewayError;
import dev.tollgate.wire.Usage;
import dev.tollgate.wire.canonical.ChatRequest;
import dev.tollgate.wire.canonical.ChatResponse;
import dev.tollgate.wire.canonical.IngressDialect;
import dev.tollgate.wire.canonical.ProviderError;
import dev.tollgate.wire.canonical.StreamEvent;
import dev.tollgate.wire.canonical.TokenUsage;
import dev.tollgate.wire.canonical.UnsupportedParameterException;
import dev.tollgate.wire.canonical.UpstreamCall;
import dev.tollgate.wire.canonical.UpstreamDialect;
import dev.tollgate.wire.canonical.UpstreamFormatException;
import dev.tollgate.wire.canonical.UpstreamRequest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One translated request: the caller's dialect and a deployment's dialect differ (or the provider is not OpenAI), so
 * the request goes through the canonical model. The pair is chosen per attempt: the {@link IngressDialect} is fixed
 * by the caller's path, the {@link UpstreamDialect} by each deployment's provider type.
 *
 * <p>Same contract as the byte-splicing {@link Exchange}: deployments in health order until one answers; any
 * failure before the first byte reached the caller moves on; after it, the stream ends with an error event in the
 * caller's dialect; the usage record (the provider's own token counts, whatever the pair) is journaled before the
 * answer completes. Not (yet) here: timed retry passes after every deployment failed.
 */
final class DialectExchange {
    private static final Logger log = LoggerFactory.getLogger(DialectExchange.class);
    private static final int REASON_BYTES = 4096;

    private final GatewayState state;
    private final RuntimeConfig config;
    private final HttpClient client;
    private final Vertx vertx;
    private final HttpServerResponse response;
    private final String requestId;
    private final Principal principal;
    private final IngressDialect ingress;
    private final ChatRequest request;
    private final byte[] body;
    private final HealthOrder order;
    private final List<Deployment> plan;
    private final long startNanos;
    private final long deadlineNanos;
    private final List<String> failures = new ArrayList<>();
    private int next;
    private int attempts;
    private boolean allOverloaded = true;
    private boolean allTimedOut = true;
    private long retryAfterSeconds;
    private GatewayError unsupported;
    private Deployment lastDeployment;
    private Attempt current;
    private boolean committed;
    private boolean finished;

    DialectExchange(
            GatewayState state,
            RuntimeConfig config,
            HttpClient client,
            Vertx vertx,
            HttpServerResponse response,
            String requestId,
            Principal principal,
            IngressDialect ingress,
            ChatRequest request,
            byte[] body,
            HealthOrder order,
            long startNanos) {
        this.state = state;
        this.config = config;
        this.client = client;
        this.vertx = vertx;
        this.response = response;
        this.requestId = requestId;
        this.principal = principal;
        this.ingress = ingress;
        this.request = request;
        this.body = body;
        this.order = order;
        this.plan = order.deployments();
        this.startNanos = startNanos;
        this.deadlineNanos = startNanos + config.config().timeouts().request().toNanos();
    }

    void start() {
        state.inFlight.increment();
        response.closeHandler(v -> callerClosed());
        tryNext();
    }

    private final class Attempt {
        final Deployment deployment;
        final int index;
        final UpstreamDialect dialect;
        final long startedNanos = System.nanoTime();
        boolean reported;
        HttpClientRequest upstream;
        long timer = -1;
        TokenUsage usage;
        final StringBuilder generated = new StringBuilder();

        Attempt(Deployment deployment, int index, UpstreamDialect dialect) {
            this.deployment = deployment;
            this.index = index;
            this.dialect = dialect;
        }

        boolean live() {
            return current == this && !finished;
        }

        void succeeded() {
            if (!reported) {
                reported = true;
                order.succeeded(index, System.nanoTime() - startedNanos);
            }
        }

        void cancelTimer() {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
        }

        void abort() {
            cancelTimer();
            if (upstream != null) {
                upstream.reset();
            }
        }

        void see(StreamEvent event) {
            switch (event) {
                case StreamEvent.MessageStart s -> {
                    if (s.usage() != null) {
                        usage = usage == null ? s.usage() : usage.merge(s.usage());
                    }
                }
                case StreamEvent.UsageReport u -> usage = usage == null ? u.usage() : usage.merge(u.usage());
                case StreamEvent.TextDelta t -> generated.append(t.text());
                case StreamEvent.ReasoningDelta r -> generated.append(r.text());
                case StreamEvent.ToolCallDelta d -> generated.append(d.argumentsFragment());
                default -> {}
            }
        }
    }

    private void tryNext() {
        if (finished) {
            return;
        }
        long now = System.nanoTime();
        if (next >= plan.size() || now >= deadlineNanos) {
            exhausted();
            return;
        }
        int index = next++;
        Deployment deployment = plan.get(index);
        UpstreamTarget target = config.targets().get(deployment.provider().name());
        UpstreamDialect dialect = Dialects.upstream(target.type());
        var provider = deployment.provider();
        UpstreamRequest encoded;
        try {
            encoded = dialect.encodeRequest(
                    request,
                    new UpstreamCall(
                            deployment.upstreamModel(),
                            deployment.id(),
                            provider.maxTokensDefault(),
                            provider.maxTokensLimit(),
                            provider.dropUnsupported()));
        } catch (UnsupportedParameterException e) {
            unsupported = new GatewayError(
                    400, GatewayError.Kind.INVALID_REQUEST, "unsupported_parameter", e.param(), e.getMessage(), 0);
            failures.add(deployment.id() + ": " + e.getMessage());
            order.abandoned(index);
            tryNext();
            return;
        }
        attempts++;
        Attempt attempt = new Attempt(deployment, index, dialect);
        lastDeployment = deployment;
        current = attempt;
        var timeouts = config.config().timeouts();
        long firstByteMillis = Math.max(
                1, Math.min(timeouts.firstByte().toMillis(), TimeUnit.NANOSECONDS.toMillis(deadlineNanos - now)));
        attempt.timer = vertx.setTimer(firstByteMillis, id -> {
            attempt.timer = -1;
            if (attempt.live() && !committed) {
                attemptFailed(
                        attempt, "no answer within " + firstByteMillis + " ms", false, true, AttemptFailure.TIMEOUT);
                attempt.abort();
            }
        });
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost(target.host())
                .setPort(target.port())
                .setSsl(target.tls())
                .setURI(target.path(encoded.path()))
                .setConnectTimeout(timeouts.connect().toMillis())
                .setIdleTimeout(Math.max(timeouts.idle().toMillis(), firstByteMillis));
        options.putHeader(HttpHeaders.CONTENT_TYPE, GatewayHeaders.JSON);
        encoded.headers().forEach(options::putHeader);
        target.headers().forEach(options::putHeader);
        Buffer payload = Buffer.buffer(encoded.body());
        client.request(options).onComplete(ar -> {
            if (!attempt.live()) {
                if (ar.succeeded()) {
                    ar.result().reset();
                }
                return;
            }
            if (ar.failed()) {
                attemptFailed(attempt, describe(ar.cause()), false, false, classify(ar.cause()));
                return;
            }
            attempt.upstream = ar.result();
            attempt.upstream.send(payload).onComplete(sent -> {
                if (!attempt.live()) {
                    return;
                }
                if (sent.failed()) {
                    attemptFailed(attempt, describe(sent.cause()), false, false, classify(sent.cause()));
                } else {
                    onAnswer(attempt, sent.result());
                }
            });
        });
    }

    private void onAnswer(Attempt attempt, HttpClientResponse answer) {
        int status = answer.statusCode();
        if (status >= 200 && status < 300) {
            String type = answer.getHeader(HttpHeaders.CONTENT_TYPE);
            if (request.stream() && type != null && type.startsWith("text/event-stream")) {
                relayStream(attempt, answer);
            } else {
                relayWhole(attempt, answer);
            }
            return;
        }
        Buffer reason = Buffer.buffer();
        answer.handler(chunk -> {
            if (reason.length() < REASON_BYTES) {
                reason.appendBuffer(chunk, 0, Math.min(chunk.length(), REASON_BYTES - reason.length()));
            }
        });
        answer.exceptionHandler(e -> {
            if (attempt.live()) {
                attemptFailed(attempt, "HTTP " + status + ", then " + describe(e), false, false, AttemptFailure.BROKEN);
            }
        });
        answer.endHandler(v -> {
            if (!attempt.live()) {
                return;
            }
            attempt.cancelTimer();
            ProviderError mapped =
                    attempt.dialect.mapError(status, answer::getHeader, reason.getBytes(), state.clock.millis());
            GatewayError error = mapped.error();
            if (mapped.deploymentFault()) {
                boolean overloaded =
                        error.type() == GatewayError.Kind.UNAVAILABLE || error.type() == GatewayError.Kind.RATE_LIMITED;
                if (mapped.retryAfterMillis() >= 0) {
                    retryAfterSeconds = Math.max(retryAfterSeconds, (mapped.retryAfterMillis() + 999) / 1000);
                }
                attemptFailed(
                        attempt,
                        "HTTP " + status + " (" + error.message() + ")",
                        overloaded,
                        false,
                        AttemptFailure.ofStatus(status));
            } else {
                // The request itself is wrong (e.g. context length): the caller sees it, in its own dialect.
                attempt.succeeded();
                GatewayError shown = new GatewayError(
                        error.status(), error.type(), error.code(), error.param(), config.scrub(error.message()), 0);
                finish(attempt, UsageStatus.REJECTED_UPSTREAM, shown.status(), Usage.ZERO, false, ok -> {
                    tag(attempt);
                    ApiErrors.send(response, shown, requestId, ingress);
                });
            }
        });
    }

    private void relayWhole(Attempt attempt, HttpClientResponse answer) {
        attempt.cancelTimer();
        long limit = config.config().limits().maxResponseBytes();
        Buffer whole = Buffer.buffer(1024);
        answer.handler(chunk -> {
            if (!attempt.live()) {
                return;
            }
            if (whole.length() + chunk.length() > limit) {
                attemptFailed(attempt, "answer larger than " + limit + " bytes", false, false, AttemptFailure.BROKEN);
                attempt.abort();
                return;
            }
            whole.appendBuffer(chunk);
        });
        answer.exceptionHandler(e -> {
            if (attempt.live()) {
                attemptFailed(attempt, "answer broken off: " + describe(e), false, false, AttemptFailure.BROKEN);
            }
        });
        answer.endHandler(v -> {
            if (!attempt.live()) {
                return;
            }
            ChatResponse decoded;
            try {
                decoded = attempt.dialect.decodeResponse(whole.getBytes());
            } catch (UpstreamFormatException e) {
                attemptFailed(attempt, "unreadable answer: " + e.getMessage(), false, false, AttemptFailure.BROKEN);
                return;
            }
            attempt.succeeded();
            byte[] out = ingress.encodeResponse(decoded, request, requestId);
            boolean reported = decoded.usage() != null;
            Usage usage = reported ? decoded.usage().toUsage() : state.estimator.estimate(body, text(decoded));
            finish(attempt, UsageStatus.OK, 200, usage, !reported, ok -> {
                if (ok) {
                    response.setStatusCode(200);
                    tag(attempt);
                    response.putHeader(HttpHeaders.CONTENT_TYPE, GatewayHeaders.JSON);
                    response.end(Buffer.buffer(out));
                } else {
                    ApiErrors.send(response, ledgerUnavailable(), requestId, ingress);
                }
            });
        });
    }

    private static String text(ChatResponse response) {
        StringBuilder b = new StringBuilder();
        for (var part : response.content()) {
            switch (part) {
                case dev.tollgate.wire.canonical.ContentPart.Text t -> b.append(t.text());
                case dev.tollgate.wire.canonical.ContentPart.Thinking t -> b.append(t.text());
                case dev.tollgate.wire.canonical.ContentPart.ToolUse u -> b.append(u.arguments());
                default -> {}
            }
        }
        return b.toString();
    }

    private void relayStream(Attempt attempt, HttpClientResponse answer) {
        UpstreamDialect.StreamDecoder decoder = attempt.dialect.streamDecoder();
        IngressDialect.StreamEncoder encoder = ingress.streamEncoder(request, requestId);
        GatewayError[] failed = {null};
        answer.handler(chunk -> {
            if (!attempt.live()) {
                return;
            }
            Buffer out = Buffer.buffer(chunk.length() + 64);
            byte[] bytes = chunk.getBytes();
            try {
                decoder.feed(bytes, 0, bytes.length, event -> {
                    if (failed[0] != null) {
                        return;
                    }
                    if (event instanceof StreamEvent.Failure f) {
                        failed[0] = f.error();
                        return;
                    }
                    attempt.see(event);
                    out.appendBytes(encoder.encode(event));
                });
            } catch (UpstreamFormatException e) {
                if (committed) {
                    response.write(out);
                    streamBroken(attempt, encoder, "the upstream sent a malformed event: " + e.getMessage());
                } else {
                    attemptFailed(attempt, "stream began with a malformed event", false, false, AttemptFailure.BROKEN);
                }
                attempt.abort();
                return;
            }
            if (out.length() > 0) {
                if (!committed) {
                    commitStream(attempt);
                }
                response.write(out);
            }
            if (failed[0] != null) {
                GatewayError error = failed[0];
                if (committed) {
                    streamFailed(attempt, encoder, error);
                } else {
                    boolean overloaded = error.type() == GatewayError.Kind.UNAVAILABLE
                            || error.type() == GatewayError.Kind.RATE_LIMITED;
                    attemptFailed(
                            attempt,
                            "stream error before any content: " + error.message(),
                            overloaded,
                            false,
                            AttemptFailure.BROKEN);
                }
                attempt.abort();
                return;
            }
            if (response.writeQueueFull()) {
                answer.pause();
                response.drainHandler(v -> answer.resume());
            }
        });
        answer.exceptionHandler(e -> {
            if (!attempt.live()) {
                return;
            }
            if (committed) {
                streamBroken(attempt, encoder, describe(e));
            } else {
                attemptFailed(
                        attempt,
                        "stream broken off before its first event: " + describe(e),
                        false,
                        false,
                        AttemptFailure.BROKEN);
            }
        });
        answer.endHandler(v -> {
            if (!attempt.live()) {
                return;
            }
            attempt.cancelTimer();
            boolean complete;
            Buffer tail = Buffer.buffer();
            try {
                complete = decoder.end(event -> {
                    attempt.see(event);
                    tail.appendBytes(encoder.encode(event));
                });
            } catch (UpstreamFormatException e) {
                complete = false;
            }
            if (!committed) {
                attemptFailed(attempt, "stream ended without a single event", false, false, AttemptFailure.BROKEN);
            } else if (!complete) {
                response.write(tail);
                streamBroken(attempt, encoder, "the upstream ended the stream before its final event");
            } else {
                TokenUsage reported = attempt.usage;
                Usage usage = reported != null ? reported.toUsage() : estimate(attempt);
                tail.appendBytes(encoder.end());
                finish(attempt, UsageStatus.OK, 200, usage, reported == null, ok -> {
                    if (ok) {
                        response.end(tail);
                    } else {
                        response.end(Buffer.buffer(encoder.fail(ledgerUnavailable())));
                    }
                });
            }
        });
    }

    private void commitStream(Attempt attempt) {
        committed = true;
        attempt.succeeded();
        attempt.cancelTimer();
        attempt.upstream.idleTimeout(config.config().timeouts().idle().toMillis());
        response.setStatusCode(200);
        tag(attempt);
        response.putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        response.setChunked(true);
    }

    private void streamBroken(Attempt attempt, IngressDialect.StreamEncoder encoder, String why) {
        String reason = config.scrub(why);
        log.warn("{} stream from {} broke after the first byte: {}", requestId, attempt.deployment.id(), reason);
        streamFailed(
                attempt,
                encoder,
                new GatewayError(
                        502,
                        GatewayError.Kind.UPSTREAM,
                        "stream_interrupted",
                        null,
                        "The upstream stream from deployment '" + attempt.deployment.id() + "' ended early: " + reason
                                + ". The answer is incomplete.",
                        0));
    }

    private void streamFailed(Attempt attempt, IngressDialect.StreamEncoder encoder, GatewayError error) {
        finish(
                attempt,
                UsageStatus.CUT,
                200,
                estimate(attempt),
                true,
                ok -> response.end(Buffer.buffer(encoder.fail(error))));
    }

    private Usage estimate(Attempt attempt) {
        Usage estimated = state.estimator.estimate(body, attempt.generated);
        TokenUsage reported = attempt.usage;
        if (reported == null) {
            return estimated;
        }
        // What the provider already reported (its prompt count at the start) is better than a guess.
        Usage known = reported.toUsage();
        return new Usage(
                known.promptTokens() > 0 ? known.promptTokens() : estimated.promptTokens(),
                Math.max(known.completionTokens(), estimated.completionTokens()),
                known.cachedTokens(),
                known.reasoningTokens());
    }

    private void attemptFailed(Attempt attempt, String why, boolean overloaded, boolean timedOut, AttemptFailure kind) {
        if (!attempt.live()) {
            return;
        }
        attempt.cancelTimer();
        current = null;
        if (!attempt.reported) {
            attempt.reported = true;
            order.failed(attempt.index, kind, System.nanoTime() - attempt.startedNanos);
        }
        allOverloaded &= overloaded;
        allTimedOut &= timedOut;
        String reason = attempt.deployment.id() + ": " + config.scrub(why);
        failures.add(reason);
        log.warn("{} attempt {} ({}/{}) failed, {}", requestId, attempts, next, plan.size(), reason);
        tryNext();
    }

    private void exhausted() {
        String model = request.model();
        String summary = String.join("; ", failures);
        GatewayError error;
        if (unsupported != null && attempts == 0) {
            error = unsupported;
        } else if (attempts > 0 && allOverloaded) {
            error = new GatewayError(
                    503,
                    GatewayError.Kind.UNAVAILABLE,
                    "upstream_overloaded",
                    null,
                    "Every deployment of model '" + model + "' is rate-limited or overloaded: " + summary,
                    Math.max(1, retryAfterSeconds));
        } else if (attempts > 0 && allTimedOut) {
            error = new GatewayError(
                    504,
                    GatewayError.Kind.TIMEOUT,
                    "upstream_timeout",
                    null,
                    "No deployment of model '" + model + "' answered in time: " + summary,
                    0);
        } else {
            error = new GatewayError(
                    502,
                    GatewayError.Kind.UPSTREAM,
                    "upstream_failed",
                    null,
                    "No deployment of model '" + model + "' could answer: " + summary,
                    0);
        }
        finished = true;
        order.releaseUnused();
        state.inFlight.decrement();
        recordQuietly(record(lastDeployment, UsageStatus.UPSTREAM_FAILED, error.status(), Usage.ZERO, false));
        ApiErrors.send(response, error, requestId, ingress);
    }

    private void callerClosed() {
        if (finished) {
            return;
        }
        Attempt attempt = current;
        finished = true;
        state.inFlight.decrement();
        if (attempt != null) {
            attempt.abort();
            if (!attempt.reported) {
                attempt.reported = true;
                order.abandoned(attempt.index);
            }
            recordQuietly(record(attempt.deployment, UsageStatus.CLIENT_CLOSED, 499, estimate(attempt), true));
        }
        order.releaseUnused();
    }

    private void finish(
            Attempt attempt,
            UsageStatus status,
            int httpStatus,
            Usage usage,
            boolean estimated,
            java.util.function.Consumer<Boolean> deliver) {
        if (finished) {
            return;
        }
        finished = true;
        current = null;
        state.inFlight.decrement();
        order.releaseUnused();
        boolean recorded = recordQuietly(record(attempt.deployment, status, httpStatus, usage, estimated));
        if (!response.ended() && !response.closed()) {
            deliver.accept(recorded);
        }
    }

    private boolean recordQuietly(UsageRecord record) {
        try {
            state.ledger.append(record);
            return true;
        } catch (LedgerUnavailableException e) {
            log.error("{} usage record could not be journaled; the answer is withheld: {}", requestId, e.getMessage());
            return false;
        }
    }

    private UsageRecord record(Deployment d, UsageStatus status, int httpStatus, Usage usage, boolean estimated) {
        return new UsageRecord(
                requestId,
                state.clock.instant(),
                principal.tenant(),
                principal.keyId(),
                "chat",
                request.model(),
                d == null ? null : d.provider().name(),
                d == null ? null : d.upstreamModel(),
                d == null ? null : d.id(),
                d == null ? null : d.provider().region(),
                usage,
                estimated,
                status,
                httpStatus,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
                request.stream(),
                attempts);
    }

    private void tag(Attempt attempt) {
        response.putHeader(GatewayHeaders.DEPLOYMENT, attempt.deployment.id());
    }

    private static GatewayError ledgerUnavailable() {
        return new GatewayError(
                503,
                GatewayError.Kind.UNAVAILABLE,
                "usage_ledger_unavailable",
                null,
                "The gateway cannot record usage right now, so it does not deliver answers; retry shortly.",
                1);
    }

    private static AttemptFailure classify(Throwable e) {
        String name = e.getClass().getSimpleName();
        if (e instanceof java.net.ConnectException || name.contains("Connect")) {
            return AttemptFailure.CONNECT;
        }
        if (name.contains("Timeout")) {
            return AttemptFailure.TIMEOUT;
        }
        return AttemptFailure.BROKEN;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
