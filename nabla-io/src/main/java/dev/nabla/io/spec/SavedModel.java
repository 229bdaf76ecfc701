package dev.nabla.io.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nabla.io.AtomicFiles;
import dev.nabla.io.NablaIOException;
import dev.nabla.io.Safetensors;
import dev.nabla.io.TensorFile;
import dev.nabla.nn.Layer;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A model on disk: a folder with {@code model.json} (the model spec) and
 * {@code model.safetensors} (the weights, by their state-dict names, readable from Python).
 * Both files are written atomically; loading checks that every weight is there with its shape.
 */
public final class SavedModel {
    /** The spec file in a model folder. */
    public static final String SPEC_FILE = "model.json";
    /** The weights file in a model folder. */
    public static final String WEIGHTS_FILE = "model.safetensors";

    private SavedModel() {}

    /** Writes the spec and the weights of model into dir (created if needed). */
    public static void save(Path dir, JsonNode modelSpec, Layer model) throws IOException {
        Files.createDirectories(dir);
        byte[] json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(modelSpec);
        AtomicFiles.write(dir.resolve(SPEC_FILE), ch -> {
            ByteBuffer b = ByteBuffer.wrap(json);
            while (b.hasRemaining()) ch.write(b);
        });
        Safetensors.write(dir.resolve(WEIGHTS_FILE), model.stateDict(), Map.of("format", "nabla.model"));
    }

    /** Rebuilds the network from dir's spec and loads its weights. */
    public static ModelSpec.Built load(Path dir) throws IOException {
        Path specFile = dir.resolve(SPEC_FILE), weightsFile = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(specFile)) throw new NablaIOException(specFile, "no model spec here; is " + dir + " a folder written by a nabla training?");
        JsonNode spec = new ObjectMapper().readTree(Files.readString(specFile, StandardCharsets.UTF_8));
        ModelSpec.Built built = ModelSpec.build(spec, specFile + " $", new Generator(0));
        TensorFile weights = Safetensors.read(weightsFile);
        Map<String, Tensor> expected = built.model().stateDict();
        Set<String> missing = new LinkedHashSet<>(expected.keySet());
        missing.removeAll(weights.tensors().keySet());
        Set<String> unexpected = new LinkedHashSet<>(weights.tensors().keySet());
        unexpected.removeAll(expected.keySet());
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new NablaIOException(weightsFile, "does not fit " + specFile + ": missing " + missing
                    + ", unexpected " + unexpected);
        }
        for (var e : expected.entrySet()) {
            Tensor w = weights.tensors().get(e.getKey());
            if (!java.util.Arrays.equals(w.shape(), e.getValue().shape()) || w.dtype() != e.getValue().dtype()) {
                throw new NablaIOException(weightsFile, "tensor " + e.getKey() + " is " + w.dtype() + " "
                        + java.util.Arrays.toString(w.shape()) + ", the model spec needs " + e.getValue().dtype() + " "
                        + java.util.Arrays.toString(e.getValue().shape()));
            }
        }
        built.model().loadStateDict(weights.tensors());
        return built;
    }
}
