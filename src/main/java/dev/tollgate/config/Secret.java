package dev.tollgate.config;

/** A credential read from configuration. Its {@code toString} never shows the value, so it cannot leak into logs. */
public record Secret(String value) {
    public Secret {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("empty secret");
        }
    }

    @Override
    public String toString() {
        return "Secret[***]";
    }
}
