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
import dev.tollgate.wire.openai.ChatStreamMeter;
import dev.tollgate.wire.openai.OpenAiErrorBody;
import dev.tollgate.wire.openai.OpenAiRequest;
import dev.tollgate.wire.openai.SseEventSplitter;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied request on the OpenAI fast path: tries the planned deployments in order until one answers, forwards
 * the answer as bytes, meters it, and writes its usage record before the answer is complete.
 *
 * <p>Runs entirely on the event loop of the caller's connection. Until the first byte of an answer has been sent to
 * the caller, any failure (connection error, 5xx, 429, timeout, an upstream that closes early) moves on to the next
 * deployment; after it, a failure ends the stream with an error event.
 *
 * <p>The deployments come in the order their health allows ({@link HealthOrder}); every attempt's outcome is reported
 * back to it. When every deployment failed retryably, the request is tried again (up to {@code routing.retries}
 * times) after a back-off on a Vert.x timer, honouring the upstream's {@code retry-after}, never past the request
 * deadline and never after the first byte reached the caller.
 */
final class Exchange {
    private static final Logger log = LoggerFactory.getLogger(Exchange.class);
    private static final byte[] DONE_EVENT = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final int REASON_BYTES = 4096;
    private static final int MAX_EVENT_BYTES = 16 << 20;

    private final GatewayState state;
    private final RuntimeConfig config;
    private final HttpClient client;
    private final Vertx vertx;
    private final HttpServerResponse response;
    private final String requestId;
    private final Principal principal;
    private final OpenAiRequest request;
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
    private Deployment lastDeployment;
    private boolean allOverloaded = true;
    private boolean allTimedOut = true;
    private long retryAfterSeconds;
    private Attempt current;
    private boolean committed;
    private boolean finished;

    Exchange(
            GatewayState state,
            RuntimeConfig config,
            HttpClient client,
            Vertx vertx,
            HttpServerResponse response,
            String requestId,
            Principal principal,
            OpenAiRequest request,
            HealthOrder order,
            long startNanos) {
        this.state = state;
        this.config = config;
        this.client = client;
        this.vertx = vertx;
        this.response = response;
        this.requestId = requestId;
        this.principal = principal;
        this.request = request;
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

    /** The state of one try against one deployment; callbacks of an abandoned try are ignored. */
    private final class Attempt {
        final Deployment deployment;
        final int index;
        /** The health order of the pass this attempt belongs to; a retry starts a new one. */
        final HealthOrder owner = order;

        final long startedNanos = System.nanoTime();
        long firstByteNanos;
        boolean reported;
        HttpClientRequest upstream;
        HttpClientResponse answer;
        long timer = -1;
        boolean timedOut;
        ChatStreamMeter meter;
        SseEventSplitter splitter;
        Buffer body;
        Buffer doneEvent;

        Attempt(Deployment deployment, int index) {
            this.deployment = deployment;
            this.index = index;
        }

        /** Tells the deployment's health that this attempt reached its first byte (once per attempt). */
        void succeeded() {
            if (!reported) {
                reported = true;
                long firstByte = (firstByteNanos > 0 ? firstByteNanos : System.nanoTime()) - startedNanos;
                owner.succeeded(index, firstByte);
            }
        }

        boolean live() {
            return current == this && !finished;
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
        attempts++;
        Attempt attempt = new Attempt(plan.get(index), index);
        lastDeployment = attempt.deployment;
        current = attempt;
        UpstreamTarget target =
                config.targets().get(attempt.deployment.provider().name());
        var timeouts = config.config().timeouts();
        long firstByteMillis = Math.max(
                1, Math.min(timeouts.firstByte().toMillis(), TimeUnit.NANOSECONDS.toMillis(deadlineNanos - now)));
        attempt.timer = vertx.setTimer(firstByteMillis, id -> {
            attempt.timer = -1;
            if (attempt.live() && !committed) {
                attempt.timedOut = true;
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
                .setURI(target.path(request.endpoint().path(), attempt.deployment.upstreamModel()))
                // A connection that cannot open within the request's remaining time is no use to it.
                .setConnectTimeout(Math.min(timeouts.connect().toMillis(), firstByteMillis))
                .setIdleTimeout(Math.max(timeouts.idle().toMillis(), firstByteMillis));
        options.putHeader(HttpHeaders.CONTENT_TYPE, GatewayHeaders.JSON);
        options.putHeader(HttpHeaders.ACCEPT, request.stream() ? GatewayHeaders.EVENT_STREAM : GatewayHeaders.JSON);
        Buffer body = Buffer.buffer(request.forUpstream(attempt.deployment.upstreamModel()));
        // Per request: a Zhipu JWT is renewed as it ages.
        target.headersFor(options.getURI(), "application/json", body.getBytes(), state.clock.instant())
                .forEach(options::putHeader);
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
            attempt.upstream.send(body).onComplete(sent -> {
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
        attempt.answer = answer;
        attempt.firstByteNanos = System.nanoTime();
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
        boolean deploymentFault =
                status == 429 || status >= 500 || status == 401 || status == 403 || status == 404 || status == 408;
        Buffer reason = Buffer.buffer();
        answer.handler(chunk -> {
            if (reason.length() < REASON_BYTES) {
                reason.appendBuffer(chunk, 0, Math.min(chunk.length(), REASON_BYTES - reason.length()));
            }
        });
        answer.exceptionHandler(e -> {
            if (attempt.live()) {
                attemptFailed(
                        attempt,
                        "HTTP " + status + ", then " + describe(e),
                        status == 429 || status == 503,
                        false,
                        deploymentFault ? AttemptFailure.ofStatus(status) : AttemptFailure.BROKEN);
            }
        });
        answer.endHandler(v -> {
            if (!attempt.live()) {
                return;
            }
            attempt.cancelTimer();
            if (deploymentFault) {
                long retryAfterMillis = status == 429 || status == 503
                        ? retryAfterMillis(
                                answer.getHeader("retry-after-ms"),
                                answer.getHeader("retry-after"),
                                state.clock.millis())
                        : -1;
                if (retryAfterMillis >= 0) {
                    retryAfterSeconds = Math.max(retryAfterSeconds, (retryAfterMillis + 999) / 1000);
                }
                attemptFailed(
                        attempt,
                        summarize(status, reason),
                        status == 429 || status == 503,
                        false,
                        AttemptFailure.ofStatus(status),
                        retryAfterMillis);
            } else {
                // The upstream judged the request itself invalid (e.g. context length): the caller must see that.
                passThroughRejection(attempt, status, answer.getHeader(HttpHeaders.CONTENT_TYPE), reason);
            }
        });
    }

    private void relayWhole(Attempt attempt, HttpClientResponse answer) {
        // The headers arrived; from here the body is bounded by the idle timeout, not by the first-byte one.
        attempt.cancelTimer();
        long limit = config.config().limits().maxResponseBytes();
        attempt.body = Buffer.buffer(initialBodyCapacity(answer.getHeader(HttpHeaders.CONTENT_LENGTH), limit));
        answer.handler(chunk -> {
            if (!attempt.live()) {
                return;
            }
            if (attempt.body.length() + chunk.length() > limit) {
                attemptFailed(attempt, "answer larger than " + limit + " bytes", false, false);
                attempt.abort();
                return;
            }
            attempt.body.appendBuffer(chunk);
        });
        answer.exceptionHandler(e -> {
            if (attempt.live()) {
                attemptFailed(attempt, "answer broken off: " + describe(e), false, false);
            }
        });
        answer.endHandler(v -> {
            if (!attempt.live()) {
                return;
            }
            attempt.cancelTimer();
            byte[] bytes = attempt.body.getBytes();
            var reported = config.usage().fromResponse(bytes);
            if (reported.isEmpty() && !wellFormedJson(bytes)) {
                // Nothing has reached the caller yet, and an answer its client cannot parse is no answer.
                attemptFailed(
                        attempt, "HTTP " + answer.statusCode() + " with a body that is not valid JSON", false, false);
                return;
            }
            attempt.succeeded();
            Usage usage = reported.orElseGet(() -> state.estimator.estimate(request.body(), ""));
            String contentType = answer.getHeader(HttpHeaders.CONTENT_TYPE);
            finish(attempt, UsageStatus.OK, answer.statusCode(), usage, reported.isEmpty(), ok -> {
                if (ok) {
                    response.setStatusCode(answer.statusCode());
                    tag(attempt);
                    if (contentType != null) {
                        response.putHeader(HttpHeaders.CONTENT_TYPE, contentType);
                    }
                    response.end(attempt.body);
                } else {
                    sendError(ledgerUnavailable());
                }
            });
        });
    }

    private void relayStream(Attempt attempt, HttpClientResponse answer) {
        attempt.meter = new ChatStreamMeter(config.json(), request.callerWantsUsage());
        attempt.splitter = new SseEventSplitter(MAX_EVENT_BYTES);
        answer.handler(chunk -> {
            if (!attempt.live()) {
                return;
            }
            Buffer out = Buffer.buffer(chunk.length() + 16);
            byte[] bytes = chunk.getBytes();
            boolean[] malformed = {false};
            try {
                attempt.splitter.feed(bytes, 0, bytes.length, event -> {
                    if (malformed[0]) {
                        return;
                    }
                    switch (attempt.meter.inspect(event)) {
                        case FORWARD -> out.appendBytes(event.bytes(), event.offset(), event.length());
                        case DROP -> {}
                        case DONE -> attempt.doneEvent = Buffer.buffer(DONE_EVENT);
                        case MALFORMED -> malformed[0] = true;
                    }
                });
            } catch (IllegalStateException tooLong) {
                malformed[0] = true;
            }
            // The stream is committed with its first complete, well-formed event: until then nothing has reached
            // the caller and a broken upstream is still a fallback case.
            if (out.length() > 0) {
                if (!committed) {
                    commitStream(attempt);
                }
                response.write(out);
            }
            if (malformed[0]) {
                // Decide first, then reset: a reset may call the exception handler, which must find the try over.
                if (committed) {
                    streamBroken(attempt, "the upstream sent an event that is not a JSON object");
                } else {
                    attemptFailed(attempt, "stream began with an event that is not a JSON object", false, false);
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
                streamBroken(attempt, describe(e));
            } else {
                attemptFailed(attempt, "stream broken off before its first event: " + describe(e), false, false);
            }
        });
        answer.endHandler(v -> {
            if (!attempt.live()) {
                return;
            }
            attempt.cancelTimer();
            if (!committed) {
                attemptFailed(attempt, "stream ended without a single event", false, false);
            } else if (!attempt.meter.sawDone()) {
                streamBroken(attempt, "upstream ended the stream before [DONE]");
            } else {
                Usage reported = attempt.meter.usage();
                Usage usage = reported != null ? reported : estimate(attempt);
                finish(attempt, UsageStatus.OK, 200, usage, reported == null, ok -> {
                    if (ok) {
                        response.end(attempt.doneEvent);
                    } else {
                        response.end(Buffer.buffer(OpenAiErrorBody.encodeEvent(ledgerUnavailable(), requestId)));
                    }
                });
            }
        });
    }

    private void commitStream(Attempt attempt) {
        committed = true;
        attempt.succeeded();
        attempt.cancelTimer();
        // From here on only the gap between chunks is limited: a long answer may take as long as it needs.
        attempt.upstream.idleTimeout(config.config().timeouts().idle().toMillis());
        response.setStatusCode(200);
        tag(attempt);
        response.putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        response.setChunked(true);
    }

    private void streamBroken(Attempt attempt, String why) {
        String reason = config.scrub(why);
        log.warn("{} stream from {} broke after the first byte: {}", requestId, attempt.deployment.id(), reason);
        GatewayError error = new GatewayError(
                502,
                GatewayError.Kind.UPSTREAM,
                "stream_interrupted",
                null,
                "The upstream stream from deployment '" + attempt.deployment.id() + "' ended early: " + reason
                        + ". The answer is incomplete.",
                0);
        finish(
                attempt,
                UsageStatus.CUT,
                200,
                estimate(attempt),
                true,
                ok -> response.end(Buffer.buffer(OpenAiErrorBody.encodeEvent(error, requestId))));
    }

    private Usage estimate(Attempt attempt) {
        CharSequence generated = attempt.meter == null ? "" : attempt.meter.generatedText();
        return state.estimator.estimate(request.body(), generated);
    }

    private void passThroughRejection(Attempt attempt, int status, String contentType, Buffer body) {
        attempt.succeeded(); // the deployment answered; the request itself was wrong
        finish(attempt, UsageStatus.REJECTED_UPSTREAM, status, Usage.ZERO, false, ok -> {
            response.setStatusCode(status);
            tag(attempt);
            response.putHeader(HttpHeaders.CONTENT_TYPE, contentType == null ? "application/json" : contentType);
            response.end(Buffer.buffer(config.scrub(body.toString(StandardCharsets.UTF_8))));
        });
    }

    /** An attempt that broke off or gave an unusable answer. */
    private void attemptFailed(Attempt attempt, String why, boolean overloaded, boolean timedOut) {
        attemptFailed(attempt, why, overloaded, timedOut, AttemptFailure.BROKEN, -1);
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
     * Every deployment of this pass failed: when the last failure is retryable and retries are left, waits (the
     * upstream's retry-after when it gave one, else exponential back-off with full jitter) and starts a new pass over
     * a fresh health order. Returns false, without waiting, when the wait would end past the request deadline.
     */
    private boolean retryLater(long now) {
        var routing = config.config().routing();
        if (retries >= routing.retries() || lastFailure == null || !lastFailure.retryable()) {
            return false;
        }
        long base = routing.backoffBase().toMillis();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long delayMillis;
        if (lastRetryAfterMillis >= 0) {
            // What the upstream asked for, plus a little jitter so that callers told the same do not return at once.
            long jitter = Math.max(1, Math.min(base, lastRetryAfterMillis / 10 + 1));
            delayMillis = lastRetryAfterMillis + random.nextLong(jitter);
        } else {
            long cap = base << Math.min(retries, 20);
            delayMillis = random.nextLong(Math.max(1, cap) + 1); // full jitter: uniform in [0, base * 2^retry]
        }
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
        if (!failures.isEmpty() && allOverloaded) {
            error = new GatewayError(
                    503,
                    GatewayError.Kind.UNAVAILABLE,
                    "upstream_overloaded",
                    null,
                    "Every deployment of model '" + model + "' is rate-limited or overloaded: " + summary,
                    Math.max(1, retryAfterSeconds));
        } else if (!failures.isEmpty() && allTimedOut) {
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
        Deployment last = lastDeployment;
        finished = true;
        order.releaseUnused();
        state.inFlight.decrement();
        recordQuietly(record(last, UsageStatus.UPSTREAM_FAILED, error.status(), Usage.ZERO, false));
        sendError(error);
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

    /**
     * Ends the exchange: journals the usage record and only then lets {@code deliver} complete the answer, so that no
     * completed answer can lack its record. {@code deliver} gets false when the record could not be written.
     */
    private void finish(
            Attempt attempt,
            UsageStatus status,
            int httpStatus,
            Usage usage,
            boolean estimated,
            java.util.function.Consumer<Boolean> deliver) {
        if (finished) {
            return; // one request, one usage record
        }
        finished = true;
        state.inFlight.decrement();
        order.releaseUnused();
        boolean recorded = recordQuietly(record(attempt.deployment, status, httpStatus, usage, estimated));
        if (guardTap != null && (status == UsageStatus.OK || status == UsageStatus.CUT)) {
            state.guard.completed(guardTap, principal, request.body(), usage);
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
        boolean embedding = request.endpoint() == dev.tollgate.wire.openai.Endpoint.EMBEDDINGS;
        String deployment = d == null ? null : d.id();
        // Priced from the snapshot the request started with: a reload mid-request does not change its price.
        Cost cost = config.config()
                .billing()
                .prices()
                .cost(FallbackNote.pricedModel(d, request.model()), deployment, embedding, usage, now);
        return new UsageRecord(
                requestId,
                now,
                principal.tenant(),
                principal.keyId(),
                embedding ? "embeddings" : "chat",
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

    private void sendError(GatewayError error) {
        if (response.ended() || response.closed()) {
            return;
        }
        if (committed) {
            response.end(Buffer.buffer(OpenAiErrorBody.encodeEvent(error, requestId)));
            return;
        }
        ApiErrors.send(response, error, requestId);
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

    private static String summarize(int status, Buffer body) {
        if (status == 401 || status == 403) {
            // Upstreams quote (parts of) the credential they rejected; never pass that on.
            return "HTTP " + status + " (the upstream rejected the gateway's credentials)";
        }
        String text = body.toString(StandardCharsets.UTF_8);
        String message = UpstreamMessages.errorMessage(text);
        if (message == null) {
            message = text.length() > 160 ? text.substring(0, 160) + "…" : text;
        }
        message = message.replaceAll("\\s+", " ").trim();
        return "HTTP " + status + (message.isEmpty() ? "" : " (" + message + ")");
    }

    /** Whether {@code bytes} hold exactly one complete JSON value; only checked when no usage could be read. */
    private boolean wellFormedJson(byte[] bytes) {
        try (com.fasterxml.jackson.core.JsonParser p = config.json().createParser(bytes)) {
            if (p.nextToken() == null) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /**
     * The buffer for a whole answer: its declared length when that is plausible, else a small start that grows. A
     * fixed 8 KB buffer was a third of all bytes the gateway allocated per request for typical ~1 KB answers.
     */
    static int initialBodyCapacity(String contentLength, long limit) {
        if (contentLength != null) {
            try {
                long declared = Long.parseLong(contentLength.trim());
                if (declared >= 0) {
                    return (int) Math.max(16, Math.min(declared, Math.min(limit, 1L << 20)));
                }
            } catch (NumberFormatException e) {
                // fall through: the body handler enforces the limit whatever the header says
            }
        }
        return 1024;
    }

    /**
     * The wait an upstream asked for, in milliseconds: OpenAI's {@code retry-after-ms} when present, else
     * {@code retry-after} as seconds or as an HTTP date; -1 when neither is given, 1 s when unreadable.
     */
    static long retryAfterMillis(String millisHeader, String header, long nowMillis) {
        if (millisHeader != null) {
            try {
                return Math.max(0, Math.round(Double.parseDouble(millisHeader.trim())));
            } catch (NumberFormatException e) {
                // fall back to retry-after
            }
        }
        if (header == null) {
            return -1;
        }
        String value = header.trim();
        try {
            return Math.max(0, Math.multiplyExact(Long.parseLong(value), 1000L));
        } catch (NumberFormatException | ArithmeticException e) {
            // an HTTP date, perhaps
        }
        try {
            long at = java.time.ZonedDateTime.parse(value, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant()
                    .toEpochMilli();
            return Math.max(0, at - nowMillis);
        } catch (java.time.DateTimeException e) {
            return 1000;
        }
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
        String name = e.getClass().getSimpleName();
        String message = e.getMessage();
        if (e instanceof java.net.ConnectException || name.contains("Connect")) {
            return "connection failed" + (message == null ? "" : ": " + message);
        }
        if (name.contains("Timeout")) {
            return "timed out" + (message == null ? "" : ": " + message);
        }
        if (e instanceof io.vertx.core.http.StreamResetException || name.contains("Closed")) {
            return "connection closed by the upstream";
        }
        return message == null ? name : message;
    }
}
