package dev.nabla.io.spec;

/** A spec that cannot be used, with the JSON path of the problem (e.g. {@code $.model.layers[2].type}). */
public final class SpecException extends IllegalArgumentException {
    private final String path;

    /** A problem at the given JSON path. */
    public SpecException(String path, String message) {
        super(path + ": " + message);
        this.path = path;
    }

    /** The JSON path of the problem. */
    public String path() {
        return path;
    }
}
