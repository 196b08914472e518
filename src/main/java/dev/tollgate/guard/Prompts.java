package dev.tollgate.guard;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Text features of prompts: masking into a skeleton, phrasing that elicits reasoning or generates data, word
 * shingles and their MinHash band keys. All allocation-light and bounded by {@link Observation#MAX_SKELETON_CHARS}.
 */
public final class Prompts {
    /** MinHash functions: {@link #BANDS} bands of {@link #ROWS} rows. */
    static final int BANDS = 16;

    static final int ROWS = 3;
    /** Prompts shorter than this (in words) carry no template evidence: short prompts collide by chance. */
    static final int MIN_WORDS = 12;

    private static final Pattern QUOTED = Pattern.compile("\"[^\"]{0,200}\"|'[^']{2,200}'|`[^`]{0,200}`");
    private static final Pattern ADDRESS = Pattern.compile("\\S+@\\S+|https?://\\S+");
    private static final Pattern NUMBER = Pattern.compile("\\d+([.,]\\d+)*");
    private static final Pattern SPACE = Pattern.compile("\\s+");

    /*
     * Every phrase starts a word. The look-behind lets find() give up mid-word after one character test instead of
     * trying each of the phrases at every position: the alternation was the guard thread's hottest frame, using most
     * of a core under a 10k req/s benchmark.
     */
    private static final Pattern COT = Pattern.compile(
            "(?<![a-z0-9])(?:step[ -]by[ -]step|show (all )?your (work|reasoning|steps)|reason(ing)? (carefully|through|it out)"
                    + "|think (through|carefully|it through|aloud|out loud)|chain[ -]of[ -]thought|<think>"
                    + "|explain your (thinking|reasoning|thought process)|walk (me )?through|before (answering|you answer)"
                    + "|each (step|intermediate)|intermediate steps|thought process|full (reasoning|derivation)"
                    + "|detailed derivation|justify each|reasoning trace|lay out (the|your) logic|every step)");
    private static final Pattern DATAGEN = Pattern.compile(
            "(?<![a-z0-9])(?:generate 0|training (data|examples|set)|dataset|synthetic|question[- ]answer pairs|jsonl"
                    + "|fine[- ]?tun|distill|instruction[- ]response|diverse (examples|questions|problems)"
                    + "|produce 0|0 (examples|variations|samples)|variations of|tool[- ]use trace|agent trace)");

    private Prompts() {}

    /** Lower-cases and masks what varies between uses of one template: quoted strings, numbers, addresses. */
    public static String mask(String text) {
        if (text == null || text.isEmpty()) {
            return "";
        }
        String t = text.length() > 4 * Observation.MAX_SKELETON_CHARS
                ? text.substring(0, 4 * Observation.MAX_SKELETON_CHARS)
                : text;
        t = t.toLowerCase(Locale.ROOT);
        // Each pattern runs only when its anchor character is present: ADDRESS's \S+@ backtracks over every word
        // of a text without '@', which made masking the guard thread's hottest code under load.
        if (t.indexOf('@') >= 0 || t.contains("http")) {
            t = ADDRESS.matcher(t).replaceAll("<a>");
        }
        if (t.indexOf('"') >= 0 || t.indexOf('\'') >= 0 || t.indexOf('`') >= 0) {
            t = QUOTED.matcher(t).replaceAll("<q>");
        }
        if (hasDigit(t)) {
            t = NUMBER.matcher(t).replaceAll("0");
        }
        t = SPACE.matcher(t).replaceAll(" ").trim();
        return t.length() > Observation.MAX_SKELETON_CHARS ? t.substring(0, Observation.MAX_SKELETON_CHARS) : t;
    }

    private static boolean hasDigit(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                return true;
            }
        }
        return false;
    }

    static boolean elicitsReasoning(String skeleton) {
        return COT.matcher(skeleton).find();
    }

    static boolean generatesData(String skeleton) {
        return DATAGEN.matcher(skeleton).find();
    }

    /** Hashes of the skeleton's words (punctuation dropped); at most {@code max}. */
    static int words(String skeleton, long[] out) {
        int n = 0;
        int i = 0;
        int len = skeleton.length();
        while (i < len && n < out.length) {
            while (i < len && !Character.isLetterOrDigit(skeleton.charAt(i)) && skeleton.charAt(i) != '<') {
                i++;
            }
            long h = 0xcbf29ce484222325L;
            int start = i;
            while (i < len
                    && (Character.isLetterOrDigit(skeleton.charAt(i))
                            || skeleton.charAt(i) == '<'
                            || skeleton.charAt(i) == '>')) {
                h = (h ^ skeleton.charAt(i)) * 0x100000001b3L;
                i++;
            }
            if (i > start) {
                out[n++] = h;
            }
        }
        return n;
    }

    /**
     * The LSH band keys of the skeleton's MinHash over word 3-shingles, or false when the skeleton is too short to be
     * evidence of a template. Two skeletons with shingle Jaccard similarity 0.5 share a band about 88% of the time,
     * unrelated ones (similarity under 0.1) under 2%.
     */
    static boolean bands(long[] words, int count, int[] out) {
        if (count < MIN_WORDS) {
            return false;
        }
        long[] mins = new long[BANDS * ROWS];
        java.util.Arrays.fill(mins, Long.MAX_VALUE);
        for (int i = 0; i + 2 < count; i++) {
            long shingle = mix(words[i] * 31 + words[i + 1] * 17 + words[i + 2]);
            for (int f = 0; f < mins.length; f++) {
                long v = mix(shingle ^ SEEDS[f]);
                if (v < mins[f]) {
                    mins[f] = v;
                }
            }
        }
        for (int b = 0; b < BANDS; b++) {
            long h = b;
            for (int r = 0; r < ROWS; r++) {
                h = mix(h * 0x9E3779B97F4A7C15L + mins[b * ROWS + r]);
            }
            out[b] = (int) (h ^ (h >>> 32));
        }
        return true;
    }

    private static final long[] SEEDS = new long[BANDS * ROWS];

    static {
        long s = 0x5DEECE66DL;
        for (int i = 0; i < SEEDS.length; i++) {
            s = mix(s + 0x9E3779B97F4A7C15L);
            SEEDS[i] = s;
        }
    }

    /** A 64-bit finaliser (SplitMix64): cheap and well mixed. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
