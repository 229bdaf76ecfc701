package dev.nabla.tensor;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import static dev.nabla.tensor.TorchFixtures.compare;
import static dev.nabla.tensor.TorchFixtures.ints;
import static dev.nabla.tensor.TorchFixtures.tensor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Forward values and gradients of the tensor ops against PyTorch, from the fixtures that
 * {@code scripts/torch_fixtures.py} writes to {@code fixtures/torch_ops.json} (regenerate with
 * {@code /usr/bin/python3 scripts/torch_fixtures.py}). One dynamic test per case: the inputs are
 * rebuilt (a transposed view where the case says so), the op is applied, and
 * L = Σₖ sum(outₖ · wₖ) is backpropagated.
 *
 * <p>Tolerances, with a = nabla and b = PyTorch: float64 |a − b| ≤ 1e-10 · max(1, |b|);
 * float32 |a − b| ≤ 1e-5 · |b| + max(1e-6, atol), where a tensor's optional {@code atol} is set by
 * the script only where PyTorch's float32 result is itself that far from the float64 computation
 * on the same inputs (ill-conditioned cases: variance at offset 1000, logsumexp's gradient at
 * ±1000). int64 outputs (indices) must be equal.
 */
class TorchFixtureTest {
    private static final String RESOURCE = "/fixtures/torch_ops.json";

    @TestFactory
    Stream<DynamicTest> torchFixtures() throws IOException {
        JsonNode root = root();
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> check(c)));
        }
        if (tests.size() != root.get("count").asInt()) fail("fixture count " + root.get("count") + " but " + tests.size() + " cases");
        return tests.stream();
    }

    private static JsonNode root() throws IOException {
        try (InputStream in = TorchFixtureTest.class.getResourceAsStream(RESOURCE)) {
            assertNotNull(in, RESOURCE + " is missing; run /usr/bin/python3 scripts/torch_fixtures.py");
            // Numbers stay decimal text, so float32 values are parsed as floats (not double-rounded).
            return new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).readTree(in);
        }
    }

    // ------------------------------------------------------------------ one case

    /** The fixture's cases, for the test that every primitive has one ({@link PrimitiveCoverageTest}). */
    static List<Checked> checked() throws IOException {
        List<Checked> out = new ArrayList<>();
        for (JsonNode c : root().get("cases")) out.add(build(c));
        return out;
    }

    // The case's leaves, and its outputs computed from them (a transposed view where the case says so).
    private static Checked build(JsonNode c) {
        DType dtype = "float64".equals(c.get("dtype").asText()) ? DType.FLOAT64 : DType.FLOAT32;
        List<Tensor> leaves = new ArrayList<>();
        for (JsonNode in : c.get("inputs")) {
            Tensor leaf = tensor(in, dtype);
            if (in.path("requires_grad").asBoolean(false)) leaf.requiresGrad(true);
            leaves.add(leaf);
        }
        return new Checked(c.get("name").asText(), leaves, () -> {
            List<Tensor> xs = new ArrayList<>();
            for (int i = 0; i < leaves.size(); i++) {
                JsonNode tr = c.get("inputs").get(i).get("transpose");
                xs.add(tr == null ? leaves.get(i) : leaves.get(i).transpose(tr.get(0).asInt(), tr.get(1).asInt()));
            }
            return apply(c.get("op").asText(), c.get("args"), xs);
        });
    }

    private static void check(JsonNode c) {
        String name = c.get("name").asText();
        DType dtype = "float64".equals(c.get("dtype").asText()) ? DType.FLOAT64 : DType.FLOAT32;
        Checked run = build(c);
        List<Tensor> leaves = run.inputs(), outs = run.outputs().get();

        List<String> problems = new ArrayList<>();
        JsonNode expOuts = c.get("outputs"), weights = c.get("weights");
        if (outs.size() != expOuts.size()) fail(name + ": " + outs.size() + " outputs, PyTorch has " + expOuts.size());
        Tensor loss = null;
        for (int k = 0; k < outs.size(); k++) {
            JsonNode exp = expOuts.get(k);
            compare(problems, "output " + k, outs.get(k), exp, dtype);
            if (weights.get(k).isNull()) continue;
            Tensor term = outs.get(k).mul(tensor(weights.get(k), dtype)).sum();
            loss = loss == null ? term : loss.add(term);
        }
        assertNotNull(loss, name + ": no float output to differentiate");
        loss.backward();
        JsonNode grads = c.get("grads");
        for (int i = 0; i < leaves.size(); i++) {
            if (grads.get(i).isNull()) continue;
            Tensor g = leaves.get(i).grad();
            // no gradient reached the input (grad() is null): fine only where PyTorch's is zero
            String what = "grad of input " + i + (g == null ? " (nabla: none, taken as zeros)" : "");
            compare(problems, what, g == null ? leaves.get(i).zerosLike() : g, grads.get(i), dtype);
        }
        if (!problems.isEmpty()) {
            fail("case " + name + " (" + c.get("op").asText() + " " + c.get("args") + "):\n  " + String.join("\n  ", problems));
        }
    }

    // ------------------------------------------------------------------ the op dispatch (mirrors apply() in the script)

    private static List<Tensor> apply(String op, JsonNode a, List<Tensor> xs) {
        Tensor x = xs.isEmpty() ? null : xs.get(0);
        Tensor y = xs.size() > 1 ? xs.get(1) : null;
        // the ops with several outputs
        if (op.equals("max_dim") || op.equals("min_dim")) {
            int dim = a.get("dim").asInt();
            boolean keep = a.get("keepdim").asBoolean();
            Tensor.ValuesIndices vi = op.equals("max_dim") ? x.max(dim, keep) : x.min(dim, keep);
            return List.of(vi.values(), vi.indices());
        }
        if (op.equals("split")) {
            int dim = a.get("dim").asInt();
            return a.has("size") ? x.split(a.get("size").asInt(), dim) : x.split(ints(a.get("sizes")), dim);
        }
        Tensor out = switch (op) {
            case "add" -> x.add(y);
            case "sub" -> x.sub(y);
            case "mul" -> x.mul(y);
            case "div" -> x.div(y);
            case "pow" -> x.pow(y);
            case "maximum" -> x.maximum(y);
            case "minimum" -> x.minimum(y);
            case "matmul" -> x.matmul(y);
            case "linear" -> dev.nabla.nn.Functional.linear(x, y, xs.size() > 2 ? xs.get(2) : null);
            case "neg" -> x.neg();
            case "exp" -> x.exp();
            case "log" -> x.log();
            case "sqrt" -> x.sqrt();
            case "abs" -> x.abs();
            case "sigmoid" -> x.sigmoid();
            case "tanh" -> x.tanh();
            case "relu" -> x.relu();
            case "sin" -> x.sin();
            case "cos" -> x.cos();
            case "square" -> x.square();
            case "reciprocal" -> x.reciprocal();
            case "contiguous" -> x.contiguous();
            case "copy" -> x.copy();
            case "toType_roundtrip" -> x.toType(DType.FLOAT64).exp().toType(x.dtype());
            case "mT" -> x.mT();
            case "t" -> x.t();
            case "add_scalar" -> x.add(d(a, "c"));
            case "sub_scalar" -> x.sub(d(a, "c"));
            case "mul_scalar" -> x.mul(d(a, "c"));
            case "div_scalar" -> x.div(d(a, "c"));
            case "rsub" -> x.rsub(d(a, "c"));
            case "rdiv" -> x.rdiv(d(a, "c"));
            case "pow_scalar" -> x.pow(d(a, "p"));
            case "leakyRelu" -> x.leakyRelu(d(a, "slope"));
            case "clamp" -> x.clamp(d(a, "min"), d(a, "max"));
            case "clampMin" -> x.clampMin(d(a, "min"));
            case "clampMax" -> x.clampMax(d(a, "max"));
            case "where" -> Tensor.where(xs.get(0), xs.get(1), xs.get(2));
            case "sum", "mean" -> {
                boolean sum = op.equals("sum");
                if (a.get("dims").isNull()) yield sum ? x.sum() : x.mean();
                int[] dims = ints(a.get("dims"));
                boolean keep = a.get("keepdim").asBoolean();
                if (dims.length == 1) yield sum ? x.sum(dims[0], keep) : x.mean(dims[0], keep);
                yield sum ? x.sum(dims, keep) : x.mean(dims, keep);
            }
            case "var", "std" -> {
                boolean var = op.equals("var");
                if (a.get("dims").isNull()) yield var ? x.var() : x.std();
                int[] dims = ints(a.get("dims"));
                int corr = a.get("correction").asInt();
                boolean keep = a.get("keepdim").asBoolean();
                if (var && dims.length == 1 && corr == 1) yield x.var(dims[0], keep);
                yield var ? x.var(dims, corr, keep) : x.std(dims, corr, keep);
            }
            case "amax", "amin" -> {
                boolean max = op.equals("amax");
                if (a.get("dims").isNull()) yield max ? x.max() : x.min();
                int[] dims = ints(a.get("dims"));
                boolean keep = a.get("keepdim").asBoolean();
                yield max ? x.amax(dims, keep) : x.amin(dims, keep);
            }
            case "logsumexp" -> x.logsumexp(a.get("dim").asInt(), a.get("keepdim").asBoolean());
            case "softmax" -> x.softmax(a.get("dim").asInt());
            case "logSoftmax" -> x.logSoftmax(a.get("dim").asInt());
            case "gather" -> x.gather(a.get("dim").asInt(), y);
            case "indexSelect" -> x.indexSelect(a.get("dim").asInt(), y);
            case "cat" -> Tensor.cat(xs, a.get("dim").asInt());
            case "stack" -> Tensor.stack(xs, a.get("dim").asInt());
            case "transpose" -> x.transpose(a.get("d0").asInt(), a.get("d1").asInt());
            case "permute" -> x.permute(ints(a.get("order")));
            case "reshape" -> x.reshape(ints(a.get("shape")));
            case "slice" -> x.slice(a.get("dim").asInt(), a.get("start").asInt(), a.get("end").asInt(), a.get("step").asInt());
            case "narrow" -> x.narrow(a.get("dim").asInt(), a.get("start").asInt(), a.get("length").asInt());
            case "select" -> x.select(a.get("dim").asInt(), a.get("index").asInt());
            case "squeeze" -> a.get("dim").isNull() ? x.squeeze() : x.squeeze(a.get("dim").asInt());
            case "unsqueeze" -> x.unsqueeze(a.get("dim").asInt());
            case "expand" -> x.expand(ints(a.get("shape")));
            case "flatten" -> x.flatten(a.get("start").asInt(), a.get("end").asInt());
            default -> throw new IllegalArgumentException("no dispatch for op " + op);
        };
        return List.of(out);
    }

    // ------------------------------------------------------------------ JSON helpers

    private static double d(JsonNode args, String key) {
        return Double.parseDouble(args.get(key).asText());
    }
}
