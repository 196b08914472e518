package dev.tollgate.wire.canonical;

/**
 * A function the model may call.
 *
 * @param parameters the JSON schema of its arguments, as JSON text
 */
public record Tool(String name, String description, String parameters) {}
