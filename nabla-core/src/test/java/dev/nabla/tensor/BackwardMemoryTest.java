package dev.nabla.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.autograd.Autograd;
import dev.nabla.nn.BatchNorm2d;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.Layer;
import dev.nabla.nn.LeakyReLU;
import dev.nabla.nn.MaxPool2d;
import dev.nabla.nn.Linear;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Sigmoid;
import dev.nabla.nn.Tanh;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the reverse pass frees and reuses: saved activations, gradient sums, the freed tape, gradient arrays. */
class BackwardMemoryTest {
    /** tanh(2x).exp().sum(), keeping only weak references to its two activations. */
    private static Tensor loss(Tensor x, List<WeakReference<Tensor>> activations) {
        Tensor h = x.mul(2);
        Tensor e = h.tanh();
        activations.add(new WeakReference<>(h));
        activations.add(new WeakReference<>(e));
        return e.exp().sum();
    }

    private static boolean collected(WeakReference<Tensor> ref) throws InterruptedException {
        for (int i = 0; i < 20 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(5);
        }
        return ref.get() == null;
    }

    @Test
    void activationsAreFreedByBackwardWhileTheLossIsStillHeld() throws InterruptedException {
        Tensor x = Tensor.rand(new Generator(1), 1000).requiresGrad(true);
        List<WeakReference<Tensor>> kept = new ArrayList<>();
        Tensor retained = loss(x, kept);
        retained.backward(null, true, false);
        System.gc();
        assertNotNull(kept.get(1).get(), "retainGraph keeps the saved activations (tanh's output, which its rule reads)");
        assertTrue(collected(kept.get(0)), "but not 2x, which no rule reads");
        retained.backward(); // the graph is still there for a second pass

        List<WeakReference<Tensor>> freed = new ArrayList<>();
        Tensor loss = loss(x, freed);
        loss.backward();
        for (WeakReference<Tensor> ref : freed) {
            assertTrue(collected(ref), "an activation the backward pass has gone past is garbage, though the loss is held");
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("second time"), e.getMessage());
    }

    @Test
    void aFreedGraphWithoutSavedTensorsStillRefusesASecondBackward() {
        Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad(true);
        Tensor y = x.add(x).sum();
        y.backward();
        assertThrows(IllegalStateException.class, y::backward);
        assertArrayEquals(new double[] {2, 2}, x.grad().toDoubleArray());
    }

    @Test
    void gradientSumsAccumulatedInPlaceGiveTheSameBitsAndLeaveTheTermsAlone() {
        Generator g = new Generator(7);
        Tensor w = Tensor.rand(g, 64);
        Tensor[] grads = new Tensor[2];
        List<Tensor> seen = new ArrayList<>();
        for (int pass = 0; pass < 2; pass++) {
            Tensor x = Tensor.rand(new Generator(3), 64).requiresGrad(true);
            Tensor u = x.tanh();
            // u has four consumers (three terms added to a sum), v = u + u hands the same tensor to both
            Tensor v = u.add(u);
            if (pass == 0) v.registerHook(t -> { seen.add(t); return null; });
            Tensor loss = v.add(u).mul(w).add(u.mul(u)).sum();
            // createGraph records every sum out of place: the reference for the in-place pass
            loss.backward(null, false, pass == 1);
            grads[pass] = x.grad().detach();
        }
        assertArrayEquals(grads[1].toFloatArray(), grads[0].toFloatArray(), "the same additions in the same order");
        assertArrayEquals(w.toFloatArray(), seen.get(0).toFloatArray(), "a gradient a hook kept is never added to");
    }

    @Test
    void aResultNoRuleReadsIsFreedByTheForwardPassAndTheGradientsStayTheSame() throws InterruptedException {
        Generator gen = new Generator(5);
        Tensor x = Tensor.rand(gen, 8, 3, 6, 6).requiresGrad(true), w = Tensor.rand(gen, 4, 3, 3, 3).requiresGrad(true);
        float[][] reference = new float[2][];
        for (int pass = 0; pass < 2; pass++) {
            x.setGrad(null);
            w.setGrad(null);
            // conv → ReLU → max pool → sum: the rules read the conv's operands and the ReLU's output, not the
            // conv's output nor the ReLU's input (the same tensor), nor the pool's
            Tensor z = x.conv2d(w, null, 1, 1), a = z.relu();
            WeakReference<Tensor> convOutput = new WeakReference<>(z);
            if (pass == 1) z.retainGrad(); // retaining its gradient keeps it
            z = null;
            Tensor loss = a.maxPool2d(2).sum();
            a = null;
            if (pass == 0) assertTrue(collected(convOutput), "the conv's output is garbage before backward");
            else assertNotNull(convOutput.get(), "a tensor that retains its gradient is kept");
            loss.backward();
            if (pass == 1) assertNotNull(convOutput.get().grad(), "and gets it");
            reference[pass] = x.grad().toFloatArray();
        }
        assertArrayEquals(reference[0], reference[1], "freeing the conv's output changes no bit of the gradient");
    }

    @Test
    void aRuleReadingATensorItsOpDoesNotKeepIsAnInternalError() {
        Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad(true);
        Tensor y = x.add(1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.gradFn.out());
        assertTrue(e.getMessage().contains("Op.ADD does not keep"), e.getMessage());
    }

    @Test
    void gradientsWithRespectToAResultItsNodeDoesNotKeepReachIt() {
        Tensor x = Tensor.of(new double[] {-2, -0.5, 0.5, 3}).requiresGrad(true);
        double[] want = {0, 1, 3, 8}; // d/dy Σ relu(y)² = 2·relu(y), y = x + 1
        Tensor y = x.add(1); // add keeps neither its operands nor its output
        Tensor loss = y.relu().square().sum();
        // createGraph keeps the graph for the backward below
        assertArrayEquals(want, Autograd.grad(List.of(loss), List.of(y), null, true, false).get(0).toDoubleArray(), 1e-15);
        loss.backward(List.of(y));
        assertArrayEquals(want, y.grad().toDoubleArray(), 1e-15);
        assertNull(x.grad(), "backward(inputs) accumulates into the inputs only");
    }

    // ---------------------------------------------------------------- the pool of gradient arrays

    /** A two-layer net on 64 rows, every tensor of at least BufferPool.MIN_LENGTH elements. */
    private record Net(Tensor x, Tensor w1, Tensor w2) {
        static Net create(long seed) {
            Generator gen = new Generator(seed);
            return new Net(Tensor.randn(gen, 64, 64), Tensor.randn(gen, 64, 128).mul(0.1).requiresGrad(true),
                    Tensor.randn(gen, 128, 64).mul(0.1).requiresGrad(true));
        }

        /** Views, a sum of two terms, one tensor used twice, a concatenation: the rules that hand on g or a view of it. */
        Tensor loss(List<Tensor> seen, Tensor retained) {
            Tensor h = x.matmul(w1).relu();
            Tensor r = h.reshape(64, 2, 64).reshape(64, 128);
            if (retained != null) r = r.add(retained);
            if (seen != null) r.registerHook(g -> { seen.add(g); return null; });
            Tensor both = r.add(r);
            Tensor y = Tensor.cat(List.of(both.matmul(w2), h.matmul(w2)), 0).tanh();
            return y.mul(y).sum();
        }
    }

    @Test
    void aPassReusesTheArraysOfTheGradientsItHasConsumedAndLeavesTheRestToTheNextStep() {
        // a chain without sums: each rule's result can only take the array of the gradient it consumed
        // (tanh's fused rule writes over it; the others take it from the pool); of 2^16 elements
        // (BufferPool.CARRY_MIN_LENGTH), so that what the pass leaves serves the next step
        Tensor x = Tensor.randn(new Generator(3), 256, 256).requiresGrad(true);
        long before = BufferPool.reused(), overwrittenBefore = BufferPool.overwritten();
        x.mul(2).tanh().mul(3).exp().sum().backward();
        long after = BufferPool.reused();
        assertEquals(1, BufferPool.overwritten() - overwrittenBefore, "tanh's rule writes over the gradient it consumed");
        assertTrue(after >= before + 1, "the gradients the pass consumed are reused within it: " + (after - before));
        Tensor fresh = Tensor.zeros(256, 256); // after the pass: on an array it released and did not reuse
        assertEquals(after + 1, BufferPool.reused(), "what the pass did not reuse serves the next step's tensors");
        assertArrayEquals(new float[256 * 256], fresh.toFloatArray());
    }

    @Test
    void activationsWriteOverTheGradientTheyConsumeOnlyWhenNothingElseReadsIt() {
        Generator gen = new Generator(6);
        Tensor data = Tensor.randn(gen, 64, 128);
        for (String act : ACTIVATIONS) {
            // the reference: a recorded pass (createGraph), which neither pools nor overwrites
            Tensor xr = data.detach().requiresGrad(true);
            float[] want = Autograd.grad(List.of(loss(xr, act, null)), List.of(xr), null, false, true).get(0).toFloatArray();

            Tensor x = data.detach().requiresGrad(true);
            long before = BufferPool.overwritten();
            loss(x, act, null).backward();
            assertEquals(before + 1, BufferPool.overwritten(), act + "'s rule writes over the gradient of its output");
            assertArrayEquals(want, x.grad().toFloatArray(), act);

            // a hook sees the gradient: it is the user's, never written over
            Tensor xh = data.detach().requiresGrad(true);
            List<Tensor> seen = new ArrayList<>();
            before = BufferPool.overwritten();
            loss(xh, act, seen).backward();
            assertEquals(before, BufferPool.overwritten(), act);
            assertArrayEquals(want, xh.grad().toFloatArray(), act);
            assertArrayEquals(activation(data.mul(3), act).mul(2).toFloatArray(), seen.get(0).toFloatArray(),
                    act + ": the hook's gradient (2·a) is unchanged");
        }
    }

    private static final String[] ACTIVATIONS = {"relu", "leakyRelu", "tanh", "sigmoid"};

    private static Tensor activation(Tensor h, String act) {
        return switch (act) {
            case "relu" -> h.relu();
            case "leakyRelu" -> h.leakyRelu(0.1);
            case "tanh" -> h.tanh();
            default -> h.sigmoid();
        };
    }

    // Σ act(3x)²; seen (if not null) gets the activation's output gradient through a hook
    private static Tensor loss(Tensor x, String act, List<Tensor> seen) {
        Tensor a = activation(x.mul(3), act);
        if (seen != null) a.registerHook(g -> { seen.add(g); return null; });
        return a.square().sum();
    }

    @Test
    void aResultRecordedInsideAPassIsNotHeldThroughAViewOfIt() throws InterruptedException {
        Generator gen = new Generator(4);
        Tensor x = Tensor.randn(gen, 64, 128).requiresGrad(true), w = Tensor.randn(gen, 64, 128).requiresGrad(true);
        List<Tensor> views = new ArrayList<>();
        List<WeakReference<Tensor>> recorded = new ArrayList<>();
        Tensor y = x.mul(2);
        y.registerHook(g -> {
            try (var on = GradMode.set(true)) {
                Tensor r = w.mul(g); // on the tape, allocated while the pass runs
                recorded.add(new WeakReference<>(r));
                views.add(r.detach());
            }
            return null;
        });
        y.sum().backward();
        assertNotNull(views.get(0));
        assertTrue(collected(recorded.get(0)), "a detached view keeps the data, not the recorded tensor and its graph");
    }

    @Test
    void pooledPassesGiveTheSameGradientsAndNeverTouchWhatTheUserHolds() {
        // the reference: each step's gradients from a recorded pass (createGraph), which pools nothing
        Net ref = Net.create(5);
        List<float[]> expected = new ArrayList<>();
        for (int step = 0; step < 4; step++) {
            Tensor retained = Tensor.randn(new Generator(step), 64, 128).requiresGrad(true);
            List<Tensor> g = Autograd.grad(ref.loss(new ArrayList<>(), retained), List.of(ref.w1, ref.w2, retained), true);
            for (Tensor t : g) expected.add(t.detach().toFloatArray());
        }

        Net net = Net.create(5);
        List<Tensor> held = new ArrayList<>();
        List<float[]> snapshots = new ArrayList<>();
        for (int step = 0; step < 4; step++) {
            Tensor retained = Tensor.randn(new Generator(step), 64, 128).requiresGrad(true);
            List<Tensor> seen = new ArrayList<>();
            net.loss(seen, retained).backward();
            List<Tensor> grads = List.of(net.w1.grad(), net.w2.grad(), retained.grad());
            for (int k = 0; k < 3; k++) {
                assertArrayEquals(expected.get(3 * step + k), grads.get(k).toFloatArray(), "step " + step + ", gradient " + k);
            }
            held.addAll(grads);
            held.addAll(seen);
            // a second pass by Autograd.grad: what it returns is the caller's
            held.addAll(Autograd.grad(net.loss(null, retained), List.of(net.w1, retained), false));
            for (int k = snapshots.size(); k < held.size(); k++) snapshots.add(held.get(k).toFloatArray());
            net.w1.setGrad(null);
            net.w2.setGrad(null);
        }
        for (int k = 0; k < held.size(); k++) {
            assertArrayEquals(snapshots.get(k), held.get(k).toFloatArray(), "tensor " + k + " the user holds was overwritten");
        }
    }

    @Test
    void aClearedGradientNoOneWasGivenServesTheNextPassAndOneThatWasGivenStaysTheCallers() {
        Generator gen = new Generator(7);
        Tensor init = Tensor.randn(gen, 256, 256);
        List<Tensor> inputs = List.of(Tensor.randn(gen, 256, 256), Tensor.randn(gen, 256, 256), Tensor.randn(gen, 256, 256));
        // the reference: each step's gradient from a recorded pass, which neither pools nor recycles
        List<float[]> want = new ArrayList<>();
        Tensor wr = init.detach().requiresGrad(true);
        for (Tensor x : inputs) {
            want.add(Autograd.grad(List.of(x.mul(wr).tanh().sum()), List.of(wr), null, false, true).get(0).toFloatArray());
        }

        // Σ tanh(x·w): the step's tensors h = x·w, tanh(h) and w's gradient are of w's length
        Tensor w = init.detach().requiresGrad(true);
        Object cleared = null;
        for (int step = 0; step < inputs.size(); step++) {
            Tensor h = inputs.get(step).mul(w), t = h.tanh();
            t.sum().backward();
            Tensor g = w.gradInPassing();
            assertArrayEquals(want.get(step), g.toFloatArray(), "step " + step);
            if (cleared != null) assertTrue(onArray(cleared, h, t, g), "step " + step + ": the cleared gradient's array serves it");
            cleared = g.storage.array;
            w.setGrad(null); // as zeroGrad: no one was given this gradient
        }

        // given to the caller (grad()) or to a hook, or set by the caller: never reused
        for (int way = 0; way < 3; way++) {
            Tensor v = init.detach().requiresGrad(true);
            List<Tensor> seen = new ArrayList<>();
            if (way == 1) v.registerHook(g -> { seen.add(g); return null; });
            inputs.get(0).mul(v).tanh().sum().backward();
            if (way == 0) seen.add(v.grad());
            if (way == 2) {
                seen.add(v.gradInPassing().mul(1));
                v.setGrad(seen.get(0));
            }
            float[] held = seen.get(0).toFloatArray();
            v.setGrad(null);
            Tensor h = inputs.get(1).mul(v), t = h.tanh();
            t.sum().backward();
            assertFalse(onArray(seen.get(0).storage.array, h, t, v.gradInPassing()), "way " + way + ": not reused");
            assertArrayEquals(held, seen.get(0).toFloatArray(), "way " + way + ": what the caller holds is unchanged");
            assertArrayEquals(want.get(1), v.gradInPassing().toFloatArray());
        }
    }

    private static boolean onArray(Object array, Tensor... tensors) {
        for (Tensor t : tensors) if (t.storage.array == array) return true;
        return false;
    }

    @Test
    void anArrayNoStepTakesWaitsThroughTwoBackwardPassesAndNoMore() {
        for (int passes = 0; passes <= 2; passes++) {
            Tensor w = Tensor.randn(new Generator(14), 293, 229).requiresGrad(true); // a length no other test's tensor has
            w.mul(2).sum().backward();
            w.setGrad(null); // its array and what the pass left of that length wait for the next step
            for (int k = 0; k < passes; k++) Tensor.ones(3).requiresGrad(true).sum().backward(); // none of that length
            long before = BufferPool.reused();
            Tensor fresh = Tensor.zeros(293, 229);
            assertEquals(passes < 2 ? 1 : 0, BufferPool.reused() - before, "after " + passes + " passes");
            assertArrayEquals(new float[293 * 229], fresh.toFloatArray());
        }
    }

    @Test
    void anOpThatWritesEveryElementTakesAReusedArrayWithoutClearingIt() {
        Tensor w = Tensor.randn(new Generator(15), 293, 231).requiresGrad(true); // a length no other test's tensor has
        w.mul(2).sum().backward(); // the pass's gradients of that length hold 1s and 2s
        w.setGrad(null);
        long before = BufferPool.reused();
        Tensor t = Tensor.uninitialized(DType.FLOAT32, new int[] {293, 231});
        assertEquals(1, BufferPool.reused() - before, "a carried gradient array serves it");
        boolean poisoned = Boolean.getBoolean("nabla.poisonUnzeroed"); // the pool-every-array run
        for (float v : t.toFloatArray()) {
            if (poisoned) assertTrue(Float.isNaN(v), "filled with NaN where the tests ask for it");
            else assertTrue(v == 1 || v == 2, "kept as it was, not cleared: " + v);
        }
    }

    // any pass takes the arrays left since the last one (a test before may have left some), and drops
    // what it does not use (it leaves its own, of one element)
    private static void dropCarried() {
        Tensor.ones(1).requiresGrad(true).sum().backward();
    }

    @Test
    void nablasOptimizersLeaveTheGradientToTheNextPassAndAnOptimizerFromElsewhereKeepsIt() {
        Generator gen = new Generator(8);
        Tensor init = Tensor.randn(gen, 256, 256), x = Tensor.randn(gen, 256, 256);
        List<Tensor> kept = new ArrayList<>();
        // an optimizer outside nabla whose rule keeps the gradient it was given
        class Keeping extends dev.nabla.optim.Optimizer {
            Keeping(List<Tensor> params) { super("Keeping", params, 0.1); }

            @Override
            protected List<String> bufferNames() { return List.of(); }

            @Override
            protected boolean hasStepCount() { return false; }

            @Override
            protected void initState(Tensor param, State state) {}

            @Override
            protected void update(Tensor p, Tensor grad, State s) {
                kept.add(grad);
                p.subInPlace(grad.mul(lr()));
            }
        }
        for (boolean own : new boolean[] {true, false}) {
            Tensor w = init.detach().requiresGrad(true);
            dev.nabla.optim.Optimizer opt = own ? new dev.nabla.optim.SGD(List.of(w), 0.1) : new Keeping(List.of(w));
            long[] reused = new long[2];
            float[] held = null;
            dropCarried();
            for (int step = 0; step < 2; step++) {
                opt.zeroGrad();
                long before = BufferPool.reused();
                x.mul(w).tanh().sum().backward();
                reused[step] = BufferPool.reused() - before;
                opt.step();
                if (step == 0 && !own) held = kept.get(0).toFloatArray();
            }
            assertEquals(reused[0] + (own ? 1 : 0), reused[1],
                    own ? "SGD's step leaves the array to the next pass" : "the rule from elsewhere was given it");
            if (!own) assertArrayEquals(held, kept.get(0).toFloatArray(), "the gradient it kept is unchanged");
        }
    }

    @Test
    void anActivationAfterAConvOrLinearInASequentialWritesOverItsOutputWithTheSameBits() {
        Tensor data = Tensor.randn(new Generator(9), 4, 3, 10, 10);
        Layer[] activations = {new ReLU(), new LeakyReLU(0.1), new Tanh(), new Sigmoid(), new LeakyReLU(-0.5), new ReLU() {}};
        long[] expected = {2, 2, 2, 2, 0, 0}; // a negative slope changes signs; a subclass may read its input twice
        for (int a = 0; a < activations.length; a++) {
            Layer act = activations[a];
            Conv2d conv = Conv2d.builder(3, 8, 3).padding(1).generator(new Generator(1)).build();
            Linear linear = new Linear(800, 16, new Generator(2));
            List<Layer> layers = List.of(conv, act, new Flatten(), linear, act);
            // the reference: the same layers called one by one, outside Sequential
            Tensor xr = data.detach().requiresGrad(true), yr = xr;
            for (Layer l : layers) yr = l.forward(yr);
            yr.square().sum().backward();
            List<float[]> want = List.of(yr.toFloatArray(), xr.grad().toFloatArray(), conv.weight().grad().toFloatArray(),
                    linear.weight().grad().toFloatArray());
            conv.zeroGrad();
            linear.zeroGrad();

            Tensor x = data.detach().requiresGrad(true);
            long before = BufferPool.overwrittenInputs();
            Tensor y = new Sequential(layers).forward(x);
            assertEquals(expected[a], BufferPool.overwrittenInputs() - before, "activation " + a);
            y.square().sum().backward();
            List<float[]> got = List.of(y.toFloatArray(), x.grad().toFloatArray(), conv.weight().grad().toFloatArray(),
                    linear.weight().grad().toFloatArray());
            for (int k = 0; k < want.size(); k++) assertArrayEquals(want.get(k), got.get(k), "activation " + a + ", tensor " + k);
            assertArrayEquals(data.toFloatArray(), x.toFloatArray(), "the network's input is never written over");
        }
        // after batch norm: training (the fused op) and evaluation (a composite, whose last op's output is not written over)
        for (boolean training : new boolean[] {true, false}) {
            BatchNorm2d bn = new BatchNorm2d(3);
            bn.train(training);
            Tensor xr = data.detach().requiresGrad(true);
            Tensor want = new ReLU().forward(bn.forward(xr));
            want.square().sum().backward();
            float[] wantGrad = xr.grad().toFloatArray();
            Tensor x = data.detach().requiresGrad(true);
            long before = BufferPool.overwrittenInputs();
            Tensor y = new Sequential(bn, new ReLU()).forward(x);
            assertEquals(training ? 1 : 0, BufferPool.overwrittenInputs() - before, "training " + training);
            y.square().sum().backward();
            assertArrayEquals(want.toFloatArray(), y.toFloatArray());
            assertArrayEquals(wantGrad, x.grad().toFloatArray());
        }
        // the first layer's input is the caller's: an activation there computes a new array
        Tensor x = data.detach();
        long before = BufferPool.overwrittenInputs();
        new Sequential(new ReLU(), new Flatten(), new Linear(300, 4, new Generator(3))).forward(x);
        assertEquals(before, BufferPool.overwrittenInputs());
        assertArrayEquals(data.toFloatArray(), x.toFloatArray());
    }


    // ---------------------------------------------------------------- the intermediates of a layer stack

    /**
     * conv → ReLU, max pool, flatten, linear → tanh, linear: on [256, 3, 16, 16], intermediates of
     * 2^16 elements and more (BufferPool.CARRY_MIN_LENGTH), but the last.
     */
    private static List<Layer> stack(long seed) {
        Generator g = new Generator(seed);
        return List.of(Conv2d.builder(3, 16, 3).padding(1).generator(g).build(), new ReLU(), new MaxPool2d(2), new Flatten(),
                new Linear(16 * 8 * 8, 256, g), new Tanh(), new Linear(256, 10, g));
    }

    private static Tensor oneByOne(List<Layer> layers, Tensor x) {
        for (Layer l : layers) x = l.forward(x);
        return x;
    }

    @Test
    void aSequentialsIntermediatesServeTheNextTensorsWithTheSameBitsAndNeverWhatTheCallerHolds() {
        Generator gen = new Generator(11);
        List<Tensor> batches = List.of(Tensor.randn(gen, 256, 3, 16, 16), Tensor.randn(gen, 256, 3, 16, 16), Tensor.randn(gen, 256, 3, 16, 16));
        // the reference: the same layers called one by one, which marks nothing
        List<Layer> ref = stack(1);
        List<Tensor> refParams = new ArrayList<>();
        for (Layer l : ref) refParams.addAll(l.parameters());
        var refOpt = new dev.nabla.optim.SGD(refParams, 0.1);
        List<Layer> layers = stack(1);
        // nested: the inner stack's output is an intermediate of the outer one
        Sequential net = new Sequential(new Sequential(layers.subList(0, 2)), new Sequential(layers.subList(2, 7)));
        var opt = new dev.nabla.optim.SGD(net.parameters(), 0.1);
        List<Tensor> held = new ArrayList<>();
        List<float[]> snapshots = new ArrayList<>();
        for (int step = 0; step < batches.size(); step++) {
            Tensor x = batches.get(step);
            Tensor want = oneByOne(ref, x);
            Tensor wantLoss = want.square().mean();
            wantLoss.backward();
            refOpt.step();
            refOpt.zeroGrad();

            long reusedBefore = BufferPool.reused();
            Tensor y = net.forward(x);
            long reusedByForward = BufferPool.reused() - reusedBefore;
            Tensor loss = y.square().mean();
            long reclaimedBefore = BufferPool.reclaimed();
            loss.backward();
            // the conv's output (ReLU's, over the same array), the pool's and tanh's (the linear's)
            assertEquals(3, BufferPool.reclaimed() - reclaimedBefore, "step " + step);
            if (step > 0) assertTrue(reusedByForward >= 2, "step " + step + ": the forward pass reused " + reusedByForward);
            opt.step();
            opt.zeroGrad();
            assertArrayEquals(want.toFloatArray(), y.toFloatArray(), "step " + step);
            assertEquals(wantLoss.item(), loss.item(), "step " + step);
            held.addAll(List.of(x, y, loss));
            for (Tensor t : List.of(x, y, loss)) snapshots.add(t.toFloatArray());
        }
        for (int i = 0; i < refParams.size(); i++) {
            assertArrayEquals(refParams.get(i).toFloatArray(), net.parameters().get(i).toFloatArray(), "parameter " + i);
        }
        for (int k = 0; k < held.size(); k++) assertArrayEquals(snapshots.get(k), held.get(k).toFloatArray(), "held tensor " + k);
    }

    @Test
    void whatALayerOfTheUsersOrARetainedGraphCanStillReadIsNeverReclaimed() {
        Tensor x = Tensor.randn(new Generator(12), 256, 3, 16, 16);
        List<Tensor> kept = new ArrayList<>();
        Layer keeping = new Layer() { // keeps what it takes and what it gives
            @Override
            public Tensor forward(Tensor in) {
                kept.add(in);
                Tensor out = in.mul(2);
                kept.add(out);
                return out;
            }
        };
        List<Layer> layers = new ArrayList<>(stack(2));
        layers.add(2, keeping); // after conv → ReLU: neither ReLU's output nor the pool's input is nabla's alone
        layers.add(4, new ReLU() {}); // a subclass of nabla's layer may keep its tensors too
        Tensor want = oneByOne(layers, x);
        List<float[]> snapshots = kept.stream().map(Tensor::toFloatArray).toList();
        kept.clear();
        Sequential net = new Sequential(layers);
        long before = BufferPool.reclaimed();
        Tensor y = net.forward(x);
        y.square().mean().backward();
        assertEquals(1, BufferPool.reclaimed() - before, "tanh's output only");
        net.forward(x); // would take the arrays
        assertArrayEquals(want.toFloatArray(), y.toFloatArray());
        for (int k = 0; k < kept.size(); k++) assertArrayEquals(snapshots.get(k % 2), kept.get(k).toFloatArray(), "kept tensor " + k);

        // retainGraph: the nodes keep their tensors for the second pass
        Sequential plain = new Sequential(stack(3));
        Tensor loss = plain.forward(x).square().mean();
        before = BufferPool.reclaimed();
        loss.backward(null, true, false);
        Tensor first = plain.get(0).parameters().get(0).grad().detach().copy();
        assertEquals(before, BufferPool.reclaimed());
        loss.backward();
        assertArrayEquals(first.add(first).toFloatArray(), plain.get(0).parameters().get(0).grad().toFloatArray());
        assertEquals(before + 3, BufferPool.reclaimed(), "released by the second pass");
    }

    @Test
    void withoutGradientsAnIntermediateIsReclaimedAtOnceAndServesTheNextForwardPass() {
        Tensor x = Tensor.randn(new Generator(13), 256, 3, 16, 16);
        List<Layer> layers = stack(4);
        Tensor want = oneByOne(layers, x);
        Sequential net = new Sequential(layers);
        try (var off = GradMode.noGrad()) {
            for (int pass = 0; pass < 3; pass++) {
                long reclaimed = BufferPool.reclaimed(), reused = BufferPool.reused();
                Tensor y = net.forward(x);
                assertEquals(3, BufferPool.reclaimed() - reclaimed, "pass " + pass);
                if (pass > 0) assertTrue(BufferPool.reused() - reused >= 3, "pass " + pass);
                assertArrayEquals(want.toFloatArray(), y.toFloatArray(), "pass " + pass);
            }
            // an output that is a view of an intermediate keeps its array
            Sequential flat = new Sequential(layers.get(0), layers.get(1), new Flatten());
            Tensor y = flat.forward(x);
            float[] values = y.toFloatArray();
            net.forward(x);
            flat.forward(x);
            assertArrayEquals(values, y.toFloatArray());
        }
    }

    @Test
    void aSecondBackwardAddsIntoAGradientNoCallerWasGivenAndLeavesAGivenOneAlone() {
        Generator gen = new Generator(10);
        Tensor init = Tensor.randn(gen, 64, 128), x1 = Tensor.randn(gen, 64, 128), x2 = Tensor.randn(gen, 64, 128);
        Tensor wr = init.detach().requiresGrad(true);
        Tensor g1 = Autograd.grad(List.of(x1.mul(wr).tanh().sum()), List.of(wr), null, false, true).get(0);
        Tensor g2 = Autograd.grad(List.of(x2.mul(wr).tanh().sum()), List.of(wr), null, false, true).get(0);
        float[] want = g1.detach().add(g2.detach()).toFloatArray();
        for (boolean given : new boolean[] {false, true}) {
            Tensor w = init.detach().requiresGrad(true);
            x1.mul(w).tanh().sum().backward();
            Tensor first = given ? w.grad() : w.gradInPassing();
            float[] held = first.toFloatArray();
            x2.mul(w).tanh().sum().backward(); // accumulates
            assertArrayEquals(want, w.gradInPassing().toFloatArray(), "given " + given);
            if (given) assertArrayEquals(held, first.toFloatArray(), "the gradient the caller was given is unchanged");
            else assertTrue(w.gradInPassing() == first, "the sum went into the gradient's own array");
        }
    }
}
