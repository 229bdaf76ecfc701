package dev.nabla.cli;

import dev.nabla.io.spec.SavedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Parameters;

/**
 * The MODEL parameter the commands that use a trained model share (evaluate, predict, export):
 * a model file or the output folder holding it, loaded and checked by {@link SavedModel#load}.
 */
final class ModelFile {
    @Parameters(index = "0", paramLabel = "MODEL", description = "the model file nabla train writes"
            + " (out/<name>/" + SavedModel.FILE_NAME + "), or its folder")
    Path path;

    /**
     * The saved model. A missing file is a usage error saying where train writes one; a damaged or
     * foreign file is an IOException naming it, which {@link Errors} reports as a failure.
     */
    SavedModel load() throws IOException {
        file();
        return SavedModel.load(path);
    }

    /** The model file (path, or the model file in the folder path), checked to exist. */
    Path file() {
        if (!Files.exists(path)) {
            throw UserError.usage(path + ": no such file; ./nabla train writes out/<name>/" + SavedModel.FILE_NAME);
        }
        // a folder: the model file in it, or the folder itself (one of nabla 0.1, which SavedModel reads)
        return Files.isRegularFile(SavedModel.file(path)) ? SavedModel.file(path) : path;
    }
}
