package dev.tollgate.guard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.guard.TrafficGenerator.Event;
import dev.tollgate.guard.TrafficGenerator.Kind;
import java.io.BufferedReader;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The replay reads the documented trace format and writes the documented result lines. */
class GuardReplayTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aTraceOfANaiveCampaignAmongConsumersYieldsOneLinePerAccountWithTheCampaignFlagged() throws Exception {
        List<Event> events = new TrafficGenerator(7).generate();
        Map<String, Kind> kinds = new HashMap<>();
        StringBuilder trace = new StringBuilder();
        for (Event e : events) {
            if (e.kind() == Kind.NAIVE || e.kind() == Kind.CONSUMER_CHAT) {
                kinds.put(e.account(), e.kind());
                trace.append(JSON.writeValueAsString(e.line())).append('\n');
            }
        }
        trace.append("{\"ts\":\"not a time\",\"account\":\"x\"}\n");
        StringWriter out = new StringWriter();
        Trace.Summary summary = Trace.replay(
                new BufferedReader(new StringReader(trace.toString())),
                new Detector(GuardSettings.defaults(), c -> {}),
                out);
        assertThat(summary.refused()).isEqualTo(1);
        List<JsonNode> lines =
                out.toString().lines().map(GuardReplayTest::parse).toList();
        assertThat(lines).hasSize(kinds.size());
        assertThat(lines.getFirst().fieldNames())
                .toIterable()
                .containsExactly("account", "org", "verdict", "score", "first_flagged_at", "reasons");
        Set<String> flagged = lines.stream()
                .filter(l ->
                        Set.of("suspect", "confirmed").contains(l.get("verdict").asText()))
                .map(l -> l.get("account").asText())
                .collect(Collectors.toSet());
        assertThat(flagged).containsExactly("naive-0");
        JsonNode naive = lines.getFirst();
        assertThat(naive.get("account").asText()).isEqualTo("naive-0");
        assertThat(naive.get("first_flagged_at").asText()).startsWith("2026-10-");
        assertThat(naive.get("reasons")).isNotEmpty();
    }

    private static JsonNode parse(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new AssertionError(s, e);
        }
    }
}
