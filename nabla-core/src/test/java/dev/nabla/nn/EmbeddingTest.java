package dev.nabla.nn;

import static dev.nabla.tensor.TorchFixtures.compare;
import static dev.nabla.tensor.TorchFixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nabla.autograd.Gradcheck;
import dev.nabla.optim.Adam;
import dev.nabla.optim.Clip;
import dev.nabla.optim.Optimizer;
import dev.nabla.optim.SGD;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.RowSparse;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Embedding against PyTorch (fixtures of {@code scripts/torch_embedding_fixtures.py}: lookups of
 * any index shape with padding and max-norm, and three training steps of a sparse embedding by
 * SGD and SparseAdam), its float64 gradcheck, and its row-sparse gradient against the dense one.
 */
class EmbeddingTest {
    private static final String RESOURCE = "/fixtures/torch_embedding.json";

    @TestFactory
    Stream<DynamicTest> torchEmbeddingFixtures() throws IOException {
        JsonNode root;
        try (InputStream in = EmbeddingTest.class.getResourceAsStream(RESOURCE)) {
            assertNotNull(in, RESOURCE + " is missing; run /usr/bin/python3 scripts/torch_embedding_fixtures.py");
            root = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).readTree(in);
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(),
                    () -> { if (c.get("kind").asText().equals("lookup")) lookup(c); else steps(c); }));
        }
        assertEquals(root.get("count").asInt(), tests.size());
        return tests.stream();
    }

    private static Embedding layer(Tensor weight, long paddingIdx, double maxNorm, double normType, boolean sparse) {
        Embedding e = new Embedding(weight.size(0), weight.size(1), paddingIdx, maxNorm, normType, sparse, new Generator(0));
        if (weight.dtype() == DType.FLOAT64) e.toType(DType.FLOAT64);
        try (var s = GradMode.noGrad()) {
            e.weight().copyFrom(weight);
        }
        return e;
    }

    private static void lookup(JsonNode c) {
        for (boolean sparse : new boolean[] {false, true}) {
            Embedding e = layer(tensor(c.get("weight"), DType.FLOAT64), c.get("padding_idx").asLong(),
                    c.get("max_norm").asDouble(), c.get("norm_type").asDouble(), sparse);
            Tensor out = e.forward(tensor(c.get("indices"), DType.FLOAT64));
            out.mul(tensor(c.get("w"), DType.FLOAT64)).sum().backward();
            List<String> problems = new ArrayList<>();
            String mode = sparse ? "sparse " : "dense ";
            compare(problems, mode + "output", out.detach(), c.get("out"), DType.FLOAT64);
            compare(problems, mode + "weight after", e.weight().detach(), c.get("weight_after"), DType.FLOAT64);
            compare(problems, mode + "weight grad", e.weight().grad(), c.get("grad"), DType.FLOAT64);
            assertEquals(sparse, e.weight().sparseGrad() != null);
            assertTrue(problems.isEmpty(), String.join("\n", problems));
        }
    }

    private static void steps(JsonNode c) {
        Embedding e = layer(tensor(c.get("weight"), DType.FLOAT32), c.get("padding_idx").asLong(), 0, 2, true);
        double lr = c.get("lr").asDouble();
        Optimizer opt = c.get("optimizer").asText().equals("sgd") ? new SGD(e.parameters(), lr) : new Adam(e.parameters(), lr);
        List<String> problems = new ArrayList<>();
        for (int s = 0; s < c.get("batches").size(); s++) {
            opt.zeroGrad();
            e.forward(tensor(c.get("batches").get(s), DType.FLOAT32)).mul(tensor(c.get("w").get(s), DType.FLOAT32)).sum().backward();
            assertNotNull(e.weight().sparseGrad());
            opt.step();
            compare(problems, "weight after step " + (s + 1), e.weight().detach(), c.get("after").get(s), DType.FLOAT32);
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void gradcheckFirstAndSecondOrder() {
        Tensor weight = Tensor.randn(new Generator(3), DType.FLOAT64, 5, 3).requiresGrad(true);
        Tensor idx = Tensor.of(new long[] {1, 0, 4, 1, 0, 2}).reshape(2, 3);
        Tensor w = Tensor.randn(new Generator(4), DType.FLOAT64, 2, 3, 3);
        // a non-linear loss, so that the second derivative is not zero (padding rows are left to the fixtures:
        // by design their gradient is zero while the forward pass reads them)
        Gradcheck.assertGradients(in -> Embedding.lookup(in.get(0), idx.reshape(-1), false, -1)
                .reshape(2, 3, 3).mul(w).tanh().sum(), List.of(weight), true);
    }

    @Test
    void sparseGradientEqualsDenseAndClippingAgrees() {
        Tensor idx = Tensor.of(new long[] {3, 1, 3, 7, 0, 3}).reshape(3, 2);
        Tensor w = Tensor.randn(new Generator(5), 3, 2, 4);
        List<Tensor> grads = new ArrayList<>();
        List<Double> norms = new ArrayList<>();
        for (boolean sparse : new boolean[] {false, true}) {
            Embedding e = new Embedding(10, 4, -1, 0, 2, sparse, new Generator(1));
            e.forward(idx).mul(w).sum().backward();
            assertEquals(sparse, e.weight().sparseGrad() != null);
            norms.add(Clip.gradNorm(e.parameters(), 0.5));
            grads.add(e.weight().grad());
        }
        assertEquals(norms.get(0), norms.get(1), 1e-5);
        assertTrue(grads.get(0).allClose(grads.get(1), 1e-6, 1e-6), grads.get(0) + " vs " + grads.get(1));
    }

    @Test
    void sparseSgdTouchesOnlyLookedUpRowsAndEqualsDense() {
        Tensor idx = Tensor.of(new long[] {2, 5, 2});
        List<Tensor> after = new ArrayList<>();
        for (boolean sparse : new boolean[] {false, true}) {
            Embedding e = new Embedding(8, 3, -1, 0, 2, sparse, new Generator(2));
            Tensor before = e.weight().copy();
            SGD sgd = new SGD(e.parameters(), 0.5);
            e.forward(idx).square().sum().backward();
            sgd.step();
            after.add(e.weight().copy());
            for (int r : new int[] {0, 1, 3, 4, 6, 7}) assertTrue(e.weight().select(0, r).allClose(before.select(0, r), 0, 0));
        }
        assertTrue(after.get(0).allClose(after.get(1), 1e-6, 1e-7));
    }

    @Test
    void withoutARowRuleTheOptimizerUsesTheDenseGradient() {
        Tensor idx = Tensor.of(new long[] {4, 1, 4});
        List<Tensor> after = new ArrayList<>();
        for (boolean sparse : new boolean[] {false, true}) {
            Embedding e = new Embedding(6, 3, -1, 0, 2, sparse, new Generator(8));
            Adam adam = new Adam(e.parameters(), 0.1, 0.9, 0.999, 1e-8, 0.01, false); // weight decay: SparseAdam has none
            for (int step = 0; step < 2; step++) {
                adam.zeroGrad();
                e.forward(idx).square().sum().backward();
                Clip.gradValue(e.parameters(), 1.5); // clamps each row's total, as the dense gradient's values
                adam.step();
            }
            after.add(e.weight().copy());
        }
        assertTrue(after.get(0).allClose(after.get(1), 1e-6, 1e-7), after.get(0) + " vs " + after.get(1));
    }

    @Test
    void denseGradientAddedToSparseFoldsIntoDense() {
        Embedding e = new Embedding(6, 2, -1, 0, 2, true, new Generator(0));
        e.forward(Tensor.of(new long[] {1, 4})).sum().backward();
        RowSparse rows = e.weight().sparseGrad();
        assertEquals(2, rows.indices().numel());
        e.weight().square().sum().backward(); // a dense contribution (weight decay written by hand, say)
        assertNull(e.weight().sparseGrad());
        Tensor expected = rows.toDense().add(e.weight().detach().mul(2));
        assertTrue(e.weight().grad().allClose(expected, 1e-6, 1e-6));
    }

    @Test
    void badIndicesAreClearErrors() {
        Embedding e = new Embedding(4, 2);
        var out = assertThrows(IndexOutOfBoundsException.class, () -> e.forward(Tensor.of(new long[] {0, 4})));
        assertTrue(out.getMessage().contains("index 4") && out.getMessage().contains("[0, 4)"), out.getMessage());
        var type = assertThrows(IllegalArgumentException.class, () -> e.forward(Tensor.of(new float[] {1}, 1)));
        assertTrue(type.getMessage().contains("int64"), type.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Embedding(4, 2, 4, 0, 2, false, new Generator(0)));
        assertEquals("Embedding(4, 2)", e.toString());
    }
}
