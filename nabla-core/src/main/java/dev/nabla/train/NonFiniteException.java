package dev.nabla.train;

/** Training stopped because the loss or a gradient became NaN or infinite. */
public final class NonFiniteException extends RuntimeException {
    /** With a message naming the epoch, the batch and where it happened. */
    public NonFiniteException(String message) {
        super(message);
    }
}
