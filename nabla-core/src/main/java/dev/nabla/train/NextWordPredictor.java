package dev.nabla.train;

import dev.nabla.data.Tokenizer;
import dev.nabla.data.Vocabulary;
import dev.nabla.nn.NeuralLanguageModel;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Next-word prediction with a trained {@link NeuralLanguageModel} and its vocabulary: the most
 * probable next words of a text, and text continued by sampling. The text is tokenized by
 * {@link Tokenizer}; its last n tokens are the context (padded with {@code <s>} when shorter; an
 * unknown word reads as {@code <unk>}). {@code <s>} and {@code <unk>} are never proposed.
 */
public final class NextWordPredictor {
    private final NeuralLanguageModel model;
    private final Vocabulary vocabulary;

    /** A predictor for a model trained on this vocabulary. */
    public NextWordPredictor(NeuralLanguageModel model, Vocabulary vocabulary) {
        if (model.output().numClasses() != vocabulary.size()) {
            throw new IllegalArgumentException("NextWordPredictor: the model predicts " + model.output().numClasses()
                    + " words but the vocabulary has " + vocabulary.size());
        }
        this.model = model;
        this.vocabulary = vocabulary;
    }

    /** A proposed next word and its probability. */
    public record Guess(String word, double probability) {}

    /** The k most probable next words after text, most probable first. */
    public List<Guess> topK(String text, int k) {
        double[] p = probabilities(context(Tokenizer.tokenize(text)));
        return IntStream.range(0, p.length).filter(this::proposable).boxed()
                .sorted(Comparator.comparingDouble((Integer w) -> -p[w]).thenComparing(w -> w)).limit(k)
                .map(w -> new Guess(vocabulary.word(w), p[w])).toList();
    }

    /**
     * Continues text by up to n tokens, each drawn from p(w | context)^(1/temperature)
     * (renormalized) with a generator seeded by seed; stops early at the end of a document
     * ({@code </s>}). Returns the generated tokens.
     */
    public List<String> generate(String text, int n, double temperature, long seed) {
        if (!(temperature > 0)) throw new IllegalArgumentException("generate: temperature " + temperature + " must be > 0");
        Generator gen = new Generator(seed);
        List<String> tokens = new ArrayList<>(Tokenizer.tokenize(text));
        List<String> out = new ArrayList<>();
        for (int step = 0; step < n; step++) {
            double[] p = probabilities(context(tokens));
            double total = 0;
            for (int w = 0; w < p.length; w++) {
                p[w] = proposable(w) ? Math.pow(p[w], 1 / temperature) : 0;
                total += p[w];
            }
            double u = gen.nextDouble() * total;
            int pick = 0;
            while (pick < p.length - 1 && (u -= p[pick]) >= 0) pick++;
            while (p[pick] == 0) pick--; // rounding at the very end of the distribution
            if (pick == Vocabulary.EOS_ID) break;
            String word = vocabulary.word(pick);
            tokens.add(word);
            out.add(word);
        }
        return out;
    }

    /** Tokens joined as text: a space between words, none before punctuation. */
    public static String join(List<String> tokens) {
        StringBuilder sb = new StringBuilder();
        for (String t : tokens) {
            boolean punctuation = t.length() == 1 && !Character.isLetterOrDigit(t.charAt(0));
            if (sb.length() > 0 && !punctuation) sb.append(' ');
            sb.append(t);
        }
        return sb.toString();
    }

    private boolean proposable(int w) {
        return w != Vocabulary.BOS_ID && w != Vocabulary.UNK_ID;
    }

    private long[] context(List<String> tokens) {
        int n = model.context();
        long[] ids = new long[n];
        for (int j = 0; j < n; j++) {
            int at = tokens.size() - n + j;
            ids[j] = at < 0 ? Vocabulary.BOS_ID : vocabulary.id(tokens.get(at));
        }
        return ids;
    }

    private double[] probabilities(long[] context) {
        try (var scope = GradMode.noGrad()) {
            model.eval();
            return model.forward(Tensor.of(context).reshape(1, context.length)).exp().toDoubleArray();
        }
    }
}
