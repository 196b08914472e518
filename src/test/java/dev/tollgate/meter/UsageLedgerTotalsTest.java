package dev.tollgate.meter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.sim.SimulatorStats;
import dev.tollgate.store.SqlStore;
import dev.tollgate.testing.GatewayFixture;
import dev.tollgate.wire.Usage;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The usage ledger adds up to exactly what the upstreams served, stores each request once, and survives a crash. */
class UsageLedgerTotalsTest {
    private static final String TOOLS = ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}]";

    @TempDir
    Path tmp;

    private static String body(int i) {
        String messages = "\"messages\":[{\"role\":\"user\",\"content\":\"Request number " + i + " "
                + "word ".repeat(i % 7) + "\"}]";
        return switch (i % 5) {
            case 0 -> "{\"model\":\"chat-small\"," + messages + "}";
            case 1 -> "{\"model\":\"chat-small\",\"stream\":true," + messages + "}";
            case 2 ->
                "{\"model\":\"chat-small\",\"stream\":true,\"stream_options\":{\"include_usage\":true}," + messages
                        + "}";
            case 3 -> "{\"model\":\"chat-small\",\"stream\":" + (i % 2 == 0) + "," + messages + TOOLS + "}";
            default -> "{\"model\":\"embed-small\",\"input\":[\"alpha " + i + "\",\"beta\"]}";
        };
    }

    @Test
    void theLedgersTotalsForAConcurrentMixEqualWhatTheSimulatorsServed() throws Exception {
        try (GatewayFixture fixture = GatewayFixture.start()) {
            ExecutorService pool = Executors.newFixedThreadPool(6);
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                String body = body(i);
                String path = body.contains("embed-small") ? "/v1/embeddings" : "/v1/chat/completions";
                answers.add(pool.submit(() -> fixture.post(path, GatewayFixture.ACME_KEY, body)));
            }
            for (Future<HttpResponse<String>> answer : answers) {
                HttpResponse<String> r = answer.get(30, TimeUnit.SECONDS);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            }
            pool.shutdown();

            JsonNode usage = fixture.usage("acme");
            SimulatorStats a = fixture.simA.stats();
            SimulatorStats b = fixture.simB.stats();

            assertThat(a.requests() + b.requests()).isEqualTo(60);
            assertThat(usage.path("requests").asLong()).isEqualTo(60);
            assertThat(usage.path("prompt_tokens").asLong()).isEqualTo(a.promptTokens() + b.promptTokens());
            assertThat(usage.path("completion_tokens").asLong()).isEqualTo(a.completionTokens() + b.completionTokens());
            assertThat(usage.path("estimated_requests").asLong()).isZero();
        }
    }

    private static UsageRecord record(String id) {
        return new UsageRecord(
                id,
                Instant.parse("2026-01-01T00:00:00Z"),
                "acme",
                "key-1",
                "chat",
                "chat-small",
                "sim-a",
                "sim-chat",
                "sim-a/sim-chat",
                "sg",
                new Usage(10, 5, 0, 0),
                false,
                UsageStatus.OK,
                200,
                12,
                false,
                1);
    }

    private static UsageLedger.Options fast() {
        return new UsageLedger.Options(1L << 20, 1000, Duration.ofMillis(1));
    }

    @Test
    void aRecordAppendedTwiceWithTheSameRequestIdIsStoredOnce() throws Exception {
        try (SqlStore store = SqlStore.open(tmp.resolve("usage.db").toString())) {
            UsageLedger ledger = UsageLedger.open(tmp.resolve("journal"), store, fast());
            ledger.append(record("req_same"));
            ledger.append(record("req_same"));
            ledger.append(record("req_other"));
            ledger.flush().get(5, TimeUnit.SECONDS);
            ledger.close();

            assertThat(store.requestIds("acme")).containsExactlyInAnyOrder("req_same", "req_other");
        }
    }

    /** A sink that remembers every batch it was given, to count deliveries rather than distinct rows. */
    private static final class RecordingSink implements UsageSink {
        final List<String> ids = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void insertUsage(List<UsageRecord> batch) {
            batch.forEach(r -> ids.add(r.requestId()));
        }
    }

    @Test
    void recordsLeftInTheJournalByACrashedLedgerAreReplayedOnOpenExactlyOnceSkippingATornLastLine() throws Exception {
        Path journal = tmp.resolve("journal");
        Files.createDirectories(journal);
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        UsageRecordCodec.writeLine(record("req_1"), lines);
        UsageRecordCodec.writeLine(record("req_2"), lines);
        ByteArrayOutputStream torn = new ByteArrayOutputStream();
        UsageRecordCodec.writeLine(record("req_3"), torn);
        lines.write(torn.toByteArray(), 0, torn.size() / 2);
        Files.write(journal.resolve("usage-1700000000000-000000.jsonl"), lines.toByteArray());
        assertThat(lines.toString(StandardCharsets.UTF_8)).contains("req_1", "req_2");

        RecordingSink sink = new RecordingSink();
        UsageLedger first = UsageLedger.open(journal, sink, fast());
        assertThat(sink.ids).containsExactly("req_1", "req_2");
        first.close();
        UsageLedger second = UsageLedger.open(journal, sink, fast());
        second.close();

        assertThat(sink.ids).containsExactly("req_1", "req_2");
        try (SqlStore store = SqlStore.open(tmp.resolve("replayed.db").toString())) {
            Files.write(journal.resolve("usage-1700000000001-000000.jsonl"), lines.toByteArray());
            UsageLedger.open(journal, store, fast()).close();
            assertThat(store.requestIds("acme")).containsExactlyInAnyOrder("req_1", "req_2");
        }
    }
}
