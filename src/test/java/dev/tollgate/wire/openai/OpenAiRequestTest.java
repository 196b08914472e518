package dev.tollgate.wire.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OpenAiRequestTest {
    private static final JsonFactory JSON = OpenAiRequest.parserFactory(64);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static OpenAiRequest chat(String body) throws InvalidRequestException {
        return OpenAiRequest.inspect(Endpoint.CHAT_COMPLETIONS, body.getBytes(StandardCharsets.UTF_8), JSON);
    }

    private static String upstream(OpenAiRequest r, String model) {
        return new String(r.forUpstream(model), StandardCharsets.UTF_8);
    }

    @Test
    void renamesOnlyTheModelAndKeepsEveryOtherByte() throws Exception {
        String body =
                "{ \"messages\": [{\"role\":\"user\",\"content\":\"hi \\\"there\\\"\"}],\n  \"model\" : \"chat-small\","
                        + " \"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{}}}], \"temperature\": 0.2 }";
        OpenAiRequest r = chat(body);

        assertThat(r.model()).isEqualTo("chat-small");
        assertThat(upstream(r, "sim-chat")).isEqualTo(body.replace("\"chat-small\"", "\"sim-chat\""));
    }

    @Test
    void escapesTheUpstreamModelName() throws Exception {
        OpenAiRequest r = chat("{\"model\":\"m\",\"messages\":[]}");

        assertThat(MAPPER.readTree(r.forUpstream("we\"ird/\u00e9")).get("model").asText())
                .isEqualTo("we\"ird/\u00e9");
    }

    @Test
    void asksForUsageOnStreamsAndRemembersTheCallerDidNot() throws Exception {
        OpenAiRequest r = chat("{\"model\":\"chat-small\",\"stream\":true,\"messages\":[]}");

        JsonNode sent = MAPPER.readTree(r.forUpstream("sim-chat"));
        assertThat(r.callerWantsUsage()).isFalse();
        assertThat(sent.path("stream_options").path("include_usage").asBoolean())
                .isTrue();
        assertThat(sent.get("model").asText()).isEqualTo("sim-chat");
        assertThat(sent.get("stream").asBoolean()).isTrue();
    }

    @Test
    void keepsTheCallersOtherStreamOptionsWhenSwitchingUsageOn() throws Exception {
        OpenAiRequest r = chat("{\"stream\":true,\"stream_options\":{\"include_obfuscation\":false},"
                + "\"model\":\"chat-small\",\"messages\":[]}");

        JsonNode sent = MAPPER.readTree(r.forUpstream("sim-chat"));
        assertThat(sent.path("stream_options").path("include_usage").asBoolean())
                .isTrue();
        assertThat(sent.path("stream_options").path("include_obfuscation").asBoolean(true))
                .isFalse();
        assertThat(sent.get("model").asText()).isEqualTo("sim-chat");
    }

    @Test
    void leavesAStreamAloneWhenTheCallerAlreadyAskedForUsage() throws Exception {
        String body = "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[]}";
        OpenAiRequest r = chat(body);

        assertThat(r.callerWantsUsage()).isTrue();
        assertThat(r.forUpstream("m")).isSameAs(r.body());
    }

    @Test
    void namesTheMissingField() {
        assertThatThrownBy(() -> chat("{\"messages\":[]}"))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.param()).isEqualTo("model"));
        assertThatThrownBy(() -> chat("{\"model\":\"m\"}"))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.param()).isEqualTo("messages"));
        assertThatThrownBy(() -> OpenAiRequest.inspect(
                        Endpoint.EMBEDDINGS, "{\"model\":\"m\"}".getBytes(StandardCharsets.UTF_8), JSON))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.param()).isEqualTo("input"));
    }

    @Test
    void refusesWrongTypesNamingTheField() {
        assertThatThrownBy(() -> chat("{\"model\":5,\"messages\":[]}"))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.param()).isEqualTo("model"));
        assertThatThrownBy(() -> chat("{\"model\":\"m\",\"messages\":\"hi\"}"))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.param()).isEqualTo("messages"));
        assertThatThrownBy(() -> chat("{\"model\":\"m\",\"stream\":\"yes\",\"messages\":[]}"))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.param()).isEqualTo("stream"));
    }

    @Test
    void refusesMalformedJsonAnywhereInTheBody() {
        assertThatThrownBy(() -> chat("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",]}"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> chat("[]")).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> chat("{\"model\":\"m\",\"messages\":[]} trailing"))
                .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void refusesASecondModelFieldThatCouldSmuggleAnotherTarget() {
        assertThatThrownBy(() -> chat("{\"model\":\"allowed\",\"messages\":[],\"model\":\"other\"}"))
                .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void refusesJsonNestedBeyondTheLimit() {
        String deep = "[".repeat(100) + "]".repeat(100);
        assertThatThrownBy(() -> chat("{\"model\":\"m\",\"messages\":[],\"x\":" + deep + "}"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("deeply");
    }
}
