package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class ConfigWatcherTest {
    private static final Duration PROMPTLY = Duration.ofSeconds(3);
    private static final String WITH_EMBED =
            ConfigLoaderTest.MINIMAL + "  embed-small: [{provider: sim-a, model: e}]\n";

    @TempDir
    Path dir;

    private Path file;
    private final List<GatewayConfig> applied = new CopyOnWriteArrayList<>();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger("dev.tollgate.config");
    private ConfigWatcher watcher;

    @BeforeEach
    void startWatching() throws Exception {
        logged.start();
        logger.addAppender(logged);
        file = dir.resolve("tollgate.yaml");
        Files.writeString(file, ConfigLoaderTest.MINIMAL);
        watcher = ConfigWatcher.start(
                file, ConfigLoaderTest.ENV, ConfigLoader.load(file, ConfigLoaderTest.ENV), applied::add);
    }

    @AfterEach
    void stopWatching() {
        watcher.close();
        logger.detachAppender(logged);
    }

    @Test
    void appliesAValidEditThatReplacesTheFileByAtomicRename() throws Exception {
        Path temporary = dir.resolve(".tollgate.yaml.swp");
        Files.writeString(temporary, WITH_EMBED);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

        await().atMost(PROMPTLY).until(() -> !applied.isEmpty());
        assertThat(applied.get(0).models()).containsKey("embed-small");
        assertThat(watcher.current()).isEqualTo(applied.get(0));
    }

    @Test
    void appliesAValidEditWrittenInPlace() throws Exception {
        Files.writeString(file, WITH_EMBED);

        await().atMost(PROMPTLY).until(() -> !applied.isEmpty());
        assertThat(watcher.current().models()).containsKey("embed-small");
    }

    @Test
    void appliesTheFileWhenItComesBackAfterBeingBrieflyAbsent() throws Exception {
        Files.delete(file);
        Files.writeString(file, WITH_EMBED);

        await().atMost(PROMPTLY).until(() -> !applied.isEmpty());
        assertThat(watcher.current().models()).containsKey("embed-small");
    }

    @Test
    void rejectsAnInvalidEditAndKeepsThePreviousSnapshot() throws Exception {
        GatewayConfig before = watcher.current();
        Files.writeString(file, ConfigLoaderTest.MINIMAL.replace("provider: sim-a", "provider: sim-c"));

        await().atMost(PROMPTLY)
                .until(() -> logged.list.stream()
                        .anyMatch(e -> e.getFormattedMessage()
                                .startsWith("configuration change rejected, keeping the previous one:")));
        ReloadOutcome outcome = watcher.reloadNow();

        assertThat(outcome)
                .isInstanceOfSatisfying(
                        ReloadOutcome.Rejected.class,
                        r -> assertThat(r.problems())
                                .extracting(ConfigProblem::field)
                                .containsExactly("models.chat-small[0].provider"));
        assertThat(watcher.current()).isSameAs(before);
        assertThat(applied).isEmpty();
    }

    @Test
    void reportsUnchangedForATouchOrACommentEdit() throws Exception {
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis()));
        assertThat(watcher.reloadNow()).isEqualTo(new ReloadOutcome.Unchanged());

        Files.writeString(file, "# tuned on Tuesday\n" + ConfigLoaderTest.MINIMAL);
        assertThat(watcher.reloadNow()).isEqualTo(new ReloadOutcome.Unchanged());
        assertThat(applied).isEmpty();
    }

    @Test
    void keepsListenersAndStoreUntilRestartButAppliesTheRest() throws Exception {
        watcher.close(); // so that the outcome below is ours, not the watcher thread's
        GatewayConfig before = watcher.current();
        Files.writeString(
                file, WITH_EMBED.replace("127.0.0.1:8080", "0.0.0.0:9090") + "store: jdbc:sqlite:/tmp/other.db\n");

        ReloadOutcome outcome = watcher.reloadNow();

        assertThat(outcome).isInstanceOfSatisfying(ReloadOutcome.Applied.class, a -> {
            assertThat(a.needsRestart()).containsExactly("listen", "store");
            assertThat(a.config().listen()).isEqualTo(before.listen());
            assertThat(a.config().store()).isEqualTo(before.store());
            assertThat(a.config().models()).containsKey("embed-small");
        });
        assertThat(logged.list).anyMatch(e -> e.getFormattedMessage().contains("only take effect after a restart"));
    }
}
