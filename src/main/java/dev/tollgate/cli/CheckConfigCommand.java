package dev.tollgate.cli;

import dev.tollgate.config.ConfigException;
import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.GatewayConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "check-config", description = "Validate a configuration file without starting; exit 0 when valid.")
final class CheckConfigCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "The YAML configuration file.")
    Path file;

    @Override
    public Integer call() {
        try {
            GatewayConfig config = ConfigLoader.load(file, System.getenv());
            System.out.printf(
                    "%s: valid (%d providers, %d models, %d tenants)%n",
                    file,
                    config.providers().size(),
                    config.models().size(),
                    config.tenants().size());
            return 0;
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return 2;
        }
    }
}
