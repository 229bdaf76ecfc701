package dev.nabla.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import static dev.nabla.tensor.TorchFixtures.compare;
import static dev.nabla.tensor.TorchFixtures.ints;
import static dev.nabla.tensor.TorchFixtures.tensor;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nabla.tensor.Checked;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The convolution, pooling and batch-norm layers against PyTorch, from the fixtures that
 * {@code scripts/torch_conv_fixtures.py} writes to {@code fixtures/torch_conv.json} (regenerate
 * with {@code /usr/bin/python3 scripts/torch_conv_fixtures.py}). Each case builds the nabla layer
 * (Conv2d, MaxPool2d, AvgPool2d, GlobalAvgPool2d, BatchNorm1d/2d; the transposed convolution and
 * the max-pooling indices as tensor ops), loads PyTorch's weights and running statistics into
 * it, runs it on the same input, backpropagates L = Σₖ sum(outₖ · wₖ), and compares the outputs,
 * the gradients of the input and of the parameters, and for a batch-norm training step the
 * running statistics afterwards.
 *
 * <p>Tolerances as in the ops fixtures: float64 |a − b| ≤ 1e-10 · max(1, |b|); float32
 * |a − b| ≤ 1e-5 · |b| + max(1e-6, atol), atol set by the script only where PyTorch's own float32
 * result is that far from float64. Indices must be equal.
 */
public class TorchConvFixtureTest {
    private static final String RESOURCE = "/fixtures/torch_conv.json";

    @TestFactory
    Stream<DynamicTest> torchConvFixtures() throws IOException {
        JsonNode root = root();
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.get("cases")) tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> check(c)));
        assertEquals(root.get("count").asInt(), tests.size(), "fixture count");
        return tests.stream();
    }

    private static JsonNode root() throws IOException {
        try (InputStream in = TorchConvFixtureTest.class.getResourceAsStream(RESOURCE)) {
            assertNotNull(in, RESOURCE + " is missing; run /usr/bin/python3 scripts/torch_conv_fixtures.py");
            return new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).readTree(in);
        }
    }

    /** The fixture's cases, for the test that every primitive has one ({@code PrimitiveCoverageTest}). */
    public static List<Checked> checked() throws IOException {
        List<Checked> out = new ArrayList<>();
        for (JsonNode c : root().get("cases")) {
            DType dtype = "float64".equals(c.get("dtype").asText()) ? DType.FLOAT64 : DType.FLOAT32;
            List<Tensor> in = new ArrayList<>();
            for (JsonNode t : c.get("inputs")) in.add(tensor(t, dtype));
            Run run = apply(c.get("op").asText(), c.get("args"), in, dtype);
            List<Tensor> leaves = run.gradOf().stream().filter(t -> t != null && t.requiresGrad()).toList();
            out.add(new Checked(c.get("name").asText(), leaves, run::outputs));
        }
        return out;
    }

    /** What a case ran: its outputs, the tensors whose gradients PyTorch reports (one per input), and the changed buffers. */
    private record Run(List<Tensor> outputs, List<Tensor> gradOf, List<Tensor> after) {}

    private static void check(JsonNode c) {
        String name = c.get("name").asText();
        DType dtype = "float64".equals(c.get("dtype").asText()) ? DType.FLOAT64 : DType.FLOAT32;
        List<Tensor> in = new ArrayList<>();
        for (JsonNode t : c.get("inputs")) in.add(tensor(t, dtype));
        Run run = apply(c.get("op").asText(), c.get("args"), in, dtype);

        List<String> problems = new ArrayList<>();
        JsonNode expOuts = c.get("outputs"), weights = c.get("weights");
        if (run.outputs().size() != expOuts.size()) fail(name + ": " + run.outputs().size() + " outputs, PyTorch has " + expOuts.size());
        Tensor loss = null;
        for (int k = 0; k < expOuts.size(); k++) {
            compare(problems, "output " + k, run.outputs().get(k), expOuts.get(k), dtype);
            if (weights.get(k).isNull()) continue;
            Tensor term = run.outputs().get(k).mul(tensor(weights.get(k), dtype)).sum();
            loss = loss == null ? term : loss.add(term);
        }
        assertNotNull(loss, name + ": nothing to differentiate");
        loss.backward();
        JsonNode grads = c.get("grads");
        for (int i = 0; i < grads.size(); i++) {
            if (grads.get(i).isNull()) continue;
            Tensor g = run.gradOf().get(i).grad();
            compare(problems, "grad of input " + i, g == null ? run.gradOf().get(i).zerosLike() : g, grads.get(i), dtype);
        }
        JsonNode after = c.get("after");
        for (int i = 0; i < after.size(); i++) compare(problems, "after[" + i + "]", run.after().get(i), after.get(i), dtype);
        if (!problems.isEmpty()) fail("case " + name + " (" + c.get("op").asText() + " " + c.get("args") + "):\n  " + String.join("\n  ", problems));
    }

    // ------------------------------------------------------------------ the dispatch (mirrors apply() in the script)

    private static Run apply(String op, JsonNode a, List<Tensor> in, DType dtype) {
        Tensor x = in.get(0).requiresGrad(true);
        switch (op) {
            case "conv2d" -> {
                Tensor w = in.get(1);
                boolean bias = in.size() > 2;
                var b = Conv2d.builder(w.size(1) * a.get("groups").asInt(), w.size(0), w.size(2), w.size(3))
                        .stride(ints(a.get("stride"))).dilation(ints(a.get("dilation"))).groups(a.get("groups").asInt()).bias(bias);
                if (a.get("padding").isTextual()) {
                    assertEquals("same", a.get("padding").asText());
                    b.paddingSame();
                } else {
                    b.padding(ints(a.get("padding")));
                }
                Conv2d conv = b.build();
                conv.toType(dtype);
                load(conv.weight(), w);
                if (bias) load(conv.bias(), in.get(2));
                Tensor y = conv.forward(x);
                return new Run(List.of(y), bias ? List.of(x, conv.weight(), conv.bias()) : List.of(x, conv.weight()), List.of());
            }
            case "conv_transpose2d" -> {
                Tensor w = in.get(1).requiresGrad(true), bias = in.size() > 2 ? in.get(2).requiresGrad(true) : null;
                Tensor y = x.convTranspose2d(w, bias, ints(a.get("stride")), ints(a.get("padding")), ints(a.get("output_padding")),
                        ints(a.get("dilation")), a.get("groups").asInt());
                return new Run(List.of(y), bias == null ? List.of(x, w) : List.of(x, w, bias), List.of());
            }
            case "max_pool2d" -> {
                boolean ceil = a.has("ceil_mode") && a.get("ceil_mode").asBoolean();
                MaxPool2d pool = new MaxPool2d(ints(a.get("kernel")), ints(a.get("stride")), ints(a.get("padding"))).ceilMode(ceil);
                Tensor y = pool.forward(x);
                Tensor idx = x.detach().maxPool2dWithIndices(ints(a.get("kernel")), ints(a.get("stride")), ints(a.get("padding")),
                        ceil).indices();
                return new Run(List.of(y, idx), List.of(x), List.of());
            }
            case "avg_pool2d" -> {
                AvgPool2d pool = new AvgPool2d(ints(a.get("kernel")), ints(a.get("stride")), ints(a.get("padding")),
                        a.get("count_include_pad").asBoolean()).ceilMode(a.has("ceil_mode") && a.get("ceil_mode").asBoolean());
                return new Run(List.of(pool.forward(x)), List.of(x), List.of());
            }
            case "global_avg_pool2d" -> {
                return new Run(List.of(new GlobalAvgPool2d().forward(x)), List.of(x), List.of());
            }
            case "batch_norm" -> {
                int c = x.size(1);
                double eps = a.get("eps").asDouble(), momentum = a.get("momentum").asDouble();
                BatchNorm bn = "2d".equals(a.get("layer").asText()) ? new BatchNorm2d(c, eps, momentum, true)
                        : new BatchNorm1d(c, eps, momentum, true);
                bn.toType(dtype);
                load(bn.weight(), in.get(1));
                load(bn.bias(), in.get(2));
                load(bn.runningMean(), in.get(3));
                load(bn.runningVar(), in.get(4));
                boolean training = a.get("training").asBoolean();
                bn.train(training);
                Tensor y = bn.forward(x);
                assertEquals(training ? 1 : 0, (int) bn.buffer("num_batches_tracked").item(), "num_batches_tracked");
                return new Run(List.of(y), Arrays.asList(x, bn.weight(), bn.bias(), null, null),
                        training ? List.of(bn.runningMean(), bn.runningVar()) : List.of());
            }
            default -> throw new IllegalArgumentException("no dispatch for op " + op);
        }
    }

    private static void load(Tensor param, Tensor value) {
        try (var s = GradMode.noGrad()) {
            param.copyFrom(value);
        }
    }
}
