package dev.nabla.cli;

import dev.nabla.io.spec.ExperimentSpec;
import dev.nabla.io.spec.NextWordSpec;
import dev.nabla.io.spec.ModelSpec;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Parameters;

/**
 * The SPEC.json parameter the spec-driven commands share (train, diagnose, lr-find, curves,
 * summary): checks the file before reading it, and remembers the spec for {@link Errors}, which names
 * the file in a spec error and the model's size in an out-of-memory message.
 */
final class SpecFile {
    @Parameters(index = "0", paramLabel = "SPEC.json", description = "the experiment spec (see examples/)")
    Path file;

    private ExperimentSpec spec;

    /** Reads and checks the spec; dataOverride (or null) replaces its data folder or file. */
    ExperimentSpec read(Path dataOverride) throws IOException {
        checkReadable();
        spec = ExperimentSpec.read(file, dataOverride); // a SpecException: Errors names the file
        return spec;
    }

    /** True when the spec describes a language model (data of type "text"); a file that is not a readable spec is not one. */
    boolean isTextSpec() throws IOException {
        checkReadable();
        try {
            return NextWordSpec.isTextSpec(file);
        } catch (CharacterCodingException e) {
            return false; // not UTF-8: read() says so
        }
    }

    /** Reads only the spec's network (for commands that need no data). */
    ModelSpec.Built readModel() throws IOException {
        checkReadable();
        return ExperimentSpec.readModel(file);
    }

    private void checkReadable() {
        if (Files.isDirectory(file)) {
            throw UserError.usage(file + " is a folder; give a spec file such as examples/runge.json");
        }
        if (!Files.exists(file)) {
            throw UserError.usage(file + ": no such file; give a spec file such as examples/runge.json (ls examples/)");
        }
        if (!Files.isReadable(file)) throw UserError.usage(file + ": permission denied (the spec file cannot be read)");
    }

    /** What training the model takes, in bytes, as far as known (else -1): float32 weights, gradients and Adam's two moments. */
    long trainingBytes() {
        if (spec == null) return -1;
        long n = 0;
        for (Tensor p : spec.model().model().parameters()) n += p.numel();
        return 4 * 4 * n;
    }

    /** The model's size as far as known, for an out-of-memory message. */
    String sizeHint() {
        if (spec == null) return "it ran out while reading " + file + " and building its network, whose weights alone do not fit";
        long training = trainingBytes();
        return String.format(Locale.ROOT, "the model of %s has %,d parameters: %s of weights, about %s with their gradients and"
                + " Adam's two moments, plus the activations of a batch of %d", file, training / 16, Errors.bytes(training / 4),
                Errors.bytes(training), spec.batchSize());
    }
}
