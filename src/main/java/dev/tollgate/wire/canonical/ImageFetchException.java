package dev.tollgate.wire.canonical;

/**
 * An image URL the gateway could not turn into an inline image: unreachable, not an image, too large, too slow. The
 * message says which and is safe to show the caller (it names the URL the caller gave, nothing of the gateway's).
 */
public final class ImageFetchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ImageFetchException(String message) {
        super(message, null, false, false);
    }
}
