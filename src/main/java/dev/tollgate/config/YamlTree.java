package dev.tollgate.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * The YAML document as a small tree in which every node knows where it was written. Built in one pass over Jackson's
 * streaming parser, because Jackson's own tree forgets locations and turns {@code NO} or {@code 1.10} into a boolean
 * or a number, losing the text the author wrote.
 */
final class YamlTree {
    // Explicit, because the builder does not start from the same defaults as new YAMLFactory(): `key:` must be null.
    private static final YAMLFactory YAML = YAMLFactory.builder()
            .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
            .build();

    sealed interface Node {
        Position at();
    }

    /** A scalar keeps its original text; {@code token} says how YAML typed it (string, int, null, ...). */
    record Scalar(String text, JsonToken token, Position at) implements Node {
        boolean isNull() {
            return token == JsonToken.VALUE_NULL;
        }
    }

    record Entry(Position keyAt, Node value) {}

    record Mapping(Map<String, Entry> entries, Position at) implements Node {}

    record Sequence(List<Node> items, Position at) implements Node {}

    /** The root node, or null when the text is not valid YAML (the reason is then in problems). */
    private final Node root;
    /** Where each scalar starts, to name the field behind a problem found only by position (an unset variable). */
    private final NavigableMap<Position, String> fieldsByPosition = new TreeMap<>();

    private final Problems problems;
    private final EnvSubstitution.Result text;

    private YamlTree(EnvSubstitution.Result text, Problems problems) {
        this.text = text;
        this.problems = problems;
        this.root = parse();
    }

    static YamlTree parse(EnvSubstitution.Result text, Problems problems) {
        return new YamlTree(text, problems);
    }

    Node root() {
        return root;
    }

    /** The field whose value is at or just before {@code at} on the same line; empty if none. */
    String fieldAt(Position at) {
        Map.Entry<Position, String> found = fieldsByPosition.floorEntry(at);
        return found != null && found.getKey().line() == at.line() ? found.getValue() : "";
    }

    private Node parse() {
        try (YAMLParser parser = YAML.createParser(text.text())) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                problems.add(
                        new Position(1, 1), "", "the file is empty: it needs at least listen, providers and models");
                return null;
            }
            Node node = read(parser, "");
            if (parser.nextToken() != null) {
                problems.add(
                        position(parser.currentTokenLocation()),
                        "",
                        "only one YAML document is allowed: remove"
                                + " the --- line and what follows, or merge the documents");
            }
            return node;
        } catch (JacksonException e) {
            syntaxError(e);
            return null;
        } catch (IOException e) {
            throw new IllegalStateException("reading from a string cannot fail", e);
        }
    }

    private Node read(YAMLParser parser, String path) throws IOException {
        Position at = position(parser.currentTokenLocation());
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT) {
            Map<String, Entry> entries = new LinkedHashMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                Position keyAt = position(parser.currentTokenLocation());
                String child = path.isEmpty() ? key : path + "." + key;
                parser.nextToken();
                Node value = read(parser, child);
                Entry previous = entries.putIfAbsent(key, new Entry(keyAt, value));
                if (previous != null) {
                    problems.add(
                            keyAt,
                            child,
                            "duplicate key, first written at line "
                                    + previous.keyAt().line() + ": keep only one");
                }
            }
            return new Mapping(entries, at);
        }
        if (token == JsonToken.START_ARRAY) {
            List<Node> items = new ArrayList<>();
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                items.add(read(parser, path + "[" + items.size() + "]"));
            }
            return new Sequence(items, at);
        }
        if (parser.isCurrentAlias()) {
            problems.add(at, path, "YAML aliases (*name) are not supported: write the value out");
        }
        fieldsByPosition.put(at, path);
        return new Scalar(token == JsonToken.VALUE_NULL ? null : parser.getText(), token, at);
    }

    /**
     * Reports a syntax error without Jackson's or SnakeYAML's full message: those quote the offending line, which may
     * hold a secret that was just substituted into it.
     */
    private void syntaxError(JacksonException e) {
        Position at = position(e.getLocation());
        String what = "invalid YAML";
        if (e.getCause() instanceof MarkedYAMLException marked) {
            Mark mark = marked.getProblemMark() != null ? marked.getProblemMark() : marked.getContextMark();
            if (mark != null) {
                at = position(mark.getLine() + 1, mark.getColumn() + 1);
            }
            if (marked.getProblem() != null) {
                what += ": " + marked.getProblem();
            }
        }
        problems.add(at, fieldAt(at), what);
    }

    private Position position(JsonLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return new Position(1, 1);
        }
        return position(location.getLineNr(), location.getColumnNr());
    }

    private Position position(int line, int column) {
        return new Position(line, text.originalColumn(line, column));
    }
}
