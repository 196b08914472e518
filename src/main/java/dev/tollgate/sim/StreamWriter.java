package dev.tollgate.sim;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.List;

/**
 * Writes server-sent events one after another on the event loop: paced by timers rather than sleeps, and pausing
 * while the client is not reading, so a slow reader costs one queued chunk rather than the whole answer.
 */
final class StreamWriter {
    private final Vertx vertx;
    private final HttpServerRequest request;
    private final HttpServerResponse response;
    private final List<Buffer> events;
    private final long delayMillis;
    private final int stopAfter;
    private final boolean closeAtStop;
    private final Runnable onComplete;
    private String contentType = "text/event-stream; charset=utf-8";
    private int next;

    /**
     * @param stopAfter write only this many events and never end the response; -1 writes them all
     * @param closeAtStop at {@code stopAfter}, close the connection (a cut stream) instead of going silent (a stall)
     * @param onComplete runs once the last event has been written
     */
    StreamWriter(
            Vertx vertx,
            HttpServerRequest request,
            List<Buffer> events,
            Duration delay,
            int stopAfter,
            boolean closeAtStop,
            Runnable onComplete) {
        this.vertx = vertx;
        this.request = request;
        this.response = request.response();
        this.events = events;
        // A non-zero delay below a millisecond still means "pause", and Vert.x timers need at least one.
        this.delayMillis = delay.isZero() ? 0 : Math.max(1, delay.toMillis());
        this.stopAfter = stopAfter;
        this.closeAtStop = closeAtStop;
        this.onComplete = onComplete;
    }

    /** Bedrock's binary event stream is not server-sent events: {@code application/vnd.amazon.eventstream}. */
    StreamWriter contentType(String contentType) {
        this.contentType = contentType;
        return this;
    }

    void start() {
        response.setChunked(true).putHeader("content-type", contentType).putHeader("cache-control", "no-cache");
        if (stopAfter == 0) {
            response.writeHead().onComplete(done -> stop());
            return;
        }
        pump();
    }

    private void pump() {
        while (!response.closed()) {
            Buffer event = events.get(next++);
            if (next == events.size()) {
                response.end(event).onSuccess(done -> onComplete.run());
                return;
            }
            Future<Void> written = response.write(event);
            if (next == stopAfter) {
                // Wait for the bytes to leave, otherwise closing could drop chunks the client should have seen.
                written.onComplete(done -> stop());
                return;
            }
            if (response.writeQueueFull()) {
                response.drainHandler(drained -> {
                    response.drainHandler(null);
                    pause();
                });
                return;
            }
            if (delayMillis > 0) {
                pause();
                return;
            }
        }
    }

    private void pause() {
        if (delayMillis > 0) {
            vertx.setTimer(delayMillis, timer -> pump());
        } else {
            pump();
        }
    }

    private void stop() {
        if (closeAtStop) {
            // A moment for the peer to read what was sent: a close right behind the last chunk lets some clients
            // report the truncation before the chunks, which would make the cut point random.
            vertx.setTimer(20, t -> request.connection().close());
        }
    }
}
