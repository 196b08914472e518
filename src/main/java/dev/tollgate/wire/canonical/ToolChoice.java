package dev.tollgate.wire.canonical;

/**
 * Whether and which tool the model must call.
 *
 * @param name the tool to call when {@code mode} is {@link Mode#TOOL}, else null
 */
public record ToolChoice(Mode mode, String name) {
    public enum Mode {
        /** The model decides (OpenAI {@code auto}, Anthropic {@code auto}). */
        AUTO,
        /** No tool (OpenAI {@code none}, Anthropic {@code none}). */
        NONE,
        /** Some tool (OpenAI {@code required}, Anthropic {@code any}). */
        REQUIRED,
        /** The named tool. */
        TOOL
    }

    public static final ToolChoice AUTO = new ToolChoice(Mode.AUTO, null);
    public static final ToolChoice NONE = new ToolChoice(Mode.NONE, null);
    public static final ToolChoice REQUIRED = new ToolChoice(Mode.REQUIRED, null);

    public static ToolChoice tool(String name) {
        return new ToolChoice(Mode.TOOL, name);
    }
}
