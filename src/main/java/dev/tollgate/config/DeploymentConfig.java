package dev.tollgate.config;

/**
 * One way to serve a client-facing model: a provider and the model name that provider knows it by.
 *
 * @param priority lower is tried first; equal priorities share traffic by {@code weight}
 */
public record DeploymentConfig(String provider, String model, int priority, int weight) {
    /** A stable id for logs and usage records, e.g. {@code sim-a/sim-chat}. */
    public String id() {
        return provider + "/" + model;
    }
}
