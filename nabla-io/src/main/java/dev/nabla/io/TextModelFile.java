package dev.nabla.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nabla.data.Tokenizer;
import dev.nabla.data.Vocabulary;
import dev.nabla.io.spec.NextWordSpec;
import dev.nabla.nn.NeuralLanguageModel;
import dev.nabla.tensor.Generator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained language model in one safetensors file: the weights under their state-dict names,
 * and in the header's metadata the "model" part of the spec ({@code "spec"}) and the
 * preprocessing ({@code "preprocessing"}: {@code {"type": "next_word", "tokenizer": ..., "context":
 * n, "vocabulary": {"words": [...], "counts": [...]}}}), from which the network, its Huffman tree
 * (rebuilt from the counts, deterministically) and the tokenization are restored. Written
 * atomically.
 */
public final class TextModelFile {
    /** The value of "preprocessing.type". */
    public static final String TYPE = "next_word";

    private TextModelFile() {}

    /** A model and the vocabulary it reads and predicts. */
    public record Loaded(NeuralLanguageModel model, Vocabulary vocabulary) {}

    /** The vocabulary as JSON: its words by id and their training counts. */
    public static ObjectNode vocabularyToJson(Vocabulary v) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        var words = o.putArray("words");
        v.words().forEach(words::add);
        var counts = o.putArray("counts");
        for (long c : v.counts()) counts.add(c);
        return o;
    }

    /** The vocabulary of {@link #vocabularyToJson}. */
    public static Vocabulary vocabularyFromJson(JsonNode o) {
        List<String> words = new ArrayList<>();
        o.path("words").forEach(w -> words.add(w.asText()));
        JsonNode c = o.path("counts");
        long[] counts = new long[c.size()];
        for (int i = 0; i < counts.length; i++) counts[i] = c.get(i).asLong();
        return new Vocabulary(words, counts);
    }

    /** Writes model, its spec's "model" part and its vocabulary to file. */
    public static void save(Path file, JsonNode modelSpec, NeuralLanguageModel model, Vocabulary vocabulary) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode pre = json.createObjectNode();
        pre.put("type", TYPE);
        pre.put("tokenizer", Tokenizer.RULE);
        pre.put("context", model.context());
        pre.set("vocabulary", vocabularyToJson(vocabulary));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "nabla.model");
        meta.put("spec", json.writeValueAsString(modelSpec));
        meta.put("preprocessing", json.writeValueAsString(pre));
        Safetensors.writeChecked(file, model.stateDict(), meta); // checksummed, as every model file
    }

    /** True when file is a model file whose preprocessing is a next-word language model's (its header is read, not its weights). */
    public static boolean isTextModel(Path file) throws IOException {
        String pre = Safetensors.readHeader(file).metadata().get("preprocessing");
        return pre != null && TYPE.equals(new ObjectMapper().readTree(pre).path("type").asText());
    }

    /** Reads a file written by {@link #save}: the network with its weights, and the vocabulary. */
    public static Loaded load(Path file) throws IOException {
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new NablaIOException(file, "no such model file; train one first, e.g. nabla train examples/next-word.json"
                    + " (it writes out/next-word/model.safetensors)");
        }
        TensorFile f = Safetensors.read(file);
        ObjectMapper json = new ObjectMapper();
        JsonNode pre = json.readTree(f.requireMetadata("preprocessing"));
        if (!TYPE.equals(pre.path("type").asText())) {
            throw new NablaIOException(file, "holds a model whose preprocessing is \"" + pre.path("type").asText()
                    + "\", not a next-word language model (\"" + TYPE + "\")");
        }
        Vocabulary vocabulary = vocabularyFromJson(pre.path("vocabulary"));
        NeuralLanguageModel model = NextWordSpec.buildModel(json.readTree(f.requireMetadata("spec")), vocabulary, new Generator(0));
        try {
            model.loadStateDict(f.tensors());
        } catch (IllegalArgumentException e) {
            throw new NablaIOException(file, "its weights do not fit its spec and vocabulary: " + e.getMessage());
        }
        model.eval();
        return new Loaded(model, vocabulary);
    }
}
