package dev.tollgate.guard;

import java.time.Instant;

/**
 * What the detector learns from one completed exchange: never the raw prompt, only a masked, length-capped skeleton
 * of it and the shape of the exchange.
 *
 * @param account the key (or tenant) that made the request; the unit verdicts apply to
 * @param org the tenant the account belongs to
 * @param skeleton the prompt text with numbers, quoted strings, addresses and the like masked, capped in length
 * @param singleTurn true when the conversation held one user message and no earlier assistant turn
 * @param n how many choices were asked for (1 when absent)
 * @param temperature the requested temperature, NaN when absent
 * @param ip network fingerprint, or null
 * @param paymentFp payment fingerprint supplied as request metadata, or null
 * @param clientFp client fingerprint (e.g. {@code x-tollgate-client-fp}), or null
 */
public record Observation(
        Instant time,
        String account,
        String org,
        String model,
        String skeleton,
        long promptTokens,
        long completionTokens,
        long reasoningTokens,
        int n,
        boolean logprobs,
        double temperature,
        boolean singleTurn,
        boolean tools,
        String ip,
        String paymentFp,
        String clientFp) {

    /** The longest skeleton kept; enough for template and phrasing features, bounded whatever the caller sends. */
    public static final int MAX_SKELETON_CHARS = 2048;

    public Observation {
        account = cap(account, 128);
        org = org == null ? account : cap(org, 128);
        model = model == null ? "" : cap(model, 128);
        skeleton = skeleton == null ? "" : cap(skeleton, MAX_SKELETON_CHARS);
        ip = capOrNull(ip);
        paymentFp = capOrNull(paymentFp);
        clientFp = capOrNull(clientFp);
        n = Math.max(1, n);
    }

    private static String cap(String s, int max) {
        return s.length() > max ? s.substring(0, max) : s;
    }

    private static String capOrNull(String s) {
        return s == null || s.isBlank() ? null : cap(s, 128);
    }
}
