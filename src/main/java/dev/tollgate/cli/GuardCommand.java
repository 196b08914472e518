package dev.tollgate.cli;

import dev.tollgate.guard.Detector;
import dev.tollgate.guard.GuardSettings;
import dev.tollgate.guard.Trace;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "guard",
        description = "Distillation detection tools.",
        subcommands = {GuardCommand.Replay.class})
final class GuardCommand {

    @Command(
            name = "replay",
            description = "Feed a recorded trace (JSON lines, see docs/guard.md) through the detector with its recorded"
                    + " timestamps; write one JSON line per account.")
    static final class Replay implements Callable<Integer> {
        @Option(names = "--trace", required = true, paramLabel = "FILE.jsonl")
        Path trace;

        @Option(names = "--out", paramLabel = "FILE", description = "Where to write the result (default: stdout).")
        Path out;

        @Option(
                names = "--allow",
                paramLabel = "NAME",
                description = "An account or organisation with a declared use (repeatable).")
        List<String> allow = List.of();

        @Override
        public Integer call() throws IOException {
            if (!Files.isReadable(trace)) {
                System.err.println(trace + ": cannot be read");
                return 2;
            }
            Detector detector = new Detector(GuardSettings.defaults().withAllowlist(Set.copyOf(allow)), c -> {});
            try (BufferedReader in = Files.newBufferedReader(trace, StandardCharsets.UTF_8)) {
                Trace.Summary s;
                if (out == null) {
                    // stdout stays open: it is not ours to close.
                    Writer w = new OutputStreamWriter(System.out, StandardCharsets.UTF_8);
                    s = Trace.replay(in, detector, w);
                } else {
                    try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
                        s = Trace.replay(in, detector, w);
                    }
                }
                System.err.printf(
                        "%d lines replayed (%d refused), %d accounts%n", s.lines(), s.refused(), s.accounts());
                return s.refused() > 0 && s.refused() == s.lines() ? 1 : 0;
            }
        }
    }
}
