package dev.tollgate.wire.openai;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Cuts a byte stream into server-sent events at blank lines, whatever the chunking of the network. Each event is
 * handed over with its terminating blank line, so forwarding the events unchanged reproduces the input exactly.
 */
public final class SseEventSplitter {
    private final int maxEventBytes;
    private byte[] pending = new byte[1024];
    private int length;
    private int scanned;

    /** @param maxEventBytes an event longer than this is a protocol error (protects memory from a broken upstream) */
    public SseEventSplitter(int maxEventBytes) {
        this.maxEventBytes = maxEventBytes;
    }

    /** A complete event: {@code bytes[0..length)}; valid only during the callback. */
    public record Event(byte[] bytes, int offset, int length) {}

    public void feed(byte[] chunk, int offset, int count, Consumer<Event> onEvent) {
        append(chunk, offset, count);
        int start = 0;
        int i = Math.max(scanned, 1);
        while (i < length) {
            int end = eventEnd(i);
            if (end > 0) {
                onEvent.accept(new Event(pending, start, end - start));
                start = end;
                i = end + 1;
            } else {
                i++;
            }
        }
        if (start > 0) {
            System.arraycopy(pending, start, pending, 0, length - start);
            length -= start;
        }
        scanned = Math.max(0, length - 3);
        if (length > maxEventBytes) {
            throw new IllegalStateException("server-sent event longer than " + maxEventBytes + " bytes");
        }
    }

    /** Bytes received after the last complete event (a stream cut mid-event leaves some). */
    public int remaining() {
        return length;
    }

    /** The end (exclusive) of an event whose blank line ends at index {@code i}, or -1. Accepts LF and CRLF. */
    private int eventEnd(int i) {
        if (pending[i] != '\n') {
            return -1;
        }
        if (pending[i - 1] == '\n') {
            return i + 1;
        }
        if (pending[i - 1] == '\r' && i >= 3 && pending[i - 2] == '\n' && pending[i - 3] == '\r') {
            return i + 1;
        }
        if (pending[i - 1] == '\r' && i >= 2 && pending[i - 2] == '\n') {
            return i + 1;
        }
        return -1;
    }

    private void append(byte[] chunk, int offset, int count) {
        if (length + count > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, length + count));
        }
        System.arraycopy(chunk, offset, pending, length, count);
        length += count;
    }
}
