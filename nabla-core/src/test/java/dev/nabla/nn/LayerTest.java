package dev.nabla.nn;

import static dev.nabla.tensor.TensorAssert.assertContentEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayerTest {
    /** A module with its own parameter, buffer and a child, to check the ordering rules. */
    static final class Block extends Layer {
        final Tensor scale;

        Block(Generator gen) {
            scale = registerParameter("scale", Tensor.ones(3));
            registerBuffer("count", Tensor.zeros(DType.INT64, 1));
            registerLayer("inner", new Sequential(new Linear(3, 2, gen), new ReLU()));
            registerParameter("shift", Tensor.zeros(2));
        }

        @Override
        public Tensor forward(Tensor x) {
            return child("inner").forward(x.mul(scale)).add(parameter("shift"));
        }
    }

    static Sequential mlp(long seed) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(2, 3, g), new Tanh(), new Dropout(0.5, g), new Linear(3, 1, g));
    }

    @Test
    void parametersAreNamedAndOrderedLikePyTorch() {
        Sequential net = mlp(1);
        assertEquals(List.of("0.weight", "0.bias", "3.weight", "3.bias"), new ArrayList<>(net.namedParameters().keySet()));
        List<Tensor> ps = net.parameters();
        assertEquals(4, ps.size());
        assertSame(((Linear) net.get(0)).weight(), ps.get(0));
        assertSame(((Linear) net.get(0)).bias(), ps.get(1));
        assertSame(((Linear) net.get(3)).weight(), ps.get(2));
        for (Tensor p : ps) assertTrue(p.requiresGrad());
        assertEquals(6 + 3 + 3 + 1, net.parameterCount());
    }

    @Test
    void theTreeIsAskedAgainAfterEveryChange() {
        Sequential net = mlp(1);
        Block inner = new Block(new Generator(0));
        assertEquals(4, net.parameters().size());
        assertEquals(5, net.namedLayers().size());
        net.registerLayer("extra", inner); // a child added after the first questions
        assertEquals(List.of("0.weight", "0.bias", "3.weight", "3.bias", "extra.scale", "extra.shift", "extra.inner.0.weight",
                "extra.inner.0.bias"), new ArrayList<>(net.namedParameters().keySet()));
        Tensor late = inner.registerParameter("late", Tensor.zeros(2)); // a grandchild's new parameter
        assertTrue(net.parameters().contains(late));
        assertTrue(net.namedLayers().containsKey("extra.inner.0"));
        Tensor before = net.parameters().get(0);
        net.toType(DType.FLOAT64); // replaces the tensors
        assertNotSame(before, net.parameters().get(0));
        assertEquals(DType.FLOAT64, net.parameters().get(0).dtype());
        net.namedLayers().clear(); // the maps and lists handed out are the caller's own
        net.parameters().clear();
        net.allParameters().clear();
        assertEquals(9, net.parameters().size());
    }

    @Test
    void ownStateComesBeforeChildrenAndBuffersAfterParameters() {
        Block b = new Block(new Generator(0));
        assertEquals(List.of("scale", "shift", "inner.0.weight", "inner.0.bias"), new ArrayList<>(b.namedParameters().keySet()));
        assertEquals(List.of("scale", "shift", "count", "inner.0.weight", "inner.0.bias"), new ArrayList<>(b.stateDict().keySet()));
        assertEquals(List.of("count"), new ArrayList<>(b.namedBuffers().keySet()));
        assertEquals(List.of("", "inner", "inner.0", "inner.1"), new ArrayList<>(b.namedLayers().keySet()));
        assertFalse(b.buffer("count").requiresGrad());
    }

    @Test
    void tiedWeightsAppearOnce() {
        Linear a = new Linear(2, 2, new Generator(0));
        Layer tied = new Layer() {
            {
                registerLayer("a", a);
                registerParameter("w", a.weight());
            }

            @Override
            public Tensor forward(Tensor x) {
                return a.forward(x);
            }
        };
        assertEquals(List.of("w", "a.bias"), new ArrayList<>(tied.namedParameters().keySet()));
        assertEquals(2, tied.parameters().size());
    }

    @Test
    void registrationChecksNames() {
        Block b = new Block(new Generator(0));
        var dup = assertThrows(IllegalArgumentException.class, () -> b.registerParameter("scale", Tensor.ones(1)));
        assertTrue(dup.getMessage().contains("'scale' is already used"), dup.getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.registerBuffer("inner", Tensor.ones(1)));
        var dot = assertThrows(IllegalArgumentException.class, () -> b.registerParameter("a.b", Tensor.ones(1)));
        assertTrue(dot.getMessage().contains("no '.'"), dot.getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.registerParameter("idx", Tensor.zeros(DType.INT64, 2)));
        Tensor leaf = Tensor.ones(2).requiresGrad(true);
        var nonLeaf = assertThrows(IllegalArgumentException.class, () -> b.registerParameter("p", leaf.mul(2)));
        assertTrue(nonLeaf.getMessage().contains("leaf"), nonLeaf.getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.parameter("nope"));
    }

    @Test
    void trainAndEvalPropagate() {
        Block b = new Block(new Generator(0));
        Sequential net = new Sequential(b, new Dropout(0.1));
        assertTrue(net.isTraining());
        net.eval();
        for (Layer m : net.namedLayers().values()) assertFalse(m.isTraining(), m.toString());
        net.train();
        for (Layer m : net.namedLayers().values()) assertTrue(m.isTraining(), m.toString());
        net.train(false);
        assertFalse(b.child("inner").child("1").isTraining());
    }

    @Test
    void frozenParametersLeaveParametersButStayInStateDict() {
        Sequential net = mlp(1);
        net.get(0).setTrainable(false);
        assertEquals(List.of("3.weight", "3.bias"), new ArrayList<>(net.namedParameters().keySet()));
        assertEquals(13, net.parameterCount());
        assertEquals(4, net.trainableParameterCount());
        assertEquals(4, net.stateDict().size());
        assertFalse(net.allParameters().get(0).trainable());
        net.setTrainable(true);
        assertEquals(4, net.parameters().size());
    }

    private static Map<String, Tensor> snapshot(Layer m) {
        Map<String, Tensor> copy = new LinkedHashMap<>();
        for (var e : m.stateDict().entrySet()) copy.put(e.getKey(), e.getValue().copy());
        return copy;
    }

    @Test
    void stateDictRoundTripIsBitwise() {
        Sequential a = mlp(1), b = mlp(2);
        a.eval();
        b.eval();
        Tensor x = Tensor.randn(new Generator(5), 7, 2);
        assertFalse(a.forward(x).contentEquals(b.forward(x)));
        Map<String, Tensor> saved = snapshot(a);
        b.loadStateDict(saved);
        for (var e : a.stateDict().entrySet()) assertContentEquals(e.getValue(), b.stateDict().get(e.getKey()), e.getKey());
        assertContentEquals(a.forward(x), b.forward(x));
        // loading keeps the model's own tensors (optimizers hold them) and their flags
        Tensor w = ((Linear) b.get(0)).weight();
        b.loadStateDict(snapshot(mlp(3)));
        assertSame(w, ((Linear) b.get(0)).weight());
        assertTrue(w.requiresGrad());
        // stateDict values share memory with the model
        Tensor view = a.stateDict().get("0.bias");
        try (var s = GradMode.noGrad()) {
            ((Linear) a.get(0)).bias().fill(7);
        }
        assertEquals(7.0, view.get(0));
    }

    @Test
    void stateDictRoundTripWithBuffers() {
        Block a = new Block(new Generator(1)), b = new Block(new Generator(2));
        try (var s = GradMode.noGrad()) {
            a.buffer("count").fill(42);
        }
        b.loadStateDict(snapshot(a));
        assertEquals(42.0, b.buffer("count").get(0));
        assertContentEquals(a.stateDict().get("inner.0.weight"), b.stateDict().get("inner.0.weight"));
    }

    @Test
    void loadStateDictNamesWhatIsWrong() {
        Sequential net = mlp(1);
        Map<String, Tensor> state = snapshot(net);
        state.remove("3.bias");
        state.put("4.weight", Tensor.zeros(1));
        var e = assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(state));
        assertTrue(e.getMessage().contains("missing keys [3.bias]"), e.getMessage());
        assertTrue(e.getMessage().contains("unexpected keys [4.weight]"), e.getMessage());
        assertTrue(e.getMessage().contains("strict=false"), e.getMessage());

        var lenient = net.loadStateDict(state, false);
        assertEquals(List.of("3.bias"), lenient.missingKeys());
        assertEquals(List.of("4.weight"), lenient.unexpectedKeys());

        Map<String, Tensor> wrongShape = snapshot(net);
        wrongShape.put("0.weight", Tensor.zeros(2, 3));
        Map<String, Tensor> before = snapshot(net);
        wrongShape.put("0.bias", Tensor.full(9, 3)); // valid, but must not be copied: the load fails as a whole
        var s = assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(wrongShape));
        assertTrue(s.getMessage().contains("'0.weight' has shape [2, 3] in the state dict but [3, 2] in the model"), s.getMessage());
        assertContentEquals(before.get("0.bias"), net.stateDict().get("0.bias"));

        Map<String, Tensor> wrongType = snapshot(net);
        wrongType.put("3.bias", Tensor.zeros(DType.FLOAT64, 1));
        var t = assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(wrongType));
        assertTrue(t.getMessage().contains("'3.bias' is float64 in the state dict but float32 in the model"), t.getMessage());
    }

    @Test
    void applyVisitsEveryModuleChildrenFirst() {
        Sequential net = new Sequential(new Linear(2, 2), new Sequential(new Tanh(), new Linear(2, 1)));
        List<String> seen = new ArrayList<>();
        net.apply(m -> seen.add(m.typeName()));
        assertEquals(List.of("Linear", "Tanh", "Linear", "Sequential", "Sequential"), seen);
        net.apply(m -> {
            if (m instanceof Linear l) {
                Init.constant(l.weight(), 0.25);
                Init.zeros(l.bias());
            }
        });
        for (Tensor p : net.parameters()) for (double v : p.toDoubleArray()) assertTrue(v == 0.25 || v == 0.0);
    }

    @Test
    void zeroGradClearsGradients() {
        Sequential net = mlp(1);
        net.eval();
        net.forward(Tensor.ones(4, 2)).sum().backward();
        for (Tensor p : net.parameters()) assertNotNull(p.grad());
        net.zeroGrad();
        for (Tensor p : net.parameters()) assertNull(p.grad());
    }

    @Test
    void toTypeConvertsParametersAndKeepsFlags() {
        Sequential net = mlp(1);
        net.get(3).setTrainable(false);
        Tensor old = ((Linear) net.get(0)).weight();
        net.toType(DType.FLOAT64);
        Tensor w = ((Linear) net.get(0)).weight();
        assertNotSame(old, w);
        assertEquals(DType.FLOAT64, w.dtype());
        assertTrue(w.isLeaf() && w.requiresGrad());
        assertFalse(((Linear) net.get(3)).weight().requiresGrad());
        assertContentEquals(old.toType(DType.FLOAT64).detach(), w.detach());
        assertEquals(DType.FLOAT64, net.eval().forward(Tensor.ones(DType.FLOAT64, 1, 2)).dtype());
    }

    @Test
    void printsLikePyTorch() {
        Sequential net = new Sequential(new Linear(1, 20), new Tanh(), new Sequential(new Dropout(0.25), new LeakyReLU(0.2)),
                new Linear(20, 1, false));
        String expected = String.join("\n",
                "Sequential(",
                "  (0): Linear(in_features=1, out_features=20, bias=True)",
                "  (1): Tanh()",
                "  (2): Sequential(",
                "    (0): Dropout(p=0.25)",
                "    (1): LeakyReLU(negative_slope=0.2)",
                "  )",
                "  (3): Linear(in_features=20, out_features=1, bias=False)",
                ")");
        assertEquals(expected, net.toString());
        assertEquals("GELU(approximate='none')", new GELU().toString());
        assertEquals("Softmax(dim=1)", new Softmax(1).toString());
    }

    @Test
    void sequentialListApi() {
        Sequential net = new Sequential().add(new Linear(2, 4)).add(new ReLU());
        net.add(new Linear(4, 1));
        assertEquals(3, net.size());
        assertEquals("ReLU", net.get(1).typeName());
        assertEquals("Linear", net.get(-1).typeName());
        assertThrows(IndexOutOfBoundsException.class, () -> net.get(3));
        int n = 0;
        for (Layer m : net) n++;
        assertEquals(3, n);
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), new ArrayList<>(net.namedParameters().keySet()));
        assertEquals(new Sequential(List.of(new Tanh(), new Tanh())).size(), 2);
    }

    @Test
    void sequentialNamesBothLayersWhenShapesDoNotFit() {
        Sequential net = new Sequential(new Linear(1, 20), new Tanh(), new Linear(10, 1));
        var e = assertThrows(IllegalArgumentException.class, () -> net.forward(Tensor.zeros(4, 1)));
        String m = e.getMessage();
        assertTrue(m.contains("layer 2 (Linear(in_features=10, out_features=1, bias=True))"), m);
        assertTrue(m.contains("layer 1 (Tanh())"), m);
        assertTrue(m.contains("[4, 20]"), m);
        assertTrue(m.contains("expected 10"), m);
    }
}
