package dev.nabla.cli;

import dev.nabla.io.spec.ModelSpec;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code nabla summary SPEC.json}: prints the Keras-style summary of a spec's network (only its
 * "model" is read). Shapes are channels first (NCHW), e.g. (None, 64, 224, 224).
 */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Print the layers, output shapes and parameter counts of a spec's network.")
public final class SummaryCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    @Mixin
    SpecFile specFile;

    @Override
    public Integer call() throws IOException {
        if (specFile.isTextSpec()) {
            throw UserError.usage("a language model's embedding and output sizes come from the vocabulary of its text;"
                    + " nabla train prints the network after reading it");
        }
        // only the network is needed: a spec without data (e.g. examples/vgg16.json) will do
        ModelSpec.Built model = specFile.readModel();
        command.commandLine().getOut().print(model.model().summary(model.inputShape()));
        command.commandLine().getOut().flush();
        return 0;
    }
}
