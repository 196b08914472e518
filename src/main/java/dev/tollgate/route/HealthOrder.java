package dev.tollgate.route;

import java.util.List;

/**
 * The deployments of one request in the order health allows, and the breaker slots the request holds. Every attempt
 * is reported by its index in {@link #deployments()}; slots of deployments never attempted are given back by
 * {@link #releaseUnused()}. Used by the one thread that runs the request.
 */
public final class HealthOrder {
    private final List<Deployment> deployments;
    private final DeploymentHealth[] health;
    private final boolean[] holding;
    private final int admitted;

    HealthOrder(List<Deployment> deployments, DeploymentHealth[] health, boolean[] holding, int admitted) {
        this.deployments = deployments;
        this.health = health;
        this.holding = holding;
        this.admitted = admitted;
    }

    public List<Deployment> deployments() {
        return deployments;
    }

    /** Whether the deployment at {@code index} is only a last resort because its breaker is open. */
    public boolean deferred(int index) {
        return index >= admitted;
    }

    /** How many deployments are tried as healthy before the deferred ones. */
    public int admitted() {
        return admitted;
    }

    public void succeeded(int index, long nanosToFirstByte) {
        health[index].succeeded(nanosToFirstByte, holding[index]);
        holding[index] = false;
    }

    public void failed(int index, AttemptFailure kind, long nanos) {
        health[index].failed(kind, nanos, holding[index]);
        holding[index] = false;
    }

    /** An attempt that ended without an outcome (the caller went away): its slot goes back. */
    public void abandoned(int index) {
        if (holding[index]) {
            holding[index] = false;
            health[index].release();
        }
    }

    /** Gives back the slots of every deployment this request did not get to. */
    public void releaseUnused() {
        for (int i = 0; i < holding.length; i++) {
            abandoned(i);
        }
    }
}
