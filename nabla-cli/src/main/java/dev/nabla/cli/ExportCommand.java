package dev.nabla.cli;

import dev.nabla.data.DataFileException;
import dev.nabla.io.spec.ModelSpec;
import dev.nabla.io.spec.SavedModel;
import dev.nabla.onnx.Onnx;
import dev.nabla.onnx.OnnxException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code nabla export MODEL --onnx FILE}: writes a saved model (a folder from {@code nabla train})
 * as ONNX (opset 17, dynamic batch), optionally with a leading normalization so that the graph
 * takes raw inputs.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a saved model (the folder nabla train writes) to ONNX, for ONNX Runtime and other runtimes.")
public final class ExportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "the model folder (model.json + model.safetensors)")
    Path modelDir;

    @Option(names = "--onnx", required = true, paramLabel = "FILE", description = "the ONNX file to write")
    Path onnxFile;

    @Option(names = "--name", paramLabel = "NAME", description = "the model's name in the file (default: the folder's name, "
            + "or for out/NAME/model, as nabla train writes, NAME)")
    String name;

    @Option(names = "--mean", split = ",", paramLabel = "M", description = "normalize inputs first: the mean per channel (with --std), e.g. 0.286")
    double[] mean;

    @Option(names = "--std", split = ",", paramLabel = "S", description = "the std per channel of the normalization, e.g. 0.353")
    double[] std;

    @Override
    public Integer call() throws IOException {
        if ((mean == null) != (std == null)) {
            System.err.println("nabla export: give both --mean and --std for a normalization, or neither");
            return 2;
        }
        try {
            ModelSpec.Built built = SavedModel.load(modelDir);
            Onnx.ExportOptions options = Onnx.ExportOptions.named(name != null ? name : defaultName(modelDir))
                    .normalization(mean == null ? null : new Onnx.Normalization(mean, std));
            Onnx.export(built.model(), built.inputShape(), onnxFile, options);
            System.out.println("wrote " + onnxFile + " (ONNX opset 17, input [batch, " + join(built.inputShape()) + "], output [batch, "
                    + join(built.outputShape()) + "])");
            return 0;
        } catch (DataFileException | OnnxException | IllegalArgumentException e) { // SpecException is an IllegalArgumentException
            System.err.println("nabla export: " + e.getMessage());
            return 1;
        }
    }

    /** The folder's name, or its parent's for a folder called "model" (nabla train writes out/NAME/model). */
    static String defaultName(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        Path name = abs.getFileName();
        if (name == null) return "model";
        if (name.toString().equals("model") && abs.getParent() != null && abs.getParent().getFileName() != null) {
            return abs.getParent().getFileName().toString();
        }
        return name.toString();
    }

    private static String join(int[] shape) {
        return String.join(", ", java.util.Arrays.stream(shape).mapToObj(Integer::toString).toList());
    }
}
