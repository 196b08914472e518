package dev.tollgate.server;

import dev.tollgate.meter.LedgerUnavailableException;
import dev.tollgate.meter.UsageRecord;
import dev.tollgate.meter.UsageStatus;
import dev.tollgate.price.Cost;
import dev.tollgate.provider.UpstreamTarget;
import dev.tollgate.route.AttemptFailure;
import dev.tollgate.route.Deployment;
import dev.tollgate.route.HealthOrder;
import dev.tollgate.tenant.Principal;
import dev.tollgate.wire.GatewayError;
import dev.tollgate.wire.Usage;
import dev.tollgate.wire.canonical.BadRequestException;
import dev.tollgate.wire.canonical.ChatRequest;
import dev.tollgate.wire.canonical.ChatResponse;
import dev.tollgate.wire.canonical.ImageInliner;
import dev.tollgate.wire.canonical.IngressDialect;
import dev.tollgate.wire.canonical.ProviderError;
import dev.tollgate.wire.canonical.StreamEvent;
import dev.tollgate.wire.canonical.TokenUsage;
import dev.tollgate.wire.canonical.UnsupportedParameterException;
import dev.tollgate.wire.canonical.UpstreamCall;
import dev.tollgate.wire.canonical.UpstreamDialect;
import dev.tollgate.wire.canonical.UpstreamFormatException;
import dev.tollgate.wire.canonical.UpstreamRequest;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
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
 * answer completes. Every attempt's outcome goes to the deployment's health ({@link HealthOrder}); when every
 * deployment of a pass failed retryably, a new pass over a fresh health order starts after a back-off that honours
 * the provider's retry-after ({@link RetryWait}), never past the request deadline, never after the first byte. A
 * translated request thus survives a failing deployment exactly as a byte-spliced one does.
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
    private HealthOrder order;
    private List<Deployment> plan;
    private final long startNanos;
    private final long deadlineNanos;
    /** The request's fingerprints for the guard, set by ApiVerticle for observed chat requests; null: not observed. */
    GuardStep.Tap guardTap;

    private final FallbackNote fallback;
    private final List<String> failures = new ArrayList<>();
    private int next;
    private int attempts;
    private int retries;
    private long waitTimer = -1;
    private AttemptFailure lastFailure;
    private long lastRetryAfterMillis = -1;
    private boolean allOverloaded = true;
    private boolean allTimedOut = true;
    private long retryAfterSeconds;
    private GatewayError unsupported;
    /** The request with its URL images inline, once fetched for a provider that refuses URLs; else null. */
    private ChatRequest inlined;

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
        this.fallback = new FallbackNote(config, request.model());
    }

    void start() {
        state.inFlight.increment();
        response.closeHandler(v -> callerClosed());
        logDeferred();
        tryNext();
    }

    private void logDeferred() {
        if (order.admitted() < plan.size() && log.isDebugEnabled()) {
            for (int i = order.admitted(); i < plan.size(); i++) {
                log.debug(
                        "{} deployment {} has an open circuit breaker: tried only after the healthy ones",
                        requestId,
                        plan.get(i).id());
            }
        }
    }

    private final class Attempt {
        final Deployment deployment;
        final int index;
        final UpstreamDialect dialect;
        /** The health order of the pass this attempt belongs to; a retry starts a new one. */
        final HealthOrder owner = order;

        final long startedNanos = System.nanoTime();
        boolean reported;
        HttpClientRequest upstream;
        long timer = -1;
        TokenUsage usage;
        final StringBuilder generated = new StringBuilder();
        /** The upstream's stream has begun: from here the idle timeout, not the first-byte one, bounds it. */
        boolean streaming;
        /** Whether an event with content (not just the start or usage) was decoded: that commits the stream. */
        boolean content;
        /** Encoded bytes held back until the stream commits (the caller's message start), or null. */
        Buffer held;

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
                owner.succeeded(index, System.nanoTime() - startedNanos);
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
            if (now >= deadlineNanos && next < plan.size()) {
                failures.add("request deadline of "
                        + config.config().timeouts().request().toSeconds() + "s reached");
            } else if (now < deadlineNanos && retryLater(now)) {
                return;
            }
            exhausted();
            return;
        }
        int index = next++;
        Deployment deployment = plan.get(index);
        UpstreamTarget target = config.targets().get(deployment.provider().name());
        UpstreamDialect dialect = Dialects.upstream(target);
        var provider = deployment.provider();
        ChatRequest outgoing = request;
        if (!dialect.acceptsImageUrls() && ImageInliner.hasImageUrls(request)) {
            if (inlined == null) {
                next = index; // this deployment again, once its images are inline
                inlineImages(now);
                return;
            }
            outgoing = inlined;
        }
        UpstreamRequest encoded;
        try {
            encoded = dialect.encodeRequest(
                    outgoing,
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
                // A connection that cannot open within the request's remaining time is no use to it.
                .setConnectTimeout(Math.min(timeouts.connect().toMillis(), firstByteMillis))
                .setIdleTimeout(Math.max(timeouts.idle().toMillis(), firstByteMillis));
        options.putHeader(HttpHeaders.CONTENT_TYPE, GatewayHeaders.JSON);
        encoded.headers().forEach(options::putHeader);
        target.headersFor(options.getURI(), "application/json", encoded.body(), state.clock.instant())
                .forEach(options::putHeader);
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

    /**
     * Fetches the request's URL images (once per request, for the first deployment whose provider refuses URLs) and
     * goes on with the attempt; a URL that cannot be fetched is the caller's 400, in its dialect.
     */
    private void inlineImages(long now) {
        var limits = config.config().limits();
        long timeoutMillis = Math.min(
                config.config().timeouts().firstByte().toMillis(), TimeUnit.NANOSECONDS.toMillis(deadlineNanos - now));
        Context context = vertx.getOrCreateContext();
        new ImageInliner(
                        new HttpImageFetcher(client, limits.maxImageBytes(), timeoutMillis, limits.privateImageHosts()))
                .inline(request)
                .whenComplete((done, failure) -> context.runOnContext(v -> {
                    if (finished) {
                        return;
                    }
                    if (failure == null) {
                        inlined = done;
                        tryNext();
                        return;
                    }
                    Throwable cause =
                            failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
                    GatewayError error = cause instanceof BadRequestException bad
                            ? GatewayError.invalid(bad.getMessage(), bad.param())
                            : GatewayError.invalid("An image URL could not be fetched.", "messages");
                    log.info("{} refused: {}", requestId, error.message());
                    finished = true;
                    state.inFlight.decrement();
                    order.releaseUnused();
                    ApiErrors.send(response, error, requestId, ingress);
                }));
    }

    private void onAnswer(Attempt attempt, HttpClientResponse answer) {
        int status = answer.statusCode();
        if (status >= 200 && status < 300) {
            String type = answer.getHeader(HttpHeaders.CONTENT_TYPE);
            if (request.stream() && Dialects.isStream(type)) {
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
                AttemptFailure kind = AttemptFailure.ofStatus(status);
                attemptFailed(
                        attempt,
                        "HTTP " + status + " (" + error.message() + ")",
                        overloaded,
                        false,
                        kind == null ? AttemptFailure.SERVER_ERROR : kind,
                        mapped.retryAfterMillis());
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
            Buffer out = attempt.held != null ? attempt.held : Buffer.buffer(chunk.length() + 64);
            attempt.held = null;
            byte[] bytes = chunk.getBytes();
            try {
                decoder.feed(bytes, 0, bytes.length, event -> {
                    if (failed[0] != null) {
                        return;
                    }
                    if (!attempt.streaming) {
                        attempt.streaming = true;
                        attempt.cancelTimer();
                        attempt.upstream.idleTimeout(
                                config.config().timeouts().idle().toMillis());
                    }
                    if (event instanceof StreamEvent.Failure f) {
                        failed[0] = f.error();
                        return;
                    }
                    attempt.content |= opensAnswer(event);
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
            // The caller's stream starts with the first content, not with the provider's message start: an
            // Anthropic upstream that sends message_start and then overloaded_error is still a fallback case.
            if (out.length() > 0) {
                if (!committed && attempt.content) {
                    commitStream(attempt);
                }
                if (committed) {
                    response.write(out);
                } else {
                    attempt.held = out;
                }
            }
            if (failed[0] != null) {
                GatewayError error = failed[0];
                if (committed) {
                    streamFailed(attempt, encoder, error);
                } else {
                    boolean overloaded = error.type() == GatewayError.Kind.UNAVAILABLE
                            || error.type() == GatewayError.Kind.RATE_LIMITED;
                    // An in-stream overload (Anthropic's overloaded_error after a 200) counts as what it says.
                    AttemptFailure kind = AttemptFailure.ofStatus(error.status());
                    attemptFailed(
                            attempt,
                            "stream error before any content: " + error.message(),
                            overloaded,
                            false,
                            kind == null ? AttemptFailure.BROKEN : kind);
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
                        "stream broken off before any content: " + describe(e),
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
            if (!committed && complete && (attempt.held != null || tail.length() > 0)) {
                // A proper stream whose only events came at its end (decoders flush on end).
                commitStream(attempt);
            }
            if (attempt.held != null && committed) {
                response.write(attempt.held);
                attempt.held = null;
            }
            if (!committed) {
                attemptFailed(attempt, "stream ended before any content", false, false, AttemptFailure.BROKEN);
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

    /** Whether an event carries the answer itself; the start and usage reports do not. */
    private static boolean opensAnswer(StreamEvent event) {
        return !(event instanceof StreamEvent.MessageStart) && !(event instanceof StreamEvent.UsageReport);
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
        attemptFailed(attempt, why, overloaded, timedOut, kind, -1);
    }

    private void attemptFailed(
            Attempt attempt,
            String why,
            boolean overloaded,
            boolean timedOut,
            AttemptFailure kind,
            long retryAfterMillis) {
        if (!attempt.live()) {
            return;
        }
        attempt.cancelTimer();
        current = null;
        if (!attempt.reported) {
            attempt.reported = true;
            attempt.owner.failed(attempt.index, kind, System.nanoTime() - attempt.startedNanos);
        }
        lastFailure = kind;
        fallback.failed(attempt.deployment, kind);
        lastRetryAfterMillis = retryAfterMillis;
        allOverloaded &= overloaded;
        allTimedOut &= timedOut;
        String reason = attempt.deployment.id() + ": " + config.scrub(why);
        failures.add(reason);
        log.warn("{} attempt {} ({}/{} of this pass) failed, {}", requestId, attempts, next, plan.size(), reason);
        tryNext();
    }

    /**
     * Every deployment of this pass failed: when the last failure is retryable and retries are left, waits and starts
     * a new pass over a fresh plan and health order. Returns false, without waiting, when the wait would end past the
     * request deadline. A pass whose deployments all refused a parameter has no last failure and is not retried: the
     * request itself must change.
     */
    private boolean retryLater(long now) {
        var routing = config.config().routing();
        if (retries >= routing.retries() || lastFailure == null || !lastFailure.retryable()) {
            return false;
        }
        long delayMillis = RetryWait.millis(
                routing.backoffBase().toMillis(), retries, lastRetryAfterMillis, ThreadLocalRandom.current());
        long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - now);
        if (delayMillis >= remainingMillis) {
            failures.add("no retry: waiting " + delayMillis + " ms would pass the request deadline");
            return false;
        }
        retries++;
        log.info(
                "{} every deployment failed; retry {}/{} in {} ms{}",
                requestId,
                retries,
                routing.retries(),
                delayMillis,
                lastRetryAfterMillis >= 0 ? " (upstream retry-after)" : "");
        waitTimer = vertx.setTimer(Math.max(1, delayMillis), id -> {
            waitTimer = -1;
            if (finished) {
                return;
            }
            order.releaseUnused();
            order = state.health.order(state.policy.filter(
                    config, principal, request.model(), state.plan(config, principal, request.model())));
            plan = order.deployments();
            next = 0;
            lastFailure = null;
            lastRetryAfterMillis = -1;
            logDeferred();
            tryNext();
        });
        return true;
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
        if (waitTimer >= 0) {
            vertx.cancelTimer(waitTimer);
            waitTimer = -1;
        }
        if (attempt != null) {
            attempt.abort();
            if (!attempt.reported) {
                attempt.reported = true;
                attempt.owner.abandoned(attempt.index);
            }
            recordQuietly(record(attempt.deployment, UsageStatus.CLIENT_CLOSED, 499, estimate(attempt), true));
        } else if (lastDeployment != null) {
            // Between two passes, waiting to retry.
            recordQuietly(record(lastDeployment, UsageStatus.CLIENT_CLOSED, 499, Usage.ZERO, false));
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
        if (guardTap != null && (status == UsageStatus.OK || status == UsageStatus.CUT)) {
            state.guard.completed(guardTap, principal, body, usage);
        }
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
        Instant now = state.clock.instant();
        String deployment = d == null ? null : d.id();
        // Priced from the snapshot the request started with, as on the fast path.
        Cost cost = config.config()
                .billing()
                .prices()
                .cost(FallbackNote.pricedModel(d, request.model()), deployment, false, usage, now);
        return new UsageRecord(
                requestId,
                now,
                principal.tenant(),
                principal.keyId(),
                "chat",
                request.model(),
                d == null ? null : d.provider().name(),
                d == null ? null : d.upstreamModel(),
                deployment,
                d == null ? null : d.provider().region(),
                usage,
                estimated,
                status,
                httpStatus,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
                request.stream(),
                attempts,
                cost.micros(),
                cost.currency());
    }

    private void tag(Attempt attempt) {
        response.putHeader(GatewayHeaders.DEPLOYMENT, attempt.deployment.id());
        String fellBack = fallback.header(attempt.deployment, plan);
        if (fellBack != null) {
            response.putHeader(FallbackNote.HEADER, fellBack);
            log.info("{} served by fallback {}", requestId, fellBack);
        }
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
