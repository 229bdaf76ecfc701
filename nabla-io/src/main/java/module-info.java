/**
 * nabla's files: safetensors weights, checkpoints, atomic writes, the JSON experiment spec and
 * saved models. Jackson reads and writes the JSON (and appears in the spec's public API, so it is
 * required transitively).
 */
module dev.nabla.io {
    requires transitive dev.nabla.core;
    requires transitive com.fasterxml.jackson.databind;
    requires java.desktop; // Predictor reads PNG and JPEG images (javax.imageio)

    exports dev.nabla.io;
    exports dev.nabla.io.spec;
    exports dev.nabla.io.train;
}
