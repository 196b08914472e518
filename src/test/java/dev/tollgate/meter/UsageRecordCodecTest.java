package dev.tollgate.meter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.wire.Usage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class UsageRecordCodecTest {
    @Test
    void aJournalLineReadsBackAsTheSameRecordWhateverCharactersTheNamesHold() throws Exception {
        UsageRecord record = new UsageRecord(
                "req_1",
                Instant.parse("2026-11-22T05:00:00.123Z"),
                "t\"en\\ant\n\t\u0001",
                null,
                "chat",
                "m\u00e9del-\ud83d\ude00",
                "sim-a",
                "sim-chat",
                "sim-a/sim-chat",
                null,
                new Usage(11, 22, 3, 4),
                true,
                UsageStatus.CLIENT_CLOSED,
                499,
                1234,
                true,
                2,
                1_234_567,
                "USD");

        byte[] line = UsageRecordCodec.line(record);
        String text = new String(line, StandardCharsets.UTF_8);

        assertThat(text).endsWith("}\n").doesNotContain("\n\t");
        assertThat(UsageRecordCodec.readLine(text.strip())).isEqualTo(record);
    }

    @Test
    void aJournalLineWrittenBeforePricesExistedReadsAsUnpriced() throws Exception {
        String old = "{\"id\":\"req_2\",\"time\":\"2026-11-22T05:00:00Z\",\"tenant\":\"acme\",\"key\":null,"
                + "\"endpoint\":\"chat\",\"model\":\"chat-small\",\"provider\":\"sim-a\",\"upstream_model\":\"sim-chat\","
                + "\"deployment\":\"sim-a/sim-chat\",\"region\":null,\"prompt_tokens\":1,\"completion_tokens\":2,"
                + "\"cached_tokens\":0,\"reasoning_tokens\":0,\"estimated\":false,\"status\":\"ok\",\"http_status\":200,"
                + "\"latency_ms\":3,\"stream\":false,\"attempts\":1}";

        UsageRecord record = UsageRecordCodec.readLine(old);

        assertThat(record.costMicros()).isZero();
        assertThat(record.currency()).isNull();
        assertThat(record.usage()).isEqualTo(new Usage(1, 2, 0, 0));
    }
}
