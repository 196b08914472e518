package dev.tollgate.server;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Request ids: {@code req_} and 32 hex digits, time-ordered (48 bits of milliseconds, as in UUIDv7) with 80 random
 * bits. Ids are the ledger's idempotency key, so they must never repeat; time order keeps index inserts local.
 */
final class RequestIds {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestIds() {}

    static String next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (System.currentTimeMillis() << 16) | (random.nextInt() & 0xFFFF);
        long low = random.nextLong();
        char[] out = new char[36];
        out[0] = 'r';
        out[1] = 'e';
        out[2] = 'q';
        out[3] = '_';
        for (int i = 0; i < 16; i++) {
            out[4 + i] = HEX[(int) (high >>> (60 - 4 * i)) & 0xF];
            out[20 + i] = HEX[(int) (low >>> (60 - 4 * i)) & 0xF];
        }
        return new String(out);
    }
}
