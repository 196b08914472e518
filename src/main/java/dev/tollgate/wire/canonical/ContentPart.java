package dev.tollgate.wire.canonical;

import java.util.Objects;

/** One part of a turn's content. JSON-valued fields ({@code arguments}, schemas) are kept as JSON text. */
public sealed interface ContentPart {

    record Text(String text) implements ContentPart {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * An image, either by {@code url} or inline ({@code mediaType} + base64 {@code data}); exactly one of the two.
     */
    record Image(String url, String mediaType, String data) implements ContentPart {
        public static Image ofUrl(String url) {
            return new Image(url, null, null);
        }

        public static Image inline(String mediaType, String base64) {
            return new Image(null, mediaType, base64);
        }

        public boolean isUrl() {
            return url != null;
        }

        /**
         * The image as media type and base64 data, for providers that take images only inline: inline data as it
         * is, a base64 {@code data:} URL taken apart; null for a URL that would have to be fetched.
         */
        public Image asInline() {
            if (!isUrl()) {
                return this;
            }
            int comma = url.indexOf(',');
            int semicolon = url.indexOf(';');
            if (!url.regionMatches(true, 0, "data:", 0, 5)
                    || comma < 0
                    || semicolon < 0
                    || semicolon > comma
                    || !url.startsWith(";base64", comma - 7)) {
                return null;
            }
            return inline(url.substring(5, semicolon), url.substring(comma + 1));
        }
    }

    /**
     * A tool call made by the assistant.
     *
     * @param arguments the arguments as JSON text (an object); OpenAI carries it as a string, Anthropic as an object
     */
    record ToolUse(String id, String name, String arguments) implements ContentPart {}

    /** The result of a tool call, sent back by the caller in a user turn. */
    record ToolResult(String toolUseId, String content, boolean isError) implements ContentPart {}

    /**
     * Visible reasoning. {@code signature} (Anthropic) must go back to the provider exactly as received; null where
     * the provider gives none (DeepSeek {@code reasoning_content}).
     */
    record Thinking(String text, String signature) implements ContentPart {}

    /** Reasoning the provider encrypted; only passed back unchanged. */
    record RedactedThinking(String data) implements ContentPart {}
}
