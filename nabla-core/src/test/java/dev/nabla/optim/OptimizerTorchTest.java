package dev.nabla.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * nabla's optimizers, LR schedules and gradient clipping against PyTorch 1.13's numbers, from
 * the fixture written by scripts/torch_optim_fixtures.py. The issue asks for 1e-6; float64
 * results are held to 1e-12 and the largest differences are printed.
 */
class OptimizerTorchTest {
    static final double ISSUE_TOL = 1e-6;
    static final double F64_TOL = 1e-12;
    static final JsonNode ROOT = load();
    static double maxErrF64, maxErrF32, maxErrSched, maxErrClipF64, maxErrClipF32;

    static JsonNode load() {
        try (InputStream in = OptimizerTorchTest.class.getResourceAsStream("/fixtures/torch_optim.json")) {
            assertNotNull(in, "fixtures/torch_optim.json is missing; run /usr/bin/python3 scripts/torch_optim_fixtures.py");
            return JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build().readTree(in);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static double[] doubles(JsonNode a) {
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) d[i] = a.get(i).asDouble();
        return d;
    }

    static int[] ints(JsonNode a) {
        int[] d = new int[a.size()];
        for (int i = 0; i < d.length; i++) d[i] = a.get(i).asInt();
        return d;
    }

    static DType dtype(JsonNode c) {
        return c.get("dtype").asText().equals("float64") ? DType.FLOAT64 : DType.FLOAT32;
    }

    static Tensor tensor(JsonNode values, int[] shape, DType dt) {
        return Tensor.of(doubles(values), shape).toType(dt);
    }

    static Stream<Arguments> cases(String section) {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : ROOT.get(section)) out.add(Arguments.of(c.get("name").asText(), c));
        return out.stream();
    }

    static Stream<Arguments> optimizerCases() {
        return cases("optimizers");
    }

    static Stream<Arguments> schedulerCases() {
        return cases("schedulers");
    }

    static Stream<Arguments> clipCases() {
        return cases("clip");
    }

    static Optimizer optimizer(String kind, JsonNode o, List<Tensor> params) {
        return switch (kind) {
            case "SGD" -> SGD.builder(params).lr(o.get("lr").asDouble()).momentum(o.path("momentum").asDouble(0))
                    .dampening(o.path("dampening").asDouble(0)).weightDecay(o.path("weightDecay").asDouble(0))
                    .nesterov(o.path("nesterov").asBoolean(false)).build();
            case "Adagrad" -> Adagrad.builder(params).lr(o.path("lr").asDouble(1e-2)).lrDecay(o.path("lrDecay").asDouble(0))
                    .weightDecay(o.path("weightDecay").asDouble(0))
                    .initialAccumulatorValue(o.path("initialAccumulatorValue").asDouble(0))
                    .eps(o.path("eps").asDouble(1e-10)).build();
            case "RMSprop" -> RMSprop.builder(params).lr(o.path("lr").asDouble(1e-2)).alpha(o.path("alpha").asDouble(0.99))
                    .eps(o.path("eps").asDouble(1e-8)).weightDecay(o.path("weightDecay").asDouble(0))
                    .momentum(o.path("momentum").asDouble(0)).centered(o.path("centered").asBoolean(false)).build();
            case "Adam" -> {
                var b = Adam.builder(params).lr(o.path("lr").asDouble(1e-3)).eps(o.path("eps").asDouble(1e-8))
                        .weightDecay(o.path("weightDecay").asDouble(0)).amsgrad(o.path("amsgrad").asBoolean(false));
                if (o.has("betas")) b.betas(o.get("betas").get(0).asDouble(), o.get("betas").get(1).asDouble());
                yield b.build();
            }
            case "AdamW" -> {
                var b = AdamW.builder(params).lr(o.path("lr").asDouble(1e-3)).eps(o.path("eps").asDouble(1e-8))
                        .weightDecay(o.path("weightDecay").asDouble(1e-2)).amsgrad(o.path("amsgrad").asBoolean(false));
                if (o.has("betas")) b.betas(o.get("betas").get(0).asDouble(), o.get("betas").get(1).asDouble());
                yield b.build();
            }
            default -> throw new IllegalArgumentException("unknown optimizer in the fixture: " + kind);
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizerCases")
    void optimizerMatchesTorch(String name, JsonNode c) {
        DType dt = dtype(c);
        JsonNode p = ROOT.get("params");
        List<Tensor> params = new ArrayList<>();
        for (int i = 0; i < p.get("shapes").size(); i++) {
            params.add(tensor(p.get("init").get(i), ints(p.get("shapes").get(i)), dt).requiresGrad(true));
        }
        Optimizer opt = optimizer(c.get("optimizer").asText(), c.get("options"), params);
        JsonNode skip = c.get("skip");
        JsonNode steps = c.get("steps");
        double tol = dt == DType.FLOAT64 ? F64_TOL : ISSUE_TOL;
        for (int k = 0; k < steps.size(); k++) {
            opt.zeroGrad();
            for (int i = 0; i < params.size(); i++) {
                boolean skipped = false;
                for (JsonNode s : skip) skipped |= s.get(0).asInt() == k && s.get(1).asInt() == i;
                if (!skipped) params.get(i).setGrad(tensor(p.get("grads").get(k).get(i), params.get(i).shape(), dt));
            }
            opt.step();
            for (int i = 0; i < params.size(); i++) {
                double[] want = doubles(steps.get(k).get(i)), got = params.get(i).toDoubleArray();
                for (int e = 0; e < want.length; e++) {
                    double err = Math.abs(got[e] - want[e]);
                    if (dt == DType.FLOAT64) maxErrF64 = Math.max(maxErrF64, err);
                    else maxErrF32 = Math.max(maxErrF32, err);
                    if (!(err <= tol)) {
                        throw new AssertionError(name + ": step " + (k + 1) + ", parameter " + i + ", element " + e
                                + ": nabla " + got[e] + ", PyTorch " + want[e] + " (difference " + err + " > " + tol + ")");
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schedulerCases")
    void scheduleMatchesTorch(String name, JsonNode c) {
        Tensor w = Tensor.zeros(DType.FLOAT64, 2).requiresGrad(true);
        Optimizer opt = new SGD(List.of(w), c.get("base_lr").asDouble());
        JsonNode o = c.get("options");
        LrScheduler s = switch (c.get("scheduler").asText()) {
            case "StepLR" -> o.has("gamma") ? new StepLR(opt, o.get("stepSize").asInt(), o.get("gamma").asDouble())
                    : new StepLR(opt, o.get("stepSize").asInt());
            case "ExponentialLR" -> new ExponentialLR(opt, o.get("gamma").asDouble());
            case "CosineAnnealingLR" -> new CosineAnnealingLR(opt, o.get("tMax").asInt(), o.path("etaMin").asDouble(0));
            case "ReduceLROnPlateau" -> ReduceLROnPlateau.builder(opt)
                    .mode(o.path("mode").asText("min").equals("min") ? ReduceLROnPlateau.Mode.MIN : ReduceLROnPlateau.Mode.MAX)
                    .factor(o.path("factor").asDouble(0.1)).patience(o.path("patience").asInt(10))
                    .threshold(o.path("threshold").asDouble(1e-4))
                    .thresholdMode(o.path("thresholdMode").asText("rel").equals("rel")
                            ? ReduceLROnPlateau.ThresholdMode.RELATIVE : ReduceLROnPlateau.ThresholdMode.ABSOLUTE)
                    .cooldown(o.path("cooldown").asInt(0)).minLr(o.path("minLr").asDouble(0)).build();
            default -> throw new IllegalArgumentException(c.get("scheduler").asText());
        };
        double[] want = doubles(c.get("lrs"));
        double[] metrics = c.has("metrics") ? doubles(c.get("metrics")) : null;
        assertEquals(want[0], s.lastLr());
        for (int e = 1; e < want.length; e++) {
            if (metrics != null) s.step(metrics[e - 1]);
            else s.step();
            double err = Math.abs(s.lastLr() - want[e]);
            maxErrSched = Math.max(maxErrSched, err);
            assertTrue(err <= 1e-12, name + ": epoch " + e + ": nabla " + s.lastLr() + ", PyTorch " + want[e]);
            assertEquals(s.lastLr(), opt.lr());
            assertEquals(e, s.lastEpoch());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clipCases")
    void clipMatchesTorch(String name, JsonNode c) {
        DType dt = dtype(c);
        JsonNode p = ROOT.get("params");
        List<Tensor> params = new ArrayList<>();
        for (int i = 0; i < p.get("shapes").size(); i++) {
            int[] shape = ints(p.get("shapes").get(i));
            Tensor t = tensor(p.get("init").get(i), shape, dt).requiresGrad(true);
            JsonNode g = c.get("grads").get(i);
            if (!g.isNull()) t.setGrad(tensor(g, shape, dt));
            params.add(t);
        }
        JsonNode o = c.get("options");
        double tol = dt == DType.FLOAT64 ? F64_TOL : ISSUE_TOL;
        if (c.get("kind").asText().equals("norm")) {
            double total = Clip.gradNorm(params, o.get("maxNorm").asDouble(), o.get("normType").asDouble());
            double want = c.get("total_norm").asDouble();
            double err = Math.abs(total - want) / Math.max(1, Math.abs(want));
            record(dt, err);
            assertTrue(err <= tol, name + ": total norm nabla " + total + ", PyTorch " + want);
        } else {
            Clip.gradValue(params, o.get("clip").asDouble());
        }
        for (int i = 0; i < params.size(); i++) {
            JsonNode want = c.get("clipped").get(i);
            if (want.isNull()) {
                assertNull(params.get(i).grad(), name + ": parameter " + i + " had no grad and must keep none");
                continue;
            }
            double[] w = doubles(want), got = params.get(i).grad().toDoubleArray();
            for (int e = 0; e < w.length; e++) {
                double err = Math.abs(got[e] - w[e]);
                record(dt, err);
                assertTrue(err <= tol, name + ": parameter " + i + " element " + e + ": nabla " + got[e] + ", PyTorch " + w[e]);
            }
        }
    }

    private static void record(DType dt, double err) {
        if (dt == DType.FLOAT64) maxErrClipF64 = Math.max(maxErrClipF64, err);
        else maxErrClipF32 = Math.max(maxErrClipF32, err);
    }

    @Test
    void fixtureIsFromPytorch113() {
        assertTrue(ROOT.get("torch_version").asText().startsWith("1.13"), ROOT.get("torch_version").asText());
    }

    @AfterAll
    static void report() {
        System.out.printf("OptimizerTorchTest: max |nabla - PyTorch|: optimizers float64 %.3g, float32 %.3g;"
                + " schedules %.3g; clipping float64 %.3g, float32 %.3g%n",
                maxErrF64, maxErrF32, maxErrSched, maxErrClipF64, maxErrClipF32);
    }
}
