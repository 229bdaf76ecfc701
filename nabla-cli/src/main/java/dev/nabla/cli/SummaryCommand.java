package dev.nabla.cli;

import dev.nabla.io.spec.ExperimentSpec;
import dev.nabla.io.spec.ModelSpec;
import dev.nabla.io.spec.SpecException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code nabla summary SPEC.json}: prints the Keras-style summary of a spec's network (only its
 * "model" is read). Shapes are channels first (NCHW), e.g. (None, 64, 224, 224).
 */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Print the layers, output shapes and parameter counts of a spec's network.")
public final class SummaryCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SPEC.json", description = "the experiment spec")
    Path specFile;

    @Override
    public Integer call() throws IOException {
        if (dev.nabla.io.spec.NextWordSpec.isTextSpec(specFile)) {
            System.err.println("nabla summary: " + specFile + ": a language model's embedding and output sizes come from the"
                    + " vocabulary of its text; nabla train prints the network after reading it");
            return 2;
        }
        try {
            // only the network is needed: a spec without data (e.g. examples/vgg16.json) will do
            ModelSpec.Built model = ExperimentSpec.readModel(specFile);
            System.out.print(model.model().summary(model.inputShape()));
            return 0;
        } catch (SpecException e) {
            System.err.println("nabla summary: " + specFile + ": " + e.getMessage());
            return 2;
        }
    }
}
