package dev.tollgate.meter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable path of every usage record.
 *
 * <p>{@link #append} writes the record to a local journal with one {@code write(2)} on the caller's thread and
 * returns once the bytes are in the kernel; only then does the gateway finish the answer, so a process killed at any
 * moment has a journal line for every answer that completed. The write goes to the page cache: a few microseconds,
 * measured cheaper than handing the record to a writer thread and back (two cross-thread wake-ups per request, see
 * docs/architecture.md). A second thread moves records into the store in batched transactions, off the event loops,
 * and deletes journal segments whose records are all stored. At start-up, whatever the journal still holds is
 * replayed into the store; the store ignores request ids it already has, so a replay never doubles a record.
 *
 * <p>The journal survives a crash of the process (the kernel keeps the written pages), not of the machine.
 */
public final class UsageLedger implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UsageLedger.class);
    private static final String PREFIX = "usage-";
    private static final String SUFFIX = ".jsonl";

    /**
     * Options with their defaults written once.
     *
     * @param segmentBytes a journal segment is sealed (and deleted once stored) past this size
     * @param queueCapacity records journaled but not yet stored; past it appends are refused
     * @param linger how long the store writer waits to gather a batch
     */
    public record Options(long segmentBytes, int queueCapacity, Duration linger) {
        public static final Options DEFAULTS = new Options(8L << 20, 200_000, Duration.ofMillis(20));
    }

    private sealed interface Item {}

    private record Append(UsageRecord record) implements Item {}

    private record Flush(CompletableFuture<Void> stored) implements Item {}

    private record Sealed(Path segment) implements Item {}

    private final Path dir;
    private final UsageSink sink;
    private final Options options;
    private final ConcurrentLinkedQueue<Item> toStore = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final Thread storeThread;
    private final AtomicLong journaled = new AtomicLong();
    private final AtomicLong stored = new AtomicLong();
    private final Object journalLock = new Object();
    private volatile boolean closing;
    private final List<Consumer<List<UsageRecord>>> storedListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<UsageRecord>> appendedListeners = new CopyOnWriteArrayList<>();
    // Set when records could not be stored at shutdown: from then on no journal segment may be deleted.
    private boolean keepJournal;
    private FileChannel segment;
    private FileChannel lockChannel;
    private Path segmentPath;
    private long segmentSize;
    private long segmentSeq;

    private UsageLedger(Path dir, UsageSink sink, Options options) {
        this.dir = dir;
        this.sink = sink;
        this.options = options;
        this.storeThread = Thread.ofPlatform().name("usage-store").daemon().unstarted(this::storeLoop);
    }

    /** Replays what an earlier process left in the journal, then starts the store writer. */
    public static UsageLedger open(Path dir, UsageSink sink, Options options) throws Exception {
        Files.createDirectories(dir);
        UsageLedger ledger = new UsageLedger(dir, sink, options);
        ledger.lock();
        ledger.replay();
        ledger.openSegment();
        ledger.storeThread.start();
        return ledger;
    }

    /**
     * Journals a record: when this returns, the record survives a crash of the process. Throws, and the answer must
     * then not be delivered as metered, when the ledger is closed, too far behind, or the journal cannot be written.
     */
    public void append(UsageRecord record) throws LedgerUnavailableException {
        if (pending.get() >= options.queueCapacity()) {
            throw new LedgerUnavailableException(
                    "usage ledger is " + pending.get() + " records behind the store", null);
        }
        byte[] line = UsageRecordCodec.line(record);
        synchronized (journalLock) {
            if (closing) {
                throw new LedgerUnavailableException("usage ledger is closed", null);
            }
            try {
                ByteBuffer bytes = ByteBuffer.wrap(line);
                while (bytes.hasRemaining()) {
                    segment.write(bytes);
                }
            } catch (IOException e) {
                throw new LedgerUnavailableException("usage journal write failed", e);
            }
            segmentSize += line.length;
            pending.incrementAndGet();
            toStore.add(new Append(record));
            if (segmentSize >= options.segmentBytes()) {
                rotate();
            }
        }
        journaled.incrementAndGet();
        for (Consumer<UsageRecord> listener : appendedListeners) {
            listener.accept(record);
        }
    }

    /**
     * Calls {@code listener} on the appending thread (an event loop) with every record once it is journaled, before
     * its answer completes. For in-memory bookkeeping that must follow usage at once (rate limits); it must be
     * quick and must not block.
     */
    public void onAppended(Consumer<UsageRecord> listener) {
        appendedListeners.add(listener);
    }

    /**
     * Calls {@code listener} on the usage-store thread with every batch appended by this process once it is in the
     * store. Records replayed from an earlier process's journal at start-up are not passed on (they may already
     * have been counted before the crash). A listener must be quick; what it throws is logged and ignored.
     */
    public void onStored(Consumer<List<UsageRecord>> listener) {
        storedListeners.add(listener);
    }

    private void notifyStored(List<UsageRecord> records) {
        for (Consumer<List<UsageRecord>> listener : storedListeners) {
            try {
                listener.accept(Collections.unmodifiableList(records));
            } catch (RuntimeException e) {
                log.error("usage listener failed; the records are stored", e);
            }
        }
    }

    /** Completes when every record appended before this call is in the store. */
    public CompletableFuture<Void> flush() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (journalLock) {
            if (closing) {
                done.completeExceptionally(new IllegalStateException("usage ledger is closed"));
                return done;
            }
            toStore.add(new Flush(done));
        }
        LockSupport.unpark(storeThread);
        return done;
    }

    public long journaledCount() {
        return journaled.get();
    }

    /** Records journaled and not yet in the store. */
    public long backlog() {
        return pending.get();
    }

    public long storedCount() {
        return stored.get();
    }

    private void rotate() {
        try {
            segment.close();
            toStore.add(new Sealed(segmentPath));
            openSegment();
        } catch (IOException e) {
            log.error("usage journal rotation failed; appending to the current segment", e);
        }
    }

    private void storeLoop() {
        List<Item> items = new ArrayList<>();
        while (true) {
            boolean last = closing; // read before draining: after closing is set no item is added
            Item item;
            while (items.size() < 8192 && (item = toStore.poll()) != null) {
                items.add(item);
            }
            if (!items.isEmpty()) {
                try {
                    store(items);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                boolean full = items.size() >= 8192;
                items.clear();
                if (full) {
                    continue;
                }
            } else if (last) {
                return;
            }
            LockSupport.parkNanos(options.linger().toNanos());
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
                pending.addAndGet(-records.size());
                notifyStored(records);
                break;
            } catch (Exception e) {
                if (closing) {
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

    /**
     * Takes the journal directory for this process. Two processes on one journal would replay and delete each
     * other's segments; instances sharing a store need a journal each. The kernel drops the lock when the process
     * dies, so a crash never leaves the directory locked.
     */
    private void lock() throws IOException {
        lockChannel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            throw new IOException("the usage journal " + dir + " is in use by another Tollgate process; give each"
                    + " instance its own journal directory (tollgate serve --journal DIR)");
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

    /** Stops taking records, writes everything journaled to the store, then returns. */
    @Override
    public void close() throws InterruptedException {
        synchronized (journalLock) {
            if (closing) {
                return;
            }
            closing = true;
            try {
                segment.close();
            } catch (IOException e) {
                log.warn("closing usage journal segment failed", e);
            }
            toStore.add(new Sealed(segmentPath));
        }
        LockSupport.unpark(storeThread);
        storeThread.join();
        try {
            lockChannel.close(); // releases the lock
        } catch (IOException e) {
            log.warn("releasing the usage journal lock failed", e);
        }
    }
}
