package dev.tollgate.wire.bedrock;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.eventstream.HeaderValue;
import software.amazon.awssdk.eventstream.Message;

/** Encodes ConverseStream frames the way Bedrock sends them, for the simulator and for test fixtures. */
public final class EventStreamFrames {
    private EventStreamFrames() {}

    /** An {@code event} frame: {@code :event-type}, {@code :content-type application/json}, {@code :message-type}. */
    public static byte[] event(String eventType, String json) {
        Map<String, HeaderValue> headers = new LinkedHashMap<>();
        headers.put(":event-type", HeaderValue.fromString(eventType));
        headers.put(":content-type", HeaderValue.fromString("application/json"));
        headers.put(":message-type", HeaderValue.fromString("event"));
        return encode(headers, json);
    }

    /** A modeled error inside the stream, e.g. {@code throttlingException} with {@code {"message":"..."}}. */
    public static byte[] exception(String exceptionType, String json) {
        Map<String, HeaderValue> headers = new LinkedHashMap<>();
        headers.put(":exception-type", HeaderValue.fromString(exceptionType));
        headers.put(":content-type", HeaderValue.fromString("application/json"));
        headers.put(":message-type", HeaderValue.fromString("exception"));
        return encode(headers, json);
    }

    private static byte[] encode(Map<String, HeaderValue> headers, String json) {
        ByteBuffer buffer = new Message(headers, json.getBytes(UTF_8)).toByteBuffer();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
