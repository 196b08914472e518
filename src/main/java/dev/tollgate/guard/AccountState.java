package dev.tollgate.guard;

/**
 * Everything the detector keeps about one account: running averages and fixed-size arrays, so its size does not grow
 * with the account's traffic (about 1.5 KB whatever the volume).
 */
final class AccountState {
    /** Recent prompt signatures compared with each new one (template mass). */
    static final int RING = 16;

    static final int FINGERPRINTS = 4;
    /** Bits of the seen-words filter behind topic breadth; cleared when half full. */
    static final int BLOOM_WORDS = 32;

    final String account;
    String org;
    long count;
    long firstSeen;
    long lastSeen;
    // Running averages, see Detector.FEATURES.
    double logRatio;
    double reasoningShare;
    double singleTurn;
    double template;
    double cot;
    double dataGen;
    double sampling;
    double novelty;
    double newModel;
    double sharedSkeleton;
    double lockstep;
    double sharedFingerprint;
    double logGap;
    double logGapSq;
    long gaps;
    final int[] ring = new int[RING * Prompts.BANDS];
    int ringSize;
    int ringNext;
    final long[] seenWords = new long[BLOOM_WORDS];
    int seenBits;
    final String[] fingerprints = new String[FINGERPRINTS];
    int fingerprintNext;
    // Verdict state.
    double score;
    double clusterScore;
    String cluster;
    Verdict verdict = Verdict.CLEAR;
    long firstFlagged = -1;

    AccountState(String account, String org) {
        this.account = account;
        this.org = org;
    }

    /** The weight of the newest observation in a running average: a plain mean at first, then exponential. */
    double alpha() {
        return Math.max(1.0 / count, 0.02);
    }

    boolean rememberFingerprint(String key) {
        for (String f : fingerprints) {
            if (key.equals(f)) {
                return false;
            }
        }
        fingerprints[fingerprintNext] = key;
        fingerprintNext = (fingerprintNext + 1) % FINGERPRINTS;
        return true;
    }

    /** Whether the signature shares a band with one of the recent ones; then remembers it. */
    boolean matchAndRemember(int[] bands) {
        boolean match = false;
        outer:
        for (int s = 0; s < ringSize; s++) {
            int base = s * Prompts.BANDS;
            for (int b = 0; b < Prompts.BANDS; b++) {
                if (ring[base + b] == bands[b]) {
                    match = true;
                    break outer;
                }
            }
        }
        System.arraycopy(bands, 0, ring, ringNext * Prompts.BANDS, Prompts.BANDS);
        ringNext = (ringNext + 1) % RING;
        ringSize = Math.min(RING, ringSize + 1);
        return match;
    }

    /** The share of these words not seen before in this account's recent prompts; then remembers them. */
    double novelty(long[] words, int n) {
        if (n == 0) {
            return 0;
        }
        int fresh = 0;
        for (int i = 0; i < n; i++) {
            int bit = (int) ((words[i] >>> 7) & (BLOOM_WORDS * 64 - 1));
            long mask = 1L << (bit & 63);
            if ((seenWords[bit >>> 6] & mask) == 0) {
                fresh++;
                seenWords[bit >>> 6] |= mask;
                seenBits++;
            }
        }
        if (seenBits > BLOOM_WORDS * 32) {
            java.util.Arrays.fill(seenWords, 0);
            seenBits = 0;
        }
        return (double) fresh / n;
    }
}
