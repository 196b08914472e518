package dev.tollgate.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Replaces <code>${VAR}</code> and <code>${VAR:-default}</code> in the raw text before YAML parsing;
 * <code>$${</code> stands for a literal <code>${</code>.
 *
 * <p>It works on text rather than on parsed scalars because <code>[${KEY}]</code> and <code>{api_key: ${KEY}}</code>
 * are not valid YAML until substituted. To keep the YAML structure what the author wrote, values are escaped for the
 * quoting style they land in, and a plain value that YAML would misread is wrapped in double quotes. Line breaks are
 * never introduced, so line numbers survive; {@link Result#originalColumn} maps columns back.
 */
final class EnvSubstitution {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** Something wrong with a reference, at its position in the original text. */
    record Issue(Position at, String message) {}

    /** One replaced span on a line, in 1-based columns of the output and of the original. */
    record Edit(int line, int outColumn, int outLength, int originalColumn, int originalLength) {}

    record Result(String text, List<Issue> issues, List<Edit> edits) {
        /** Maps a column of the substituted text back to the original; inside a replacement, to where it started. */
        int originalColumn(int line, int column) {
            int shift = 0;
            for (Edit edit : edits) {
                if (edit.line() != line) {
                    continue;
                }
                if (column < edit.outColumn()) {
                    break;
                }
                if (column < edit.outColumn() + edit.outLength()) {
                    return edit.originalColumn();
                }
                shift = edit.originalColumn() + edit.originalLength() - edit.outColumn() - edit.outLength();
            }
            return column + shift;
        }
    }

    private enum Context {
        PLAIN,
        DOUBLE_QUOTED,
        SINGLE_QUOTED,
        COMMENT
    }

    private final String in;
    private final Map<String, String> env;
    private final StringBuilder out = new StringBuilder();
    private final List<Issue> issues = new ArrayList<>();
    private final List<Edit> edits = new ArrayList<>();
    private int line = 1;
    private int lineStartIn;
    private int lineStartOut;

    private EnvSubstitution(String in, Map<String, String> env) {
        this.in = in;
        this.env = env;
    }

    static Result apply(String text, Map<String, String> env) {
        EnvSubstitution s = new EnvSubstitution(text, env);
        s.run();
        return new Result(s.out.toString(), List.copyOf(s.issues), List.copyOf(s.edits));
    }

    private void run() {
        Context context = Context.PLAIN;
        int i = 0;
        while (i < in.length()) {
            char c = in.charAt(i);
            if (c == '\n') {
                out.append(c);
                i++;
                line++;
                lineStartIn = i;
                lineStartOut = out.length();
                if (context == Context.COMMENT) {
                    context = Context.PLAIN;
                }
                continue;
            }
            if (context != Context.COMMENT && in.startsWith("$${", i)) {
                replace(i, 3, "${");
                i += 3;
                continue;
            }
            if (context != Context.COMMENT && in.startsWith("${", i)) {
                i = substitute(i, context);
                continue;
            }
            switch (context) {
                case COMMENT -> {}
                case PLAIN -> {
                    char before = i == lineStartIn ? '\n' : in.charAt(i - 1);
                    if (c == '#' && Character.isWhitespace(before)) {
                        context = Context.COMMENT;
                    } else if ((c == '"' || c == '\'')
                            && (Character.isWhitespace(before) || "[{,:".indexOf(before) >= 0)) {
                        context = c == '"' ? Context.DOUBLE_QUOTED : Context.SINGLE_QUOTED;
                    }
                }
                case DOUBLE_QUOTED -> {
                    if (c == '\\' && i + 1 < in.length() && in.charAt(i + 1) != '\n') {
                        out.append(c);
                        c = in.charAt(++i); // an escaped quote does not close the string
                    } else if (c == '"') {
                        context = Context.PLAIN;
                    }
                }
                case SINGLE_QUOTED -> {
                    if (c == '\'' && i + 1 < in.length() && in.charAt(i + 1) == '\'') {
                        out.append(c);
                        c = in.charAt(++i); // '' is an escaped quote
                    } else if (c == '\'') {
                        context = Context.PLAIN;
                    }
                }
            }
            out.append(c);
            i++;
        }
    }

    /** Substitutes the reference starting at {@code start} and returns the index just after it. */
    private int substitute(int start, Context context) {
        Position at = new Position(line, start - lineStartIn + 1);
        int end = in.indexOf('}', start + 2);
        int eol = in.indexOf('\n', start);
        if (end < 0 || (eol >= 0 && eol < end)) {
            issues.add(new Issue(
                    at,
                    "unterminated ${ reference: close it with } on the same line, or write $${ for a" + " literal ${"));
            out.append('$');
            return start + 1;
        }
        String body = in.substring(start + 2, end);
        int dash = body.indexOf(":-");
        String name = dash < 0 ? body : body.substring(0, dash);
        String fallback = dash < 0 ? null : body.substring(dash + 2);
        int length = end + 1 - start;
        if (!NAME.matcher(name).matches()) {
            issues.add(new Issue(
                    at,
                    "'${" + name + "}' is not a valid environment variable reference: use letters,"
                            + " digits and _ (e.g. ${UPSTREAM_KEY} or ${UPSTREAM_KEY:-default})"));
            replace(start, length, context == Context.PLAIN ? "\"\"" : "");
            return end + 1;
        }
        String value = env.get(name);
        if (value == null) {
            value = fallback;
        }
        if (value == null) {
            issues.add(new Issue(
                    at,
                    "environment variable " + name + " is not set: set it, or give a default with ${" + name
                            + ":-value}"));
            // An empty quoted string keeps the YAML valid so that the rest of the file is still checked.
            replace(start, length, context == Context.PLAIN ? "\"\"" : "");
            return end + 1;
        }
        String replacement = switch (context) {
            case DOUBLE_QUOTED -> escapeDoubleQuoted(value);
            case SINGLE_QUOTED -> {
                if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
                    issues.add(new Issue(
                            at,
                            "the value of " + name + " contains a line break, which a"
                                    + " single-quoted string cannot hold: use double quotes"));
                    yield "";
                }
                yield value.replace("'", "''");
            }
            case PLAIN -> {
                if (isSafePlain(value)) {
                    yield value;
                }
                if (standsAlone(start, end)) {
                    yield '"' + escapeDoubleQuoted(value) + '"';
                }
                issues.add(new Issue(
                        at,
                        "the value of " + name + " contains characters YAML would misread"
                                + " here: put the whole value in double quotes"));
                yield "";
            }
            case COMMENT -> throw new IllegalStateException("no substitution inside comments");
        };
        replace(start, length, replacement);
        return end + 1;
    }

    private void replace(int start, int length, String replacement) {
        edits.add(
                new Edit(line, out.length() - lineStartOut + 1, replacement.length(), start - lineStartIn + 1, length));
        out.append(replacement);
    }

    /** True when the reference is the whole scalar, so quoting it cannot change what surrounds it. */
    private boolean standsAlone(int start, int end) {
        int before = start - 1;
        while (before >= lineStartIn && (in.charAt(before) == ' ' || in.charAt(before) == '\t')) {
            before--;
        }
        boolean opens = before < lineStartIn || ":-[{,?".indexOf(in.charAt(before)) >= 0;
        int after = end + 1;
        while (after < in.length() && (in.charAt(after) == ' ' || in.charAt(after) == '\t')) {
            after++;
        }
        boolean closes = after == in.length()
                || "\r\n,]}".indexOf(in.charAt(after)) >= 0
                || (in.charAt(after) == '#' && after > end + 1);
        return opens && closes;
    }

    /** Conservative: a value YAML reads back unchanged as a plain string in both block and flow context. */
    private static boolean isSafePlain(String value) {
        if (value.isEmpty()) {
            return true; // becomes null, which optional fields treat as absent: that is what ${KEY:-} is for
        }
        if (!value.strip().equals(value) || "-?:,[]{}#&*!|>'\"%@`".indexOf(value.charAt(0)) >= 0) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (",[]{}".indexOf(c) >= 0 || Character.isISOControl(c)) {
                return false;
            }
        }
        return !value.contains(": ")
                && !value.contains(" #")
                && !value.endsWith(":")
                && !List.of("~", "null", "Null", "NULL").contains(value);
    }

    private static String escapeDoubleQuoted(String value) {
        StringBuilder escaped = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> escaped.append("\\\\");
                case '"' -> escaped.append("\\\"");
                case '\n' -> escaped.append("\\n");
                case '\r' -> escaped.append("\\r");
                case '\t' -> escaped.append("\\t");
                default -> {
                    if (Character.isISOControl(c)) {
                        escaped.append(String.format("\\u%04x", (int) c));
                    } else {
                        escaped.append(c);
                    }
                }
            }
        }
        return escaped.toString();
    }
}
