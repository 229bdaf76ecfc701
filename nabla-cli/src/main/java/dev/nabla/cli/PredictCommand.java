package dev.nabla.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nabla.io.TextModelFile;
import dev.nabla.io.spec.Predictor;
import dev.nabla.train.NextWordPredictor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * {@code --json} for scripts. The work is done by {@link Predictor}. For a next-word language
 * model the inputs are the beginning of a text: the top next words with their probabilities, or
 * with {@code --generate N} the text continued by seeded sampling ({@link NextWordPredictor}).
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Predict with a saved model: top classes with probabilities, or regression values.")
public final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    @Mixin
    ModelFile modelFile;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "INPUT", description = "image files, or numbers separated by"
            + " commas (one example each); for a language model, the beginning of a text")
    List<String> inputs;

    @Option(names = "--top", paramLabel = "K", description = "classes or next words to show (default: 3 classes, 5 words)")
    Integer top;

    @Option(names = "--generate", paramLabel = "N", description = "language model: continue the text by sampling up to N tokens")
    Integer generate;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1.0",
            description = "language model: sampling temperature, below 1 sharper, above 1 flatter (default ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "language model: the sampling seed"
            + " (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--json", description = "print JSON: [{\"input\", \"top\": [{\"class\", \"index\", \"probability\"}]"
            + " or \"values\": [...]}]")
    boolean json;

    @Override
    public Integer call() throws IOException {
        PrintStream o = Streams.out(command);
        if (top != null && top < 1) throw UserError.usage("--top " + top + " must be at least 1");
        Path file = modelFile.file();
        if (Files.isRegularFile(file) && TextModelFile.isTextModel(file)) return nextWords(o, TextModelFile.load(file), top == null ? 5 : top);
        if (generate != null) throw UserError.usage("--generate continues a text: " + file + " is not a language model");
        // a damaged model file or an unreadable input: an IOException or IllegalArgumentException naming it, for Errors
        List<Predictor.Prediction> predictions = Predictor.of(modelFile.load()).predict(inputs, top == null ? 3 : top);
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

    private int nextWords(PrintStream o, TextModelFile.Loaded loaded, int top) {
        if (!(temperature > 0)) throw UserError.usage("--temperature " + temperature + " must be > 0");
        if (generate != null && generate < 1) throw UserError.usage("--generate " + generate + " must be at least 1");
        String text = String.join(" ", inputs);
        NextWordPredictor p = new NextWordPredictor(loaded.model(), loaded.vocabulary());
        if (generate != null) {
            o.println(text + " " + NextWordPredictor.join(p.generate(text, generate, temperature, seed)));
        } else {
            o.println(format(p.topK(text, top)));
        }
        return 0;
    }

    /** Next words as "word 0.106, to 0.064, ...". */
    static String format(List<NextWordPredictor.Guess> guesses) {
        StringJoiner line = new StringJoiner(", ");
        for (NextWordPredictor.Guess g : guesses) line.add(String.format(Locale.ROOT, "%s %.3f", g.word(), g.probability()));
        return line.toString();
    }
}
