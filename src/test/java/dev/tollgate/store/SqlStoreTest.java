package dev.tollgate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.meter.UsageQuery;
import dev.tollgate.meter.UsageRecord;
import dev.tollgate.meter.UsageStatus;
import dev.tollgate.wire.Usage;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqlStoreTest {
    @TempDir
    Path dir;

    private static UsageRecord record(String id, long prompt, long completion) {
        return new UsageRecord(
                id,
                Instant.parse("2026-11-22T00:00:00Z"),
                "acme",
                "key_1",
                "chat",
                "chat-small",
                "sim-a",
                "sim-chat",
                "sim-a/sim-chat",
                "sg",
                new Usage(prompt, completion, 0, 0),
                false,
                UsageStatus.OK,
                200,
                5,
                false,
                1);
    }

    @Test
    void storesEachRequestIdOnceAcrossAndWithinBatchesOfAnySize() throws Exception {
        try (SqlStore store = SqlStore.open(dir.resolve("t.db").toString())) {
            List<UsageRecord> first = new ArrayList<>();
            for (int i = 0; i < 137; i++) {
                first.add(record("req_" + i, 10, 1));
            }
            first.add(record("req_5", 10, 1)); // a duplicate inside the batch
            store.insertUsage(first);
            List<UsageRecord> replay = new ArrayList<>(first.subList(60, 138)); // a replay overlapping the first
            replay.add(record("req_200", 10, 1));
            store.insertUsage(replay);

            var summary = store.summarize(new UsageQuery("acme", null, null, null, null));
            assertThat(summary.requests()).isEqualTo(138);
            assertThat(summary.promptTokens()).isEqualTo(1380);
            assertThat(store.requestIds("acme")).hasSize(138).doesNotHaveDuplicates();
        }
    }

    @Test
    void refusesToEditOrDeleteAUsageRecord() throws Exception {
        Path file = dir.resolve("t.db");
        try (SqlStore store = SqlStore.open(file.toString())) {
            store.insertUsage(List.of(record("req_1", 1, 1)));
        }
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            assertThatThrownBy(() -> c.createStatement().executeUpdate("UPDATE usage_records SET prompt_tokens = 0"))
                    .hasMessageContaining("append-only");
            assertThatThrownBy(() -> c.createStatement().executeUpdate("DELETE FROM usage_records"))
                    .hasMessageContaining("append-only");
        }
    }
}
