package dev.tollgate.wire.openai;

/** The OpenAI endpoints the gateway serves, with the field each one requires beside {@code model}. */
public enum Endpoint {
    CHAT_COMPLETIONS("/chat/completions", "messages"),
    EMBEDDINGS("/embeddings", "input");

    private final String path;
    private final String requiredField;

    Endpoint(String path, String requiredField) {
        this.path = path;
        this.requiredField = requiredField;
    }

    /** The path under a provider's base URL, e.g. {@code /chat/completions}. */
    public String path() {
        return path;
    }

    String requiredField() {
        return requiredField;
    }
}
