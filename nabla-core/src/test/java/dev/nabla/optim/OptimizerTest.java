package dev.nabla.optim;

import static dev.nabla.tensor.TensorAssert.assertContentEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Behaviour of the optimizers beyond PyTorch's numbers: state, skipping, errors, the course. */
class OptimizerTest {

    // ------------------------------------------------------------------ the course

    @Test
    void courseGradientDescentOnXSquaredPlus4() {
        Tensor x = Tensor.scalar(DType.FLOAT64, 10).requiresGrad(true);
        Optimizer opt = new SGD(List.of(x), 0.1);
        for (int k = 0; k < 30; k++) {
            opt.zeroGrad();
            x.mul(x).add(4).backward();
            opt.step();
        }
        assertEquals(0.0123794004, x.item(), 1e-10);
        assertEquals(10 * Math.pow(0.8, 30), x.item(), 1e-15);
        assertEquals(4.00015325, x.item() * x.item() + 4, 1e-8);
        assertTrue(x.isLeaf() && x.requiresGrad(), "step must not record a graph or change the leaf");
    }

    // ------------------------------------------------------------------ a small training problem

    /** Least squares on a tiny linear model: loss = Σ (x·w + b − y)². */
    static final class Problem {
        final Tensor x, y;

        Problem(long seed) {
            Generator g = new Generator(seed);
            x = Tensor.randn(g, 5, 3);
            y = Tensor.randn(g, 5, 4);
        }

        static List<Tensor> params(long seed) {
            Generator g = new Generator(seed);
            return List.of(Tensor.randn(g, 3, 4).requiresGrad(true), Tensor.randn(g, 4).requiresGrad(true));
        }

        /** One training step; parameter 1 gets no gradient on the steps listed in skipBias. */
        void step(Optimizer opt, int k, boolean skipBias) {
            opt.zeroGrad();
            List<Tensor> p = opt.params();
            Tensor b = skipBias ? p.get(1).detach() : p.get(1);
            x.matmul(p.get(0)).add(b).sub(y).square().sum().backward();
            opt.step();
        }
    }

    static Stream<Arguments> optimizers() {
        List<Arguments> out = new ArrayList<>();
        out.add(Arguments.of("SGD nesterov wd", (Function<List<Tensor>, Optimizer>) p ->
                SGD.builder(p).lr(0.01).momentum(0.9).nesterov(true).weightDecay(1e-3).build()));
        out.add(Arguments.of("SGD dampening", (Function<List<Tensor>, Optimizer>) p ->
                new SGD(p, 0.01, 0.5, 0.2, 0, false)));
        out.add(Arguments.of("Adagrad", (Function<List<Tensor>, Optimizer>) p ->
                Adagrad.builder(p).lr(0.1).lrDecay(0.01).initialAccumulatorValue(0.1).build()));
        out.add(Arguments.of("RMSprop centered momentum", (Function<List<Tensor>, Optimizer>) p ->
                RMSprop.builder(p).momentum(0.9).centered(true).weightDecay(1e-3).build()));
        out.add(Arguments.of("Adam amsgrad", (Function<List<Tensor>, Optimizer>) p ->
                Adam.builder(p).lr(0.01).amsgrad(true).build()));
        out.add(Arguments.of("AdamW", (Function<List<Tensor>, Optimizer>) p -> new AdamW(p, 0.01)));
        return out.stream();
    }

    static boolean skipBiasAt(int k) {
        return k == 1 || k == 6;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void stateSaveRestoreGivesBitwiseTheSameSteps(String name, Function<List<Tensor>, Optimizer> make) {
        Problem prob = new Problem(7);
        Optimizer opt = make.apply(Problem.params(11));
        LrScheduler sched = new ExponentialLR(opt, 0.9);
        for (int k = 0; k < 4; k++) {
            prob.step(opt, k, skipBiasAt(k));
            sched.step();
        }
        Map<String, Tensor> state = opt.stateDict();
        Map<String, Double> schedState = sched.stateDict();
        Map<String, Tensor> stateCopy = new HashMap<>();
        state.forEach((k, v) -> stateCopy.put(k, v.copy()));
        List<Tensor> saved = new ArrayList<>();
        for (Tensor p : opt.params()) saved.add(p.detach().copy());
        for (int k = 4; k < 9; k++) {
            prob.step(opt, k, skipBiasAt(k));
            sched.step();
        }
        state.forEach((k, v) -> assertContentEquals(stateCopy.get(k), v, name + ": stateDict must be a snapshot: " + k));

        List<Tensor> restored = new ArrayList<>();
        for (Tensor p : saved) restored.add(p.copy().requiresGrad(true));
        Optimizer opt2 = make.apply(restored);
        opt2.setLr(123); // the state dict's lr wins
        opt2.loadStateDict(state);
        LrScheduler sched2 = new ExponentialLR(opt2, 0.9);
        sched2.loadStateDict(schedState);
        assertEquals(state.keySet(), opt2.stateDict().keySet());
        for (int k = 4; k < 9; k++) {
            prob.step(opt2, k, skipBiasAt(k));
            sched2.step();
        }
        for (int i = 0; i < saved.size(); i++) {
            assertContentEquals(opt.params().get(i), opt2.params().get(i), name + ": parameter " + i + " differs after restore");
            assertNotEquals(saved.get(i), opt.params().get(i), name + ": the parameters must have moved");
        }
        assertEquals(opt.lr(), opt2.lr());
        assertEquals(sched.lastEpoch(), sched2.lastEpoch());
        Map<String, Tensor> s1 = opt.stateDict(), s2 = opt2.stateDict();
        assertEquals(s1.keySet(), s2.keySet());
        s1.forEach((k, v) -> assertContentEquals(v, s2.get(k), name + ": state " + k));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void trainingLowersTheLoss(String name, Function<List<Tensor>, Optimizer> make) {
        Problem prob = new Problem(3);
        Optimizer opt = make.apply(Problem.params(5));
        double first = loss(prob, opt.params());
        for (int k = 0; k < 50; k++) prob.step(opt, k, false);
        assertTrue(loss(prob, opt.params()) < 0.8 * first, name + ": loss " + first + " -> " + loss(prob, opt.params()));
    }

    static double loss(Problem prob, List<Tensor> p) {
        return prob.x.matmul(p.get(0).detach()).add(p.get(1).detach()).sub(prob.y).square().sum().item();
    }

    // ------------------------------------------------------------------ grads: zeroGrad and skipping

    @Test
    void zeroGradSetsEveryGradToNull() {
        List<Tensor> p = Problem.params(1);
        Optimizer opt = new Adam(p);
        new Problem(2).step(opt, 0, false);
        assertTrue(p.get(0).grad() != null && p.get(1).grad() != null);
        opt.zeroGrad();
        assertNull(p.get(0).grad());
        assertNull(p.get(1).grad());
    }

    @Test
    void paramsWithoutGradAreSkippedAndStartTheirStateLater() {
        Tensor a = Tensor.of(new double[] {1, 2, 3}).requiresGrad(true);
        Tensor b = Tensor.of(new double[] {4, 5}).requiresGrad(true);
        Adam opt = new Adam(List.of(a, b), 0.1);
        a.setGrad(Tensor.of(new double[] {0.5, -1, 2}));
        opt.step();
        assertContentEquals(Tensor.of(new double[] {4, 5}), b, "b had no grad and must not move");
        assertEquals(List.of("lr", "0.step", "0.exp_avg", "0.exp_avg_sq"), new ArrayList<>(opt.stateDict().keySet()));
        // b's first gradient: its state starts now, at step 1, exactly as a fresh optimizer's would
        Tensor bAlone = Tensor.of(new double[] {4, 5}).requiresGrad(true);
        Adam alone = new Adam(List.of(bAlone), 0.1);
        opt.zeroGrad();
        b.setGrad(Tensor.of(new double[] {0.25, 3}));
        bAlone.setGrad(Tensor.of(new double[] {0.25, 3}));
        Tensor aBefore = a.detach().copy();
        opt.step();
        alone.step();
        assertContentEquals(aBefore, a, "a had no grad this time");
        assertContentEquals(bAlone, b);
        assertEquals(1.0, opt.stateDict().get("1.step").item());
        assertEquals(1.0, opt.stateDict().get("0.step").item());
    }

    @Test
    void adamWDecaysWeightsDecoupledFromTheGradient() {
        Tensor p = Tensor.of(new double[] {1, -2, 3}).requiresGrad(true);
        AdamW opt = AdamW.builder(List.of(p)).lr(0.1).weightDecay(0.5).build();
        p.setGrad(p.zerosLike());
        opt.step();
        assertContentEquals(Tensor.of(new double[] {1 * 0.95, -2 * 0.95, 3 * 0.95}), p);
    }

    @Test
    void stepUpdatesFloat32ParamsInFloat32() {
        List<Tensor> p = Problem.params(9);
        Optimizer opt = new RMSprop(p);
        new Problem(4).step(opt, 0, false);
        assertEquals(DType.FLOAT32, p.get(0).dtype());
        assertEquals(DType.FLOAT32, opt.stateDict().get("0.square_avg").dtype());
        assertEquals(DType.FLOAT64, opt.stateDict().get("0.step").dtype());
    }

    // ------------------------------------------------------------------ errors

    static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void invalidParameterListsAreRefused() {
        Tensor a = Tensor.zeros(2, 3).requiresGrad(true);
        assertTrue(message(() -> new SGD(List.of(), 0.1)).contains("empty parameter list"));
        String m = message(() -> new Adam(List.of(a, Tensor.zeros(4))));
        assertTrue(m.contains("Adam") && m.contains("parameter 1") && m.contains("[4]") && m.contains("requiresGrad"), m);
        m = message(() -> new Adam(List.of(a, a.mul(2))));
        assertTrue(m.contains("parameter 1") && m.contains("not a leaf"), m);
        m = message(() -> new RMSprop(List.of(a, Tensor.ones(3).requiresGrad(true), a)));
        assertTrue(m.contains("RMSprop") && m.contains("parameter 2") && m.contains("same tensor as parameter 0"), m);
    }

    @Test
    void invalidHyperParametersAreRefusedWithTheirValue() {
        List<Tensor> p = List.of(Tensor.zeros(2).requiresGrad(true));
        String m = message(() -> new Adam(p, -0.1));
        assertTrue(m.contains("Adam") && m.contains("learning rate") && m.contains("-0.1"), m);
        m = message(() -> Adam.builder(p).betas(0.9, 1.0).build());
        assertTrue(m.contains("beta2") && m.contains("1.0"), m);
        m = message(() -> new SGD(p, 0.1, 0, 0, 0, true));
        assertTrue(m.contains("Nesterov"), m);
        m = message(() -> SGD.builder(p).momentum(0.9).build());
        assertTrue(m.contains("learning rate is required"), m);
        m = message(() -> new SGD(p, Double.NaN));
        assertTrue(m.contains("NaN"), m);
        m = message(() -> Adagrad.builder(p).lrDecay(-1).build());
        assertTrue(m.contains("Adagrad") && m.contains("lrDecay -1.0"), m);
        m = message(() -> RMSprop.builder(p).alpha(1.5).build());
        assertTrue(m.contains("alpha 1.5"), m);
        m = message(() -> AdamW.builder(p).weightDecay(-0.01).build());
        assertTrue(m.contains("AdamW") && m.contains("weightDecay -0.01"), m);
        Optimizer opt = new SGD(p, 0.1);
        m = message(() -> opt.setLr(-1));
        assertTrue(m.contains("SGD") && m.contains("-1.0"), m);
    }

    @Test
    void mismatchedStateDictsGiveClearErrors() {
        List<Tensor> p = Problem.params(1);
        Adam adam = new Adam(p);
        new Problem(2).step(adam, 0, false);
        Map<String, Tensor> good = adam.stateDict();

        Adam other = new Adam(List.of(Tensor.zeros(3, 5).requiresGrad(true), Tensor.zeros(4).requiresGrad(true)));
        String m = message(() -> other.loadStateDict(good));
        assertTrue(m.contains("'0.exp_avg'") && m.contains("[3, 4]") && m.contains("[3, 5]") && m.contains("parameter 0"), m);

        SGD sgd = SGD.builder(p).lr(0.1).momentum(0.9).build();
        m = message(() -> sgd.loadStateDict(good));
        assertTrue(m.contains("SGD") && m.contains("unexpected key") && m.contains("momentum_buffer"), m);

        Adam ams = Adam.builder(p).amsgrad(true).build();
        m = message(() -> ams.loadStateDict(good));
        assertTrue(m.contains("missing '0.max_exp_avg_sq'"), m);

        Adam one = new Adam(List.of(Tensor.zeros(3, 4).requiresGrad(true)));
        m = message(() -> one.loadStateDict(good));
        assertTrue(m.contains("parameter 1") && m.contains("has 1 parameters"), m);

        Map<String, Tensor> badStep = new LinkedHashMap<>(good);
        badStep.put("0.step", Tensor.scalar(DType.FLOAT64, 1.5));
        m = message(() -> adam.loadStateDict(badStep));
        assertTrue(m.contains("'0.step'") && m.contains("1.5"), m);

        // nothing changed by the failed loads
        Map<String, Tensor> after = adam.stateDict();
        good.forEach((k, v) -> assertContentEquals(v, after.get(k)));
        assertFalse(one.stateDict().containsKey("0.step"));
    }

    @Test
    void loadingConvertsStateToTheParameterType() {
        List<Tensor> p = Problem.params(1);
        Adam adam = new Adam(p);
        new Problem(2).step(adam, 0, false);
        Map<String, Tensor> wide = new LinkedHashMap<>();
        adam.stateDict().forEach((k, v) -> wide.put(k, v.toType(DType.FLOAT64)));
        Adam again = new Adam(Problem.params(1));
        again.loadStateDict(wide);
        assertContentEquals(adam.stateDict().get("0.exp_avg"), again.stateDict().get("0.exp_avg"));
    }

    // ------------------------------------------------------------------ clipping

    @Test
    void clipGradNormWorksOnAutogradGradients() {
        Tensor a = Tensor.of(new double[] {1, 2, 3}).requiresGrad(true);
        Tensor b = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
        a.sum().add(b.reshape(6).sum().mul(2)).backward(); // grads: ones (an expanded view) and twos
        double total = Clip.gradNorm(List.of(a, b), 1.0);
        assertEquals(Math.sqrt(3 + 6 * 4), total, 1e-15);
        double coef = 1.0 / (total + 1e-6);
        assertEquals(coef, a.grad().get(0), 1e-16);
        assertEquals(2 * coef, b.grad().get(1, 2), 1e-16);
        assertEquals(0.0, Clip.gradNorm(List.of(Tensor.zeros(2).requiresGrad(true)), 1.0));
    }

    @Test
    void clipGradNormReportsNonFiniteGradients() {
        Tensor a = Tensor.of(new double[] {1, 2}).requiresGrad(true);
        Tensor b = Tensor.of(new double[] {1, 2, 3}).requiresGrad(true);
        a.setGrad(Tensor.of(new double[] {1, 1}));
        b.setGrad(Tensor.of(new double[] {0, Double.NaN, 1}));
        ArithmeticException e = assertThrows(ArithmeticException.class,
                () -> Clip.gradNorm(List.of(a, b), 1.0, 2, true));
        assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("parameter 1")
                && e.getMessage().contains("[3]") && e.getMessage().contains("index 1"), e.getMessage());
        assertContentEquals(Tensor.of(new double[] {1, 1}), a.grad(), "nothing is scaled when it throws");
        assertTrue(Double.isNaN(Clip.gradNorm(List.of(a, b), 1.0)), "without the flag it returns the NaN norm");
        assertThrows(IllegalArgumentException.class, () -> Clip.gradNorm(List.of(a), 1.0, 0));
        assertThrows(IllegalArgumentException.class, () -> Clip.gradNorm(List.of(a), -1.0));
    }

    @Test
    void clipGradValueClampsInPlace() {
        Tensor a = Tensor.of(new double[] {1, 2, 3}).requiresGrad(true);
        a.sum().mul(3).backward();
        Tensor b = Tensor.of(new double[] {1, 2}).requiresGrad(true);
        b.setGrad(Tensor.of(new double[] {-0.7, 0.2}));
        Tensor bGrad = b.grad();
        Clip.gradValue(List.of(a, b, Tensor.zeros(1).requiresGrad(true)), 0.5);
        assertContentEquals(Tensor.of(new double[] {0.5, 0.5, 0.5}), a.grad());
        assertContentEquals(Tensor.of(new double[] {-0.5, 0.2}), b.grad());
        assertTrue(bGrad == b.grad(), "the gradient tensor is changed in place");
        assertThrows(IllegalArgumentException.class, () -> Clip.gradValue(List.of(a), -0.5));
    }

    // ------------------------------------------------------------------ schedules

    @Test
    void cosineAgreesWithItsClosedForm() {
        for (int tMax : new int[] {1, 3, 10}) {
            Optimizer opt = new SGD(List.of(Tensor.zeros(1).requiresGrad(true)), 0.3);
            CosineAnnealingLR s = new CosineAnnealingLR(opt, tMax, 0.01);
            for (int e = 1; e <= 60; e++) {
                s.step();
                double closed = 0.01 + (0.3 - 0.01) * (1 + Math.cos(Math.PI * e / tMax)) / 2;
                assertEquals(closed, s.lastLr(), 1e-12, "tMax " + tMax + " epoch " + e);
            }
        }
    }

    @Test
    void reduceOnPlateauNeedsTheMetricAndRestoresItsState() {
        Optimizer opt = new SGD(List.of(Tensor.zeros(1).requiresGrad(true)), 1.0);
        ReduceLROnPlateau s = ReduceLROnPlateau.builder(opt).patience(1).factor(0.5).build();
        assertTrue(s.usesMetric());
        assertEquals(1.0, s.lastLr());
        IllegalStateException e = assertThrows(IllegalStateException.class, s::step);
        assertTrue(e.getMessage().contains("step(metric)"), e.getMessage());
        for (double m : new double[] {1, 1, 1}) s.step(m);
        assertEquals(0.5, opt.lr());
        Map<String, Double> st = s.stateDict();
        Optimizer opt2 = new SGD(List.of(Tensor.zeros(1).requiresGrad(true)), 1.0);
        opt2.loadStateDict(opt.stateDict()); // the optimizer carries the lr, the schedule its counters
        ReduceLROnPlateau s2 = ReduceLROnPlateau.builder(opt2).patience(1).factor(0.5).build();
        s2.loadStateDict(st);
        assertEquals(st, s2.stateDict());
        s.step(1);
        s.step(1);
        s2.step(1);
        s2.step(1);
        assertEquals(s.stateDict(), s2.stateDict());
        String m = message(() -> ReduceLROnPlateau.builder(opt).factor(1.0).build());
        assertTrue(m.contains("ReduceLROnPlateau") && m.contains("factor 1.0"), m);
        m = message(() -> s2.loadStateDict(Map.of("last_epoch", 1.0)));
        assertTrue(m.contains("missing"), m);
    }

    @Test
    void epochSchedulesIgnoreAMetricAndValidate() {
        Optimizer opt = new SGD(List.of(Tensor.zeros(1).requiresGrad(true)), 1.0);
        StepLR s = new StepLR(opt, 2, 0.5);
        assertFalse(s.usesMetric());
        s.step(42.0);
        s.step(42.0);
        assertEquals(0.5, s.lastLr());
        assertEquals(2, s.lastEpoch());
        assertTrue(message(() -> new StepLR(opt, 0)).contains("stepSize 0"));
        assertTrue(message(() -> new CosineAnnealingLR(opt, 5, -1)).contains("etaMin -1.0"));
        assertTrue(message(() -> new ExponentialLR(opt, Double.NaN)).contains("gamma NaN"));
    }
}
