package dev.nabla.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The words a language model knows, each with an id and its count in the training text. Ids 0,
 * 1, 2 are the special tokens {@code <unk>} (every word seen fewer than minCount times, and any
 * unseen word), {@code <s>} (the padding before a document's first word) and {@code </s>} (the
 * end of a document, predicted like a word); then the words by decreasing count, ties in
 * alphabetical order. Counts are kept for the Huffman tree and the unigram baseline: {@code <unk>}
 * counts the rare words' occurrences, {@code </s>} the documents, {@code <s>} zero.
 */
public final class Vocabulary {
    public static final String UNK = "<unk>", BOS = "<s>", EOS = "</s>";
    /** The ids of the special tokens. */
    public static final int UNK_ID = 0, BOS_ID = 1, EOS_ID = 2;

    private final List<String> words;
    private final long[] counts;
    private final Map<String, Integer> ids = new HashMap<>();

    /** A vocabulary from its words (the three special tokens first) and their counts. */
    public Vocabulary(List<String> words, long[] counts) {
        if (words.size() != counts.length || words.size() < 3 || !words.get(0).equals(UNK) || !words.get(1).equals(BOS)
                || !words.get(2).equals(EOS)) {
            throw new IllegalArgumentException("Vocabulary: " + words.size() + " words and " + counts.length
                    + " counts; the words must start with " + UNK + ", " + BOS + ", " + EOS + " and have one count each");
        }
        this.words = List.copyOf(words);
        this.counts = counts.clone();
        for (int i = 0; i < words.size(); i++) {
            if (ids.put(words.get(i), i) != null) throw new IllegalArgumentException("Vocabulary: the word '" + words.get(i) + "' appears twice");
            if (counts[i] < 0) throw new IllegalArgumentException("Vocabulary: negative count " + counts[i] + " for '" + words.get(i) + "'");
        }
    }

    /** The vocabulary of tokenized documents: words seen at least minCount times, the rest as {@code <unk>}. */
    public static Vocabulary build(Collection<List<String>> documents, int minCount) {
        if (minCount < 1) throw new IllegalArgumentException("Vocabulary: minCount " + minCount + " must be >= 1");
        Map<String, Long> seen = new HashMap<>();
        for (List<String> doc : documents) for (String w : doc) seen.merge(w, 1L, Long::sum);
        List<String> kept = new ArrayList<>();
        long unk = 0;
        for (var e : seen.entrySet()) {
            if (e.getValue() >= minCount && !e.getKey().equals(UNK) && !e.getKey().equals(BOS) && !e.getKey().equals(EOS)) {
                kept.add(e.getKey());
            } else {
                unk += e.getValue();
            }
        }
        kept.sort((a, b) -> {
            int c = Long.compare(seen.get(b), seen.get(a));
            return c != 0 ? c : a.compareTo(b);
        });
        List<String> words = new ArrayList<>(List.of(UNK, BOS, EOS));
        words.addAll(kept);
        long[] counts = new long[words.size()];
        counts[UNK_ID] = unk;
        counts[EOS_ID] = documents.size();
        for (int i = 3; i < counts.length; i++) counts[i] = seen.get(words.get(i));
        return new Vocabulary(words, counts);
    }

    /** The number of ids. */
    public int size() {
        return words.size();
    }

    /** The id of a token ({@link #UNK_ID} when unknown). */
    public int id(String word) {
        return ids.getOrDefault(word, UNK_ID);
    }

    /** The token of an id. */
    public String word(int id) {
        return words.get(id);
    }

    /** All tokens, by id. */
    public List<String> words() {
        return words;
    }

    /** The training counts, by id (a copy). */
    public long[] counts() {
        return counts.clone();
    }

    /** The ids of tokens. */
    public int[] encode(List<String> tokens) {
        return tokens.stream().mapToInt(this::id).toArray();
    }
}
