package dev.tollgate.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes audit records off the request path: {@link #record} only offers to a bounded queue (never blocks an event
 * loop); one thread moves batches into the {@link AuditSink}, retrying a failed batch until the sink takes it. A full
 * queue (the store down for long under load) drops records and counts them, as blocking requests would be worse.
 */
public final class AuditTrail implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);
    private static final int BATCH = 500;
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final AuditSink sink;
    private final BlockingQueue<Object> queue;
    private final Thread thread;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private volatile boolean closing;

    /** A marker in the queue: completed once everything before it is written. */
    private record Flush(CompletableFuture<Void> done) {}

    public AuditTrail(AuditSink sink, int capacity) {
        this.sink = sink;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = Thread.ofPlatform().daemon().name("tollgate-policy-audit").start(this::run);
    }

    /** Queues a record; never blocks. */
    public void record(AuditRecord r) {
        if (!queue.offer(r)) {
            if (dropped.getAndIncrement() % 10_000 == 0) {
                log.warn("policy audit queue full: dropping audit records ({} so far)", dropped.get());
            }
        }
    }

    /** Completes when every record queued before this call is in the sink. */
    public CompletableFuture<Void> flush() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            queue.put(new Flush(done));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done.completeExceptionally(e);
        }
        return done;
    }

    public long dropped() {
        return dropped.get();
    }

    public long written() {
        return written.get();
    }

    private void run() {
        List<Object> taken = new ArrayList<>(BATCH);
        List<AuditRecord> batch = new ArrayList<>(BATCH);
        while (true) {
            try {
                Object first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closing) {
                        return;
                    }
                    continue;
                }
                taken.add(first);
                queue.drainTo(taken, BATCH - 1);
                List<Flush> flushes = new ArrayList<>();
                for (Object o : taken) {
                    if (o instanceof AuditRecord r) {
                        batch.add(r);
                    } else if (o instanceof Flush f) {
                        flushes.add(f);
                    }
                }
                write(batch);
                flushes.forEach(f -> f.done().complete(null));
            } catch (InterruptedException e) {
                if (closing) {
                    return;
                }
            } finally {
                taken.clear();
                batch.clear();
            }
        }
    }

    private void write(List<AuditRecord> batch) throws InterruptedException {
        if (batch.isEmpty()) {
            return;
        }
        while (true) {
            try {
                sink.insertAudit(batch);
                written.addAndGet(batch.size());
                return;
            } catch (Exception e) {
                if (closing) {
                    log.error("policy audit: {} records could not be written at shutdown", batch.size(), e);
                    return;
                }
                log.warn("policy audit: writing {} records failed; retrying in {}", batch.size(), RETRY, e);
                Thread.sleep(RETRY.toMillis());
            }
        }
    }

    /** Writes what is queued, then stops the thread. */
    @Override
    public void close() {
        try {
            flush().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("policy audit: flush at close failed: {}", e.toString());
        }
        closing = true;
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
