package dev.nabla.io;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Shape;
import dev.nabla.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link Safetensors#read} returns: the tensors (in the order of their data in the file) and
 * the metadata, both unmodifiable, plus the file they came from so that later checks (a missing
 * tensor, a wrong shape or dtype) can name it.
 */
public record TensorFile(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
    /** Copies both maps, keeping their order. */
    public TensorFile {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** The tensor called {@code name}; a {@link NablaIOException} naming the file when there is none. */
    public Tensor require(String name) throws NablaIOException {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new NablaIOException(file, "no tensor '" + name + "' (the file holds " + names() + ")");
        }
        return t;
    }

    /** The tensor called {@code name}, checked to have this dtype and shape. */
    public Tensor require(String name, DType dtype, int... shape) throws NablaIOException {
        Tensor t = require(name);
        if (t.dtype() != dtype || !Arrays.equals(t.shape(), shape)) {
            throw new NablaIOException(file, "tensor '" + name + "' is " + t.dtype() + " " + Shape.str(t.shape())
                    + ", expected " + dtype + " " + Shape.str(shape));
        }
        return t;
    }

    /** The metadata value of {@code key}; a {@link NablaIOException} naming the file when absent. */
    public String requireMetadata(String key) throws NablaIOException {
        String v = metadata.get(key);
        if (v == null) throw new NablaIOException(file, "metadata key '" + key + "' is missing (present: " + metadata.keySet() + ")");
        return v;
    }

    private String names() {
        if (tensors.isEmpty()) return "no tensors";
        String all = String.join(", ", tensors.keySet());
        return all.length() > 300 ? all.substring(0, 300) + "…" : all;
    }
}
