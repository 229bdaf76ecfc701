package dev.nabla.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nabla.io.spec.Predictor;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code nabla predict MODEL INPUT...}: runs a saved model on images (PNG/JPEG of its input
 * size), rows of numbers ("5.1,3.5,1.4,0.2") or a function's x values, with the preprocessing of
 * its training, and prints the top classes with their probabilities or the predicted values;
 * {@code --json} for scripts. The work is done by {@link Predictor}.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Predict with a saved model: top classes with probabilities, or regression values.")
public final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    @Mixin
    ModelFile modelFile;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "INPUT", description = "image files, or numbers separated by"
            + " commas (one example each)")
    List<String> inputs;

    @Option(names = "--top", paramLabel = "K", defaultValue = "3", description = "classes to show (default: ${DEFAULT-VALUE})")
    int top;

    @Option(names = "--json", description = "print JSON: [{\"input\", \"top\": [{\"class\", \"index\", \"probability\"}]"
            + " or \"values\": [...]}]")
    boolean json;

    @Override
    public Integer call() throws IOException {
        PrintStream o = Streams.out(command);
        if (top < 1) throw UserError.usage("--top " + top + " must be at least 1");
        // a damaged model file or an unreadable input: an IOException or IllegalArgumentException naming it, for Errors
        List<Predictor.Prediction> predictions = Predictor.of(modelFile.load()).predict(inputs, top);
        if (json) {
            ObjectMapper m = new ObjectMapper();
            ArrayNode all = m.createArrayNode();
            for (Predictor.Prediction p : predictions) {
                ObjectNode n = all.addObject().put("input", p.input());
                if (p.top() != null) {
                    ArrayNode t = n.putArray("top");
                    for (Predictor.Scored s : p.top()) t.addObject().put("class", s.label()).put("index", s.index()).put("probability", s.probability());
                } else {
                    ArrayNode v = n.putArray("values");
                    for (double x : p.values()) v.add(x);
                }
            }
            o.println(m.writerWithDefaultPrettyPrinter().writeValueAsString(all));
            return 0;
        }
        for (Predictor.Prediction p : predictions) {
            StringJoiner line = new StringJoiner(", ", p.input() + ": ", "");
            if (p.top() != null) {
                for (Predictor.Scored s : p.top()) line.add(String.format(Locale.ROOT, "%s %.1f%%", s.label(), 100 * s.probability()));
            } else {
                for (double x : p.values()) line.add(String.format(Locale.ROOT, "%.6g", x));
            }
            o.println(line);
        }
        return 0;
    }
}
