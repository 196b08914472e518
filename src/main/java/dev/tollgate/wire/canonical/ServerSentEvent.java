package dev.tollgate.wire.canonical;

import java.nio.charset.StandardCharsets;

/**
 * One server-sent event: its {@code event:} name (null when absent) and its {@code data:} lines joined by newlines
 * (null when it has none, e.g. a comment). Parsed from the bytes of one event as cut by an SSE splitter.
 */
public record ServerSentEvent(String event, String data) {

    public static ServerSentEvent parse(byte[] bytes, int offset, int length) {
        String text = new String(bytes, offset, length, StandardCharsets.UTF_8);
        String event = null;
        StringBuilder data = null;
        int i = 0;
        while (i < text.length()) {
            int eol = text.indexOf('\n', i);
            if (eol < 0) {
                eol = text.length();
            }
            int end = eol > i && text.charAt(eol - 1) == '\r' ? eol - 1 : eol;
            String line = text.substring(i, end);
            i = eol + 1;
            if (line.startsWith("data:")) {
                String value = line.substring(line.startsWith("data: ") ? 6 : 5);
                if (data == null) {
                    data = new StringBuilder(value);
                } else {
                    data.append('\n').append(value);
                }
            } else if (line.startsWith("event:")) {
                event = line.substring(line.startsWith("event: ") ? 7 : 6).trim();
            }
        }
        return new ServerSentEvent(event, data == null ? null : data.toString());
    }
}
