package dev.tollgate.wire.canonical;

/**
 * The shape the answer must take (OpenAI {@code response_format}).
 *
 * @param name the schema's name for {@link Type#JSON_SCHEMA}, else null
 * @param schema the JSON schema as JSON text for {@link Type#JSON_SCHEMA}, else null
 */
public record ResponseFormat(Type type, String name, String schema, Boolean strict) {
    public enum Type {
        TEXT,
        JSON_OBJECT,
        JSON_SCHEMA
    }

    public static final ResponseFormat JSON_OBJECT = new ResponseFormat(Type.JSON_OBJECT, null, null, null);
}
