package dev.tollgate.cli;

import dev.tollgate.config.ConfigException;
import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.ConfigWatcher;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.server.Gateway;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", description = "Run the gateway with a configuration file; edits to the file apply live.")
final class ServeCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    @Option(
            names = {"-c", "--config"},
            required = true,
            description = "The YAML configuration file.")
    Path config;

    @Option(
            names = "--journal",
            description = "Directory of this instance's usage journal (default: beside the SQLite file, or"
                    + " tollgate.journal beside the configuration for PostgreSQL). Each instance needs its own.")
    Path journal;

    @Override
    public Integer call() throws Exception {
        GatewayConfig initial;
        try {
            initial = ConfigLoader.load(config, System.getenv());
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        return runUntilStopped(
                initial, config, System.getenv(), journal == null ? Gateway.defaultJournal(initial) : journal);
    }

    /** Starts the gateway, follows the configuration file, and stops gracefully on SIGTERM or Ctrl-C. */
    static int runUntilStopped(GatewayConfig initial, Path file, Map<String, String> env, Path journal)
            throws Exception {
        Gateway gateway = Gateway.start(initial, journal);
        ConfigWatcher watcher = ConfigWatcher.start(file, env, initial, next -> {
            try {
                gateway.apply(next);
            } catch (Exception e) {
                log.error("applying the new configuration failed; the previous one stays", e);
            }
        });
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                watcher.close();
                                gateway.close();
                            } catch (Exception e) {
                                log.error("shutdown was not clean", e);
                            } finally {
                                stopped.countDown();
                            }
                        },
                        "tollgate-shutdown"));
        stopped.await();
        return 0;
    }
}
