package dev.nabla.cli;

import dev.nabla.io.spec.Preprocessing;
import dev.nabla.io.spec.SavedModel;
import dev.nabla.onnx.Onnx;
import dev.nabla.onnx.OnnxException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code nabla import FILE.onnx --out MODEL}: turns an ONNX graph of layer ops (e.g. from
 * {@code torch.onnx.export} of a Sequential) into a saved nabla model that trains further.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import an ONNX model (a chain of layers, e.g. exported by PyTorch) as a nabla model folder.")
public final class ImportCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    @Parameters(index = "0", paramLabel = "FILE.onnx", description = "the ONNX file")
    Path onnxFile;

    @Option(names = "--out", required = true, paramLabel = "MODEL", description = "the model file to write (FILE.safetensors,"
            + " or a folder that gets model.safetensors)")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (!Files.exists(onnxFile)) throw UserError.usage(onnxFile + ": no such file; give an ONNX file");
        Onnx.Imported m = Onnx.load(onnxFile); // a file that is not ONNX, an op nabla lacks: an OnnxException naming it, for Errors
        // a leading normalization of images is kept as the model's preprocessing, as nabla train saves it
        boolean images = m.normalization() != null && m.inputShape().length == 3;
        SavedModel saved = new SavedModel(m.model(), m.inputShape());
            try {
                saved.spec(m.spec());
            } catch (OnnxException e) {
                // no JSON model-spec form (e.g. an Embedding): the saved architecture alone rebuilds it
            }
        if (images) {
            saved.preprocessing(Preprocessing.image(m.inputShape(), false,
                    new double[][] {m.normalization().mean(), m.normalization().std()}));
        }
        Path file = saved.save(out);
        PrintStream o = Streams.out(command);
        o.println("imported " + onnxFile + " (" + m.producer().strip() + "): " + m.model().size() + " layers, "
                + m.model().parameterCount() + " parameters, input " + Arrays.toString(m.inputShape()) + " -> " + file);
        if (m.normalization() != null) {
            o.println("the graph normalizes its inputs first: mean " + Arrays.toString(m.normalization().mean()) + ", std "
                    + Arrays.toString(m.normalization().std()) + (images ? " (saved as the model's preprocessing)"
                    : " (not part of the saved model: normalize inputs before predicting)"));
        }
        return 0;
    }
}
