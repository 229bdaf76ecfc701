package dev.nabla.cli;

import dev.nabla.io.spec.SavedModel;
import dev.nabla.onnx.Onnx;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nabla export MODEL --onnx FILE}: writes a saved model (a folder from {@code nabla train})
 * as ONNX (opset 17, dynamic batch), optionally with a leading normalization so that the graph
 * takes raw inputs.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a saved model (the folder nabla train writes) to ONNX, for ONNX Runtime and other runtimes.")
public final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    @Mixin
    ModelFile modelFile;

    @Option(names = "--onnx", required = true, paramLabel = "FILE", description = "the ONNX file to write")
    Path onnxFile;

    @Option(names = "--name", paramLabel = "NAME", description = "the model's name in the file (default: NAME for"
            + " out/NAME/model.safetensors, as nabla train writes it)")
    String name;

    @Option(names = "--mean", split = ",", paramLabel = "M", description = "normalize inputs first: the mean per channel (with"
            + " --std), e.g. 0.286; default: the normalization saved with the model, if any")
    double[] mean;

    @Option(names = "--std", split = ",", paramLabel = "S", description = "the std per channel of the normalization, e.g. 0.353")
    double[] std;

    @Override
    public Integer call() throws IOException {
        if ((mean == null) != (std == null)) throw UserError.usage("give both --mean and --std for a normalization, or neither");
        // a damaged model file, a layer ONNX cannot express: exceptions naming them, for Errors
        SavedModel saved = modelFile.load();
        double[][] stats = mean != null ? new double[][] {mean, std} : saved.preprocessing().normalizationStats();
        Onnx.ExportOptions options = Onnx.ExportOptions.named(name != null ? name : defaultName(modelFile.path))
                .normalization(stats == null ? null : new Onnx.Normalization(stats[0], stats[1]));
        Onnx.export(saved.model(), saved.inputShape(), onnxFile, options);
        Streams.out(command).println("wrote " + onnxFile + " (ONNX opset 17, input [batch, " + join(saved.inputShape())
                + "], output [batch, " + join(saved.outputShape()) + "]" + (stats == null ? "" : ", inputs normalized first") + ")");
        return 0;
    }

    /** The model's name: NAME for out/NAME/model.safetensors (or the folder out/NAME), else the file's name without its extension. */
    static String defaultName(Path model) {
        Path abs = model.toAbsolutePath().normalize();
        Path name = abs.getFileName();
        if (name == null) return "model";
        String file = name.toString();
        if (file.equals(SavedModel.FILE_NAME) && abs.getParent() != null && abs.getParent().getFileName() != null) {
            return abs.getParent().getFileName().toString();
        }
        return file.replaceFirst("\\.safetensors$", "");
    }

    private static String join(int[] shape) {
        return String.join(", ", java.util.Arrays.stream(shape).mapToObj(Integer::toString).toList());
    }
}
