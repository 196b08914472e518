package dev.tollgate.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Reads the YAML configuration file into a validated {@link GatewayConfig}.
 *
 * <p>Steps: substitute {@code ${VAR}} from {@code env} (outside comments, line numbers kept), parse into a tree that
 * remembers where each value was written, then bind and check it, collecting every problem before failing.
 */
public final class ConfigLoader {
    private ConfigLoader() {}

    /**
     * Reads and validates {@code file}.
     *
     * @param env where {@code ${VAR}} values come from: {@code System.getenv()} in production, a map in tests
     */
    public static GatewayConfig load(Path file, Map<String, String> env) throws ConfigException {
        String yaml;
        try {
            yaml = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw fileProblem(file, "file not found");
        } catch (CharacterCodingException e) {
            throw fileProblem(file, "not UTF-8 text: save the file as UTF-8");
        } catch (IOException e) {
            throw fileProblem(file, "cannot read the file: " + e);
        }
        return parse(yaml, file, env);
    }

    /**
     * Validates configuration text that did not come from a file read here (tests, an admin upload).
     *
     * @param source where the text came from: named in problems, and the base for a relative {@code store} path
     */
    public static GatewayConfig parse(String yaml, Path source, Map<String, String> env) throws ConfigException {
        Objects.requireNonNull(yaml, "yaml");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(env, "env");
        Problems problems = new Problems(source);
        EnvSubstitution.Result text = EnvSubstitution.apply(yaml, env);
        YamlTree tree = YamlTree.parse(text, problems);
        for (EnvSubstitution.Issue issue : text.issues()) {
            problems.addRootCause(issue.at(), tree.fieldAt(issue.at()), issue.message());
        }
        GatewayConfig config = tree.root() == null ? null : new ConfigBinder(source, problems, env).bind(tree.root());
        if (config == null || !problems.isEmpty()) {
            throw problems.toException();
        }
        return config;
    }

    private static ConfigException fileProblem(Path file, String message) {
        Problems problems = new Problems(file);
        problems.add(Position.FILE, "", message);
        return problems.toException();
    }
}
