package dev.nabla.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The binary tree of a {@link HierarchicalSoftmax}: the words (classes 0..V−1) are its leaves, and
 * its V − 1 internal nodes, numbered 0..V−2, each hold one decision. A word's path is the list of
 * internal nodes from the root down to it, and its code the branch taken at each (0: left, 1:
 * right).
 *
 * <ul>
 *   <li>{@link #huffman}: from word counts, built exactly as word2vec builds it (the two rarest
 *       subtrees merged first, so the most frequent words get the shortest codes; node V−2 is the
 *       root; the subtree merged second is the branch with code 1);
 *   <li>{@link #balanced}: codes of ⌈log₂ V⌉ or ⌊log₂ V⌋ bits, words split in halves recursively
 *       (internal nodes numbered in preorder);
 *   <li>{@link #fromPaths}: a user's clustering, one code ("0110…") per word; the codes must be
 *       prefix-free and complete (each internal node has two children) so that the probabilities
 *       sum to one. Internal nodes are numbered by code prefix, shorter first, then in binary order.
 * </ul>
 */
public final class SoftmaxTree {
    private final String kind;
    private final int[][] nodes;    // per word: its path, root first
    private final byte[][] codes;   // per word: the branch taken at each node of its path
    private final int[] order;      // internal nodes, every parent before its children
    private final int[] parent;     // per internal node: its parent (−1 for the root)
    private final byte[] branch;    // per internal node: the branch that leads to it from its parent
    private final int maxDepth;

    private SoftmaxTree(String kind, int[][] nodes, byte[][] codes) {
        this.kind = kind;
        this.nodes = nodes;
        this.codes = codes;
        int internal = nodes.length - 1;
        parent = new int[internal];
        branch = new byte[internal];
        int[] depth = new int[internal];
        Arrays.fill(parent, -2);
        for (int w = 0; w < nodes.length; w++) {
            for (int k = 0; k < nodes[w].length; k++) {
                int n = nodes[w][k];
                parent[n] = k == 0 ? -1 : nodes[w][k - 1];
                branch[n] = k == 0 ? 0 : codes[w][k - 1];
                depth[n] = k;
            }
        }
        maxDepth = Arrays.stream(nodes).mapToInt(n -> n.length).max().orElse(0);
        order = IntStream.range(0, internal).boxed().sorted(Comparator.comparingInt(n -> depth[n]))
                .mapToInt(Integer::intValue).toArray();
    }

    /** The Huffman tree of word2vec ({@code CreateBinaryTree}) for these counts (each &gt;= 0, at least two words). */
    public static SoftmaxTree huffman(long[] counts) {
        int v = checkSize("huffman", counts.length);
        for (long c : counts) if (c < 0) throw new IllegalArgumentException("SoftmaxTree.huffman: negative count " + c);
        // word2vec expects the words sorted by count, most frequent first (ties: in the given order)
        Integer[] byCount = IntStream.range(0, v).boxed().toArray(Integer[]::new);
        Arrays.sort(byCount, (a, b) -> Long.compare(counts[b], counts[a]));
        long[] count = new long[2 * v];
        for (int a = 0; a < v; a++) count[a] = counts[byCount[a]];
        Arrays.fill(count, v, 2 * v, Long.MAX_VALUE / 4);
        int[] parentNode = new int[2 * v];
        byte[] binary = new byte[2 * v];
        int pos1 = v - 1, pos2 = v;
        for (int a = 0; a < v - 1; a++) {
            int min1 = pos1 >= 0 && count[pos1] < count[pos2] ? pos1-- : pos2++;
            int min2 = pos1 >= 0 && count[pos1] < count[pos2] ? pos1-- : pos2++;
            count[v + a] = count[min1] + count[min2];
            parentNode[min1] = v + a;
            parentNode[min2] = v + a;
            binary[min2] = 1;
        }
        int[][] nodes = new int[v][];
        byte[][] codes = new byte[v][];
        for (int a = 0; a < v; a++) {
            List<Integer> up = new ArrayList<>();
            List<Byte> bits = new ArrayList<>();
            for (int b = a; b != 2 * v - 2; b = parentNode[b]) {
                bits.add(binary[b]);
                up.add(parentNode[b] - v);
            }
            int len = bits.size(), word = byCount[a];
            nodes[word] = new int[len];
            codes[word] = new byte[len];
            for (int k = 0; k < len; k++) {
                nodes[word][k] = up.get(len - 1 - k);
                codes[word][k] = bits.get(len - 1 - k);
            }
        }
        return new SoftmaxTree("huffman", nodes, codes);
    }

    /** A balanced tree over v words: word ranges split in halves (the left half the larger), nodes numbered in preorder. */
    public static SoftmaxTree balanced(int v) {
        checkSize("balanced", v);
        int[][] nodes = new int[v][];
        byte[][] codes = new byte[v][];
        split(nodes, codes, 0, v, new int[64], new byte[64], 0, new int[1]);
        return new SoftmaxTree("balanced", nodes, codes);
    }

    // words [lo, hi) below the current path (depth entries of path/code); next: the next free node id
    private static void split(int[][] nodes, byte[][] codes, int lo, int hi, int[] path, byte[] code, int depth, int[] next) {
        if (hi - lo == 1) {
            nodes[lo] = Arrays.copyOf(path, depth);
            codes[lo] = Arrays.copyOf(code, depth);
            return;
        }
        int mid = lo + (hi - lo + 1) / 2;
        path[depth] = next[0]++;
        code[depth] = 0;
        split(nodes, codes, lo, mid, path, code, depth + 1, next);
        code[depth] = 1;
        split(nodes, codes, mid, hi, path, code, depth + 1, next);
    }

    /** A tree from one code per word (strings of '0' and '1'); see the class comment for the rules. */
    public static SoftmaxTree fromPaths(List<String> paths) {
        int v = checkSize("fromPaths", paths.size());
        Map<String, Integer> words = new HashMap<>();
        Set<String> prefixes = new HashSet<>();
        for (int w = 0; w < v; w++) {
            String p = paths.get(w);
            if (p == null || p.isEmpty() || !p.matches("[01]+")) {
                throw new IllegalArgumentException("SoftmaxTree.fromPaths: the path of word " + w + " is '" + p
                        + "'; a path is a non-empty string of 0s and 1s (the branch taken at each node from the root)");
            }
            Integer other = words.put(p, w);
            if (other != null) throw new IllegalArgumentException("SoftmaxTree.fromPaths: words " + other + " and " + w + " have the same path " + p);
            for (int k = 0; k < p.length(); k++) prefixes.add(p.substring(0, k));
        }
        for (String p : prefixes) {
            if (words.containsKey(p)) {
                throw new IllegalArgumentException("SoftmaxTree.fromPaths: the path " + p + " of word " + words.get(p)
                        + " is a prefix of another word's path; a word must be a leaf");
            }
            for (String child : new String[] {p + "0", p + "1"}) {
                if (!prefixes.contains(child) && !words.containsKey(child)) {
                    throw new IllegalArgumentException("SoftmaxTree.fromPaths: no word's path starts with " + child
                            + ", so the node " + (p.isEmpty() ? "at the root" : p) + " has one child; every internal node"
                            + " needs two, or the probabilities would not sum to 1");
                }
            }
        }
        List<String> sorted = new ArrayList<>(prefixes);
        sorted.sort(Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder()));
        Map<String, Integer> id = new HashMap<>();
        for (String p : sorted) id.put(p, id.size());
        int[][] nodes = new int[v][];
        byte[][] codes = new byte[v][];
        for (int w = 0; w < v; w++) {
            String p = paths.get(w);
            nodes[w] = new int[p.length()];
            codes[w] = new byte[p.length()];
            for (int k = 0; k < p.length(); k++) {
                nodes[w][k] = id.get(p.substring(0, k));
                codes[w][k] = (byte) (p.charAt(k) - '0');
            }
        }
        return new SoftmaxTree("paths", nodes, codes);
    }

    private static int checkSize(String how, int v) {
        if (v < 2) throw new IllegalArgumentException("SoftmaxTree." + how + ": a tree needs at least 2 words, got " + v);
        return v;
    }

    /** How it was built: "huffman", "balanced" or "paths". */
    public String kind() {
        return kind;
    }

    /** The number of words (leaves). */
    public int size() {
        return nodes.length;
    }

    /** The internal nodes on word w's path, root first. */
    public int[] path(int w) {
        return nodes[w].clone();
    }

    /** Word w's code: the branch (0 or 1) taken at each node of its path. */
    public String code(int w) {
        StringBuilder sb = new StringBuilder();
        for (byte b : codes[w]) sb.append(b);
        return sb.toString();
    }

    /** Every word's code, in word order (what {@link #fromPaths} takes). */
    public List<String> codes() {
        return IntStream.range(0, size()).mapToObj(this::code).toList();
    }

    /** The longest path. */
    public int maxDepth() {
        return maxDepth;
    }

    /** The mean path length weighted by counts (e.g. the expected cost per word of a corpus). */
    public double meanDepth(long[] counts) {
        double total = 0, weighted = 0;
        for (int w = 0; w < size(); w++) {
            total += counts[w];
            weighted += (double) counts[w] * nodes[w].length;
        }
        return weighted / total;
    }

    /** The internal nodes ordered so that each comes after its parent. */
    int[] topDown() {
        return order;
    }

    /** The parent of internal node n, −1 for the root. */
    int parent(int n) {
        return parent[n];
    }

    /** The branch (0 or 1) that leads from n's parent to internal node n. */
    int branch(int n) {
        return branch[n];
    }

    /** Word w's code as bits. */
    byte[] bits(int w) {
        return codes[w];
    }
}
