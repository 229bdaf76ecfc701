package dev.nabla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nabla.data.Dataset;
import dev.nabla.io.spec.DataSpec;
import dev.nabla.io.spec.ExperimentSpec;
import dev.nabla.io.spec.SavedModel;
import dev.nabla.train.Metric;
import dev.nabla.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nabla evaluate MODEL [--data DIR|FILE]}: loads a saved model, applies the preprocessing
 * its training applied, and prints the test loss and metrics (and a classifier's accuracy and
 * confusion matrix) as {@code nabla train} printed them; by default on the run's own test data.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a saved model (out/<name>/model.safetensors) on its test data or on --data.")
public final class EvaluateCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    @Mixin
    ModelFile modelFile;

    @Option(names = "--data", paramLabel = "DIR|FILE", description = "test data instead of the run's: a folder of IDX test"
            + " files (idx), or a CSV file whose rows are all test examples (csv)")
    Path data;

    @Override
    public Integer call() throws IOException {
        PrintStream o = Streams.out(command);
        SavedModel saved = modelFile.load();
        if (saved.isLegacy()) {
            throw UserError.failure(modelFile.path + " is a model folder of nabla 0.1 (model.json + model.safetensors),"
                    + " which did not save the preprocessing its training applied, so its inputs cannot be prepared as in"
                    + " training; train again with this nabla (./nabla train SPEC.json writes out/<name>/" + SavedModel.FILE_NAME + ")");
        }
        JsonNode exp = saved.experiment();
        if (exp == null || saved.loss() == null) {
            throw UserError.failure(saved.file() + " was saved without its experiment (data, loss): evaluate"
                    + " models written by ./nabla train, or score this one from Java with its model()");
        }
        Dataset test;
        List<Metric> metrics = new ArrayList<>();
        try {
            DataSpec ds = DataSpec.fromJson(exp.get("data"), saved.seed() == null ? 0 : saved.seed(), data);
            test = ds.rawTest(data, saved.preprocessing().strings("features"), saved.preprocessing().classes());
            for (JsonNode m : exp.path("training").path("metrics")) metrics.add(Metric.named(m.asText()));
        } catch (RuntimeException e) { // a DataFileException (a damaged data file, named) goes to Errors as it is
            throw UserError.failure(saved.file() + ": its data settings cannot be read: " + e.getMessage());
        }
        if (test == null) throw UserError.failure("the run of " + saved.file() + " had no test data; give some with --data");
        o.println("model: " + saved.file() + " (nabla " + saved.nablaVersion() + ")");
        o.println("weights sha256: " + saved.weightsSha256());
        Trainer trainer = new Trainer(saved.model(), null, ExperimentSpec.lossNamed(saved.loss()), metrics.toArray(new Metric[0]));
        TrainCommand.test(o, trainer, saved.preprocessing().apply(test), saved.preprocessing().classes(), saved.loss(),
                saved.outputShape(), new LinkedHashMap<>());
        return 0;
    }
}
