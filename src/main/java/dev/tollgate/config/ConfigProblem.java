package dev.tollgate.config;

import java.nio.file.Path;

/**
 * One thing wrong with a configuration file, located precisely enough for an editor to jump to it.
 *
 * @param line 1-based; 0 when the problem concerns the whole file (e.g. it cannot be read)
 * @param column 1-based; 0 when unknown
 * @param field dotted path such as {@code models.chat-small[1].provider}; empty for file-level problems
 * @param message what is wrong and how to fix it; never contains a secret
 */
public record ConfigProblem(Path file, int line, int column, String field, String message) {

    /** {@code FILE:LINE:COLUMN: field: message}, the format compilers use, so terminals and IDEs make it a link. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder().append(file);
        if (line > 0) {
            text.append(':').append(line).append(':').append(column);
        }
        text.append(": ");
        if (!field.isEmpty()) {
            text.append(field).append(": ");
        }
        return text.append(message).toString();
    }
}
