package dev.tollgate.wire.canonical;

/**
 * The request asks for something the provider cannot do ({@code n > 1} on Anthropic, logprobs where there are none)
 * and the deployment is not configured to drop it. The caller gets a 400 naming the parameter and the deployment.
 */
public final class UnsupportedParameterException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String param;

    public UnsupportedParameterException(String param, String message) {
        super(message, null, false, false);
        this.param = param;
    }

    public String param() {
        return param;
    }
}
