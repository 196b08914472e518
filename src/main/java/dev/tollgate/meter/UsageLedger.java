package dev.tollgate.meter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable path of every usage record, off the event loops.
 *
 * <p>A record is first appended to a local journal by one thread that writes whole batches with a single system
 * call (group commit); the caller's future completes once the bytes are in the journal, and only then does the
 * gateway finish the answer — so a process killed at any moment has a journal line for every answer that completed.
 * A second thread moves the records into the store in batched transactions and deletes journal segments whose
 * records are all stored. At start-up, whatever the journal still holds is replayed into the store; the store
 * ignores request ids it already has, so a replay never doubles a record.
 *
 * <p>Without {@code fsync} the journal survives a crash of the process (the kernel keeps the written pages) but not
 * of the machine; {@code fsync: true} makes it survive power loss at the cost of one disk flush per batch.
 */
public final class UsageLedger implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UsageLedger.class);
    private static final String PREFIX = "usage-";
    private static final String SUFFIX = ".jsonl";

    /** Options with their defaults written once. */
    public record Options(boolean fsync, long segmentBytes, int queueCapacity, Duration linger) {
        public static final Options DEFAULTS = new Options(false, 8L << 20, 200_000, Duration.ofMillis(20));
    }

    private sealed interface Item {}

    private record Append(UsageRecord record, CompletableFuture<Void> journaled) implements Item {}

    private record Flush(CompletableFuture<Void> stored) implements Item {}

    private record Sealed(Path segment) implements Item {}

    private final Path dir;
    private final UsageSink sink;
    private final Options options;
    private final BlockingQueue<Item> incoming;
    private final BlockingQueue<Item> toStore = new LinkedBlockingQueue<>();
    private final Thread journalThread;
    private final Thread storeThread;
    private final AtomicLong journaled = new AtomicLong();
    private final AtomicLong stored = new AtomicLong();
    private volatile boolean closing;
    private volatile boolean journalDone;
    // Set when records could not be stored at shutdown: from then on no journal segment may be deleted.
    private boolean keepJournal;
    private FileChannel segment;
    private Path segmentPath;
    private long segmentSize;
    private long segmentSeq;

    private UsageLedger(Path dir, UsageSink sink, Options options) {
        this.dir = dir;
        this.sink = sink;
        this.options = options;
        this.incoming = new LinkedBlockingQueue<>(options.queueCapacity());
        this.journalThread = Thread.ofPlatform().name("usage-journal").daemon().unstarted(this::journalLoop);
        this.storeThread = Thread.ofPlatform().name("usage-store").daemon().unstarted(this::storeLoop);
    }

    /** Replays what an earlier process left in the journal, then starts the writer threads. */
    public static UsageLedger open(Path dir, UsageSink sink, Options options) throws Exception {
        Files.createDirectories(dir);
        UsageLedger ledger = new UsageLedger(dir, sink, options);
        ledger.replay();
        ledger.openSegment();
        ledger.journalThread.start();
        ledger.storeThread.start();
        return ledger;
    }

    /**
     * Queues a record. The future completes when the record is in the journal (it then survives a crash of the
     * process) and fails if the ledger is closed or overloaded — then the answer must not be delivered as metered.
     */
    public CompletableFuture<Void> append(UsageRecord record) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closing) {
            done.completeExceptionally(new IllegalStateException("usage ledger is closed"));
        } else if (!incoming.offer(new Append(record, done))) {
            done.completeExceptionally(new IllegalStateException("usage ledger queue is full"));
        }
        return done;
    }

    /** Completes when every record appended before this call is in the store. */
    public CompletableFuture<Void> flush() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closing || !incoming.offer(new Flush(done))) {
            done.completeExceptionally(new IllegalStateException("usage ledger is closed or full"));
        }
        return done;
    }

    public long journaledCount() {
        return journaled.get();
    }

    public long storedCount() {
        return stored.get();
    }

    private void journalLoop() {
        List<Item> batch = new ArrayList<>(1024);
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(64 * 1024);
        while (!(closing && incoming.isEmpty())) {
            try {
                Item first = incoming.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                incoming.drainTo(batch, 4096);
                writeBatch(batch, buffer);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                batch.clear();
            }
        }
        try {
            segment.close();
        } catch (IOException e) {
            log.warn("closing usage journal segment failed", e);
        }
        toStore.add(new Sealed(segmentPath));
        journalDone = true;
    }

    private void writeBatch(List<Item> batch, ByteArrayOutputStream buffer) {
        buffer.reset();
        for (Item item : batch) {
            if (item instanceof Append a) {
                UsageRecordCodec.writeLine(a.record(), buffer);
            }
        }
        try {
            if (buffer.size() > 0) {
                ByteBuffer bytes = ByteBuffer.wrap(buffer.toByteArray());
                while (bytes.hasRemaining()) {
                    segment.write(bytes);
                }
                if (options.fsync()) {
                    segment.force(false);
                }
                segmentSize += buffer.size();
            }
        } catch (IOException e) {
            log.error("usage journal write failed; the affected answers are refused", e);
            for (Item item : batch) {
                if (item instanceof Append a) {
                    a.journaled().completeExceptionally(e);
                } else {
                    toStore.add(item);
                }
            }
            return;
        }
        for (Item item : batch) {
            toStore.add(item);
            if (item instanceof Append a) {
                journaled.incrementAndGet();
                a.journaled().complete(null);
            }
        }
        if (segmentSize >= options.segmentBytes()) {
            try {
                segment.close();
                toStore.add(new Sealed(segmentPath));
                openSegment();
            } catch (IOException e) {
                log.error("usage journal rotation failed", e);
            }
        }
    }

    private void storeLoop() {
        List<Item> items = new ArrayList<>();
        while (!(journalDone && toStore.isEmpty())) {
            try {
                Item first = toStore.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                items.add(first);
                if (!closing && first instanceof Append) {
                    Thread.sleep(options.linger().toMillis());
                }
                toStore.drainTo(items, 8192);
                store(items);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                items.clear();
            }
        }
    }

    private void store(List<Item> items) throws InterruptedException {
        List<UsageRecord> records = new ArrayList<>(items.size());
        for (Item item : items) {
            if (item instanceof Append a) {
                records.add(a.record());
            }
        }
        long backoff = 50;
        while (!records.isEmpty()) {
            try {
                sink.insertUsage(records);
                stored.addAndGet(records.size());
                break;
            } catch (Exception e) {
                if (closing && journalDone) {
                    log.error(
                            "usage store unavailable at shutdown; {} records stay in the journal for the next start",
                            records.size(),
                            e);
                    keepJournal = true;
                    break;
                }
                log.warn("usage store write failed, retrying in {} ms (records are safe in the journal)", backoff, e);
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, 5_000);
            }
        }
        for (Item item : items) {
            switch (item) {
                case Sealed s -> {
                    if (!keepJournal) {
                        deleteQuietly(s.segment());
                    }
                }
                case Flush f -> {
                    if (keepJournal) {
                        f.stored().completeExceptionally(new IllegalStateException("usage store unavailable"));
                    } else {
                        f.stored().complete(null);
                    }
                }
                case Append a -> {}
            }
        }
    }

    private void replay() throws Exception {
        List<Path> segments;
        try (Stream<Path> files = Files.list(dir)) {
            segments = files.filter(p -> p.getFileName().toString().startsWith(PREFIX)
                            && p.getFileName().toString().endsWith(SUFFIX))
                    .sorted()
                    .toList();
        }
        for (Path path : segments) {
            List<UsageRecord> records = new ArrayList<>();
            int torn = 0;
            for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    records.add(UsageRecordCodec.readLine(line));
                } catch (IOException | RuntimeException e) {
                    // Only the last line of a segment can be torn, by a crash in the middle of a write; that answer
                    // was never completed, because completion waits for the write.
                    torn++;
                }
            }
            for (int i = 0; i < records.size(); i += 1000) {
                sink.insertUsage(records.subList(i, Math.min(records.size(), i + 1000)));
            }
            log.info(
                    "replayed {} usage records from journal {}{}",
                    records.size(),
                    path.getFileName(),
                    torn > 0 ? " (" + torn + " torn line skipped)" : "");
            Files.delete(path);
        }
    }

    private void openSegment() throws IOException {
        segmentPath =
                dir.resolve(String.format("%s%d-%06d%s", PREFIX, System.currentTimeMillis(), segmentSeq++, SUFFIX));
        segment = FileChannel.open(segmentPath, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        segmentSize = 0;
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("could not delete stored journal segment {}", path, e);
        }
    }

    /** Stops taking records, writes everything queued to the journal and the store, then returns. */
    @Override
    public void close() throws InterruptedException {
        closing = true;
        journalThread.join();
        storeThread.join();
    }
}
