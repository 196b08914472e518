package dev.tollgate.config;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import dev.tollgate.settle.SettlementTerms;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the configuration file when it changes and hands each valid new snapshot to a consumer. An invalid edit is
 * logged and ignored, so a typo never takes a running gateway down.
 *
 * <p>It watches the directory rather than the file: editors and config-management tools usually write a temporary
 * file and rename it over the old one, which a watch on the file itself would not survive.
 */
public final class ConfigWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("dev.tollgate.config");

    /** Editors save in several steps (truncate, write, rename); reload once they have been quiet this long. */
    private static final Duration QUIET = Duration.ofMillis(100);
    /** A directory that never stops changing must not postpone the reload for ever. */
    private static final Duration MAX_DELAY = Duration.ofSeconds(1);

    private final Path file;
    private final Map<String, String> env;
    private final Consumer<GatewayConfig> onChange;
    private final WatchService watchService;
    private final Thread thread;
    private final Object reloadLock = new Object();
    private volatile GatewayConfig current;

    private ConfigWatcher(Path file, Map<String, String> env, GatewayConfig initial, Consumer<GatewayConfig> onChange)
            throws IOException {
        this.file = file;
        this.env = Map.copyOf(env);
        this.current = Objects.requireNonNull(initial, "initial");
        this.onChange = Objects.requireNonNull(onChange, "onChange");
        this.watchService = file.getFileSystem().newWatchService();
        try {
            file.toAbsolutePath().getParent().register(watchService, ENTRY_CREATE, ENTRY_MODIFY);
        } catch (IOException | RuntimeException e) {
            watchService.close();
            throw e;
        }
        this.thread =
                Thread.ofPlatform().daemon().name("tollgate-config-watcher").unstarted(this::watch);
    }

    /**
     * Starts watching {@code file}. {@code onChange} runs on the watcher thread (or on the thread calling
     * {@link #reloadNow}), one call at a time.
     *
     * @param initial the snapshot in force now, normally {@code ConfigLoader.load(file, env)}
     * @throws UncheckedIOException when the file's directory cannot be watched
     */
    public static ConfigWatcher start(
            Path file, Map<String, String> env, GatewayConfig initial, Consumer<GatewayConfig> onChange) {
        ConfigWatcher watcher;
        try {
            watcher = new ConfigWatcher(file, env, initial, onChange);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot watch " + file, e);
        }
        watcher.thread.start();
        return watcher;
    }

    /** The snapshot in force. */
    public GatewayConfig current() {
        return current;
    }

    /** Reads the file now and applies it if it is valid and different. */
    public ReloadOutcome reloadNow() {
        synchronized (reloadLock) {
            GatewayConfig loaded;
            try {
                loaded = ConfigLoader.load(file, env);
            } catch (ConfigException e) {
                log.warn(
                        "configuration change rejected, keeping the previous one:\n{}",
                        e.problems().stream().map(p -> "  " + p).collect(Collectors.joining("\n")));
                return new ReloadOutcome.Rejected(e.problems());
            }
            GatewayConfig previous = current;
            List<String> needsRestart = new ArrayList<>();
            GatewayConfig next = keepRestartOnlyFields(previous, loaded, needsRestart);
            if (!needsRestart.isEmpty()) {
                log.warn(
                        "configuration: {} changed in {} but only take effect after a restart; the rest is applied",
                        needsRestart,
                        file);
            }
            if (next.equals(previous)) {
                return new ReloadOutcome.Unchanged();
            }
            current = next;
            log.info("configuration reloaded from {}", file);
            try {
                onChange.accept(next);
            } catch (RuntimeException e) {
                log.error("a configuration change listener failed", e);
            }
            return new ReloadOutcome.Applied(next, needsRestart);
        }
    }

    /** Listeners and the store are opened once at start-up; moving them needs a restart, so keep what is in use. */
    private static GatewayConfig keepRestartOnlyFields(
            GatewayConfig previous, GatewayConfig loaded, List<String> needsRestart) {
        if (!loaded.listen().equals(previous.listen())) {
            needsRestart.add("listen");
        }
        if (!loaded.store().equals(previous.store())) {
            needsRestart.add("store");
        }
        AdminConfig admin = loaded.admin();
        if (previous.admin() == null || loaded.admin() == null) {
            if (!Objects.equals(previous.admin(), loaded.admin())) {
                // Turning the admin API on or off needs a restart; until then the running one keeps its token.
                needsRestart.add("admin");
                admin = previous.admin();
            }
        } else if (!loaded.admin().listen().equals(previous.admin().listen())) {
            needsRestart.add("admin.listen");
            admin = new AdminConfig(previous.admin().listen(), loaded.admin().token());
        }
        // The settlement worker settles under the terms it started with (its ledger replays under them).
        SettlementTerms settlement = previous.settlement();
        if (!settlement.equals(loaded.settlement())) {
            needsRestart.add("settlement");
        }
        return new GatewayConfig(
                loaded.source(),
                previous.listen(),
                admin,
                previous.store(),
                loaded.providers(),
                loaded.models(),
                loaded.tenants(),
                loaded.limits(),
                loaded.timeouts(),
                loaded.routing(),
                loaded.billing(),
                loaded.guard(),
                settlement,
                loaded.policy());
    }

    private void watch() {
        try {
            while (true) {
                if (!concernsOurFile(watchService.take())) {
                    continue;
                }
                long deadline = System.nanoTime() + MAX_DELAY.toNanos();
                while (System.nanoTime() < deadline) {
                    WatchKey more = watchService.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS);
                    if (more == null) {
                        break;
                    }
                    concernsOurFile(more);
                }
                // Absent between a delete and a re-create: the create event will bring us back here.
                if (Files.exists(file)) {
                    reloadSafely();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed: stop watching
        }
    }

    /** A bug in loading one version of the file must not stop the watcher from seeing the next. */
    private void reloadSafely() {
        try {
            reloadNow();
        } catch (RuntimeException e) {
            log.error("configuration reload of {} failed", file, e);
        }
    }

    private boolean concernsOurFile(WatchKey key) {
        boolean ours = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            ours |= event.kind() == OVERFLOW || file.getFileName().equals(event.context());
        }
        key.reset();
        return ours;
    }

    @Override
    public void close() {
        try {
            watchService.close();
        } catch (IOException e) {
            log.debug("closing the configuration watch service", e);
        }
        thread.interrupt();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
