package dev.tollgate.wire.openai;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An OpenAI request body inspected once with a streaming parser: it is validated and the byte ranges of the few
 * fields the gateway edits are remembered, so the body can be forwarded as bytes with only those edits (the
 * pass-through fast path) instead of being mapped to objects and encoded again.
 */
public final class OpenAiRequest {
    private static final byte[] INCLUDE_USAGE =
            "\"stream_options\":{\"include_usage\":true}".getBytes(StandardCharsets.UTF_8);

    private final Endpoint endpoint;
    private final byte[] body;
    private final String model;
    private final int modelStart;
    private final int modelEnd;
    private final boolean stream;
    private final boolean callerWantsUsage;
    private final int objectStart;
    private final int streamOptionsStart;
    private final int streamOptionsEnd;

    private OpenAiRequest(Endpoint endpoint, byte[] body, Scan scan) {
        this.endpoint = endpoint;
        this.body = body;
        this.model = scan.model;
        this.modelStart = scan.modelStart;
        this.modelEnd = scan.modelEnd;
        this.stream = scan.stream;
        this.callerWantsUsage = scan.includeUsage;
        this.objectStart = scan.objectStart;
        this.streamOptionsStart = scan.streamOptionsStart;
        this.streamOptionsEnd = scan.streamOptionsEnd;
    }

    /** A parser factory with the configured nesting limit. */
    public static JsonFactory parserFactory(int maxDepth) {
        return JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(maxDepth)
                        .build())
                .build();
    }

    public static OpenAiRequest inspect(Endpoint endpoint, byte[] body, JsonFactory json)
            throws InvalidRequestException {
        Scan scan = new Scan();
        try (JsonParser p = json.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidRequestException("The request body must be a JSON object.", null);
            }
            scan.objectStart = (int) p.currentTokenLocation().getByteOffset() + 1;
            boolean required = false;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "model", "stream", "stream_options" -> scan.once(name);
                    default -> {}
                }
                switch (name) {
                    case "model" -> {
                        if (value != JsonToken.VALUE_STRING) {
                            throw wrongType("model", "a string");
                        }
                        scan.modelStart = (int) p.currentTokenLocation().getByteOffset();
                        scan.model = p.getText();
                        scan.modelEnd = (int) p.currentLocation().getByteOffset();
                    }
                    case "stream" -> {
                        if (value != JsonToken.VALUE_TRUE
                                && value != JsonToken.VALUE_FALSE
                                && value != JsonToken.VALUE_NULL) {
                            throw wrongType("stream", "a boolean");
                        }
                        scan.stream = value == JsonToken.VALUE_TRUE;
                    }
                    case "stream_options" -> {
                        if (value == JsonToken.START_OBJECT) {
                            scan.streamOptionsStart =
                                    (int) p.currentTokenLocation().getByteOffset();
                            scan.includeUsage = readIncludeUsage(p);
                            scan.streamOptionsEnd = (int) p.currentLocation().getByteOffset();
                        } else if (value != JsonToken.VALUE_NULL) {
                            throw wrongType("stream_options", "an object");
                        } else {
                            scan.streamOptionsStart =
                                    (int) p.currentTokenLocation().getByteOffset();
                            scan.streamOptionsEnd = (int) p.currentLocation().getByteOffset();
                        }
                    }
                    default -> {
                        if (name.equals(endpoint.requiredField())) {
                            required = true;
                            checkRequiredShape(endpoint, value);
                        }
                        p.skipChildren();
                    }
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw new InvalidRequestException("The request body is not valid JSON.", null);
            }
            if (p.nextToken() != null) {
                throw new InvalidRequestException("The request body has content after the JSON object.", null);
            }
            if (scan.model == null) {
                throw new InvalidRequestException("Missing required parameter: 'model'.", "model");
            }
            if (scan.model.isBlank()) {
                throw new InvalidRequestException("Parameter 'model' must not be empty.", "model");
            }
            if (!required) {
                throw new InvalidRequestException(
                        "Missing required parameter: '" + endpoint.requiredField() + "'.", endpoint.requiredField());
            }
        } catch (StreamConstraintsException e) {
            throw new InvalidRequestException("The request body nests JSON too deeply.", null);
        } catch (IOException e) {
            throw new InvalidRequestException("The request body is not valid JSON: " + firstLine(e.getMessage()), null);
        }
        return new OpenAiRequest(endpoint, body, scan);
    }

    private static boolean readIncludeUsage(JsonParser p) throws IOException, InvalidRequestException {
        boolean includeUsage = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (name.equals("include_usage")) {
                if (value != JsonToken.VALUE_TRUE && value != JsonToken.VALUE_FALSE && value != JsonToken.VALUE_NULL) {
                    throw wrongType("stream_options.include_usage", "a boolean");
                }
                includeUsage = value == JsonToken.VALUE_TRUE;
            } else {
                p.skipChildren();
            }
        }
        return includeUsage;
    }

    private static void checkRequiredShape(Endpoint endpoint, JsonToken value) throws InvalidRequestException {
        switch (endpoint) {
            case CHAT_COMPLETIONS -> {
                if (value != JsonToken.START_ARRAY) {
                    throw wrongType("messages", "an array of messages");
                }
            }
            case EMBEDDINGS -> {
                if (value != JsonToken.VALUE_STRING && value != JsonToken.START_ARRAY) {
                    throw wrongType("input", "a string or an array");
                }
            }
        }
    }

    private static InvalidRequestException wrongType(String param, String expected) {
        return new InvalidRequestException("Invalid type for '" + param + "': expected " + expected + ".", param);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) : line;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    /** The model the caller asked for. */
    public String model() {
        return model;
    }

    public boolean stream() {
        return stream;
    }

    /** Whether the caller itself asked for the final usage chunk ({@code stream_options.include_usage}). */
    public boolean callerWantsUsage() {
        return callerWantsUsage;
    }

    public byte[] body() {
        return body;
    }

    /**
     * The body to send upstream: the model renamed to the deployment's, and, for streams, usage requested so that
     * metering never has to guess when the upstream completes normally.
     */
    public byte[] forUpstream(String upstreamModel) {
        byte[] quotedModel = quote(upstreamModel);
        boolean addUsage = stream && !callerWantsUsage;
        if (!addUsage && upstreamModel.equals(model)) {
            return body;
        }
        byte[] options = addUsage && streamOptionsStart >= 0 ? streamOptionsWithUsage() : null;
        int size = body.length - (modelEnd - modelStart) + quotedModel.length;
        if (addUsage) {
            size += options == null
                    ? INCLUDE_USAGE.length + 1
                    : options.length - (streamOptionsEnd - streamOptionsStart);
        }
        Splice splice = new Splice(body, size);
        if (addUsage && options == null) {
            // A new first member keeps every other byte of the caller's body where it was.
            splice.copyTo(objectStart);
            splice.write(INCLUDE_USAGE);
            splice.write((byte) ',');
        }
        if (options != null && streamOptionsStart < modelStart) {
            splice.copyTo(streamOptionsStart);
            splice.write(options);
            splice.skipTo(streamOptionsEnd);
        }
        splice.copyTo(modelStart);
        splice.write(quotedModel);
        splice.skipTo(modelEnd);
        if (options != null && streamOptionsStart > modelStart) {
            splice.copyTo(streamOptionsStart);
            splice.write(options);
            splice.skipTo(streamOptionsEnd);
        }
        splice.copyTo(body.length);
        return splice.result();
    }

    /** The caller's own stream_options with include_usage switched on (rare: callers that set other options). */
    private byte[] streamOptionsWithUsage() {
        String original =
                new String(body, streamOptionsStart, streamOptionsEnd - streamOptionsStart, StandardCharsets.UTF_8);
        if (original.equals("null")) {
            return "{\"include_usage\":true}".getBytes(StandardCharsets.UTF_8);
        }
        try {
            var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
            var node = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(original);
            node.put("include_usage", true);
            return mapper.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("stream_options was validated already", e);
        }
    }

    private static byte[] quote(String value) {
        byte[] escaped = JsonStringEncoder.getInstance().quoteAsUTF8(value);
        byte[] quoted = new byte[escaped.length + 2];
        quoted[0] = '"';
        System.arraycopy(escaped, 0, quoted, 1, escaped.length);
        quoted[quoted.length - 1] = '"';
        return quoted;
    }

    /** Copies a source array into a new one, replacing ranges in ascending order. */
    private static final class Splice {
        private final byte[] source;
        private byte[] out;
        private int read;
        private int written;

        Splice(byte[] source, int capacity) {
            this.source = source;
            this.out = new byte[capacity];
        }

        void copyTo(int sourceOffset) {
            write(source, read, sourceOffset - read);
            read = sourceOffset;
        }

        void skipTo(int sourceOffset) {
            read = sourceOffset;
        }

        void write(byte b) {
            ensure(1);
            out[written++] = b;
        }

        void write(byte[] bytes) {
            write(bytes, 0, bytes.length);
        }

        private void write(byte[] bytes, int offset, int length) {
            ensure(length);
            System.arraycopy(bytes, offset, out, written, length);
            written += length;
        }

        private void ensure(int more) {
            if (written + more > out.length) {
                out = Arrays.copyOf(out, Math.max(out.length * 2, written + more));
            }
        }

        byte[] result() {
            return written == out.length ? out : Arrays.copyOf(out, written);
        }
    }

    private static final class Scan {
        private int seen;

        /**
         * Refuses a second occurrence of a field the gateway acts on: upstream parsers keep the last one, so a second
         * {@code model} would reach a target other than the one checked. (Checking only these fields instead of every
         * key of every object spares a hash set per JSON object on the hot path.)
         */
        void once(String field) throws InvalidRequestException {
            int bit = switch (field) {
                case "model" -> 1;
                case "stream" -> 2;
                default -> 4;
            };
            if ((seen & bit) != 0) {
                throw new InvalidRequestException("Duplicate parameter: '" + field + "' appears twice.", field);
            }
            seen |= bit;
        }

        String model;
        int modelStart = -1;
        int modelEnd = -1;
        boolean stream;
        boolean includeUsage;
        int objectStart;
        int streamOptionsStart = -1;
        int streamOptionsEnd = -1;
    }
}
