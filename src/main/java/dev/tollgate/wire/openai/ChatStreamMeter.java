package dev.tollgate.wire.openai;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.wire.Usage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Watches the events of an OpenAI chat completion stream as they pass through: picks out the usage chunk, keeps the
 * generated text in case the stream is cut before usage arrives (so tokens can be estimated), and tells the proxy
 * which events to drop — the usage chunk the gateway asked for on the caller's behalf, when the caller did not.
 */
public final class ChatStreamMeter {
    /** What to do with one event. */
    public enum Verdict {
        FORWARD,
        DROP,
        /** The {@code [DONE]} terminator: forward it once the usage record is safe. */
        DONE,
        /** A data line that is not a JSON object: the upstream is broken and the stream must not go on. */
        MALFORMED
    }

    private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

    private final JsonFactory json;
    private final boolean callerWantsUsage;
    private final StringBuilder generated = new StringBuilder();
    private Usage usage;
    private String upstreamError;
    private boolean sawDone;

    public ChatStreamMeter(JsonFactory json, boolean callerWantsUsage) {
        this.json = json;
        this.callerWantsUsage = callerWantsUsage;
    }

    public Verdict inspect(SseEventSplitter.Event event) {
        byte[] b = event.bytes();
        int end = event.offset() + event.length();
        int dataStart = -1;
        int dataEnd = -1;
        // OpenAI-compatible streams carry one data line per event; comments (":") and other fields pass through.
        for (int line = event.offset(); line < end; ) {
            int nl = line;
            while (nl < end && b[nl] != '\n') {
                nl++;
            }
            int lineEnd = nl > line && b[nl - 1] == '\r' ? nl - 1 : nl;
            if (startsWith(b, line, lineEnd, "data:")) {
                dataStart = line + 5;
                if (dataStart < lineEnd && b[dataStart] == ' ') {
                    dataStart++;
                }
                dataEnd = lineEnd;
            }
            line = nl + 1;
        }
        if (dataStart < 0) {
            return Verdict.FORWARD;
        }
        if (dataEnd - dataStart == DONE.length && startsWith(b, dataStart, dataEnd, "[DONE]")) {
            sawDone = true;
            return Verdict.DONE;
        }
        return inspectChunk(b, dataStart, dataEnd - dataStart);
    }

    private Verdict inspectChunk(byte[] b, int offset, int length) {
        boolean hasChoices = false;
        Usage chunkUsage = null;
        try (JsonParser p = json.createParser(b, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return Verdict.MALFORMED;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "choices" -> hasChoices = readChoices(p, value);
                    case "usage" -> {
                        if (value == JsonToken.START_OBJECT) {
                            chunkUsage = UsageReader.readUsage(p);
                        }
                    }
                    case "error" -> {
                        upstreamError = value == JsonToken.START_OBJECT ? readMessage(p) : p.getText();
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                return Verdict.MALFORMED;
            }
        } catch (IOException e) {
            return Verdict.MALFORMED;
        }
        if (chunkUsage != null) {
            usage = chunkUsage;
            if (!hasChoices && !callerWantsUsage) {
                return Verdict.DROP;
            }
        }
        return Verdict.FORWARD;
    }

    /** Collects the generated text of every choice; returns whether there was at least one choice. */
    private boolean readChoices(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.START_ARRAY) {
            p.skipChildren();
            return false;
        }
        boolean any = false;
        while (p.nextToken() == JsonToken.START_OBJECT) {
            any = true;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (name.equals("delta") && v == JsonToken.START_OBJECT) {
                    readDelta(p);
                } else {
                    p.skipChildren();
                }
            }
        }
        return any;
    }

    private void readDelta(JsonParser p) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "content", "reasoning_content", "reasoning", "refusal" -> {
                    if (v == JsonToken.VALUE_STRING) {
                        generated.append(p.getText());
                    }
                }
                case "tool_calls" -> collectStrings(p, v);
                default -> p.skipChildren();
            }
        }
    }

    /** Tool-call names and argument fragments are generated tokens too. */
    private void collectStrings(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            generated.append(p.getText());
            return;
        }
        if (!v.isStructStart()) {
            return;
        }
        int depth = 1;
        while (depth > 0) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return;
            }
            if (t.isStructStart()) {
                depth++;
            } else if (t.isStructEnd()) {
                depth--;
            } else if (t == JsonToken.VALUE_STRING
                    && !"id".equals(p.currentName())
                    && !"type".equals(p.currentName())) {
                generated.append(p.getText());
            }
        }
    }

    private static String readMessage(JsonParser p) throws IOException {
        String message = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equals("message") && v == JsonToken.VALUE_STRING) {
                message = p.getText();
            } else {
                p.skipChildren();
            }
        }
        return message == null ? "upstream error" : message;
    }

    private static boolean startsWith(byte[] b, int from, int to, String prefix) {
        if (to - from < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (b[from + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The usage the upstream reported, or null if none came (yet). */
    public Usage usage() {
        return usage;
    }

    public boolean sawDone() {
        return sawDone;
    }

    /** An error the upstream reported inside the stream, if any. */
    public String upstreamError() {
        return upstreamError;
    }

    /** Everything generated so far, for estimating tokens when the stream ends without usage. */
    public CharSequence generatedText() {
        return generated;
    }
}
