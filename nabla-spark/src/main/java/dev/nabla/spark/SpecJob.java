package dev.nabla.spark;

import dev.nabla.data.Dataset;
import dev.nabla.io.spec.ExperimentSpec;
import dev.nabla.nn.Layer;
import dev.nabla.optim.Optimizer;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.Loss;
import dev.nabla.train.Metric;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The training job of a JSON spec ({@link ExperimentSpec}): executors rebuild the network from
 * the spec's text and read the spec's data from its paths, which every executor must see (a
 * shared file system, or the same files on every machine).
 */
public final class SpecJob implements TrainingJob {
    private static final long serialVersionUID = 1L;
    private final String json, name, baseDir, dataOverride;

    /** The job of the spec text json (named name), relative paths resolved against baseDir, data optionally overridden. */
    public SpecJob(String json, String name, Path baseDir, Path dataOverride) {
        this.json = json;
        this.name = name;
        this.baseDir = baseDir.toAbsolutePath().toString();
        this.dataOverride = dataOverride == null ? null : dataOverride.toAbsolutePath().toString();
    }

    private ExperimentSpec spec() {
        return ExperimentSpec.parse(json, name, Path.of(baseDir), dataOverride == null ? null : Path.of(dataOverride));
    }

    @Override
    public String key() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((json + '\0' + baseDir + '\0' + dataOverride).getBytes(StandardCharsets.UTF_8));
            return name + ":" + HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    @Override
    public Layer model() {
        return spec().model().model();
    }

    @Override
    public Dataset trainingData() {
        ExperimentSpec spec = spec();
        try {
            spec.data();
        } catch (IOException e) {
            throw new UncheckedIOException("spec " + name + ": an executor could not read the training data", e);
        }
        return spec.train();
    }

    @Override
    public Loss loss() {
        return spec().loss();
    }

    @Override
    public List<Metric> metrics() {
        return List.of(spec().metrics());
    }

    @Override
    public Optimizer optimizer(List<Tensor> params) {
        return spec().optimizer(params);
    }
}
