package dev.nabla.nn;

import static dev.nabla.tensor.TensorAssert.assertContentEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.Nabla;
import dev.nabla.autograd.Gradcheck;
import dev.nabla.kernel.Parallel;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Behaviour of the image layers beyond the PyTorch fixtures: initialization, "same" padding,
 * shapes and errors, a direct-loop reference convolution over many geometries, determinism
 * across thread counts, Dropout2d, and batch norm's modes, buffers, errors and gradients.
 */
class ConvLayersTest {
    // ---------------------------------------------------------------- Conv2d

    @Test
    void conv2dDefaultInitIsPyTorchsAndDrawsWeightThenBias() {
        Conv2d conv = Conv2d.builder(6, 8, 3, 2).groups(2).generator(new Generator(11)).build();
        assertArrayEquals(new int[] {8, 3, 3, 2}, conv.weight().shape());
        double bound = 1 / Math.sqrt(3 * 3 * 2); // fan_in = in/groups · kh · kw
        for (double v : conv.weight().toDoubleArray()) assertTrue(Math.abs(v) <= bound, "weight " + v);
        for (double v : conv.bias().toDoubleArray()) assertTrue(Math.abs(v) <= bound, "bias " + v);
        // the same draws as PyTorch's order: kaiming_uniform(a=√5) of the weight, then the bias
        Generator g = new Generator(11);
        Tensor w = Init.kaimingUniform(Tensor.zeros(8, 3, 3, 2), Math.sqrt(5), Init.FanMode.FAN_IN, Init.Nonlinearity.LEAKY_RELU, g);
        Tensor b = Init.uniform(Tensor.zeros(8), -bound, bound, g);
        assertContentEquals(w, conv.weight().detach());
        assertContentEquals(b, conv.bias().detach());
        assertNull(Conv2d.builder(2, 2, 1).bias(false).build().bias());
        assertEquals("Conv2d(6, 8, kernel_size=(3, 2), stride=(1, 1), groups=2)", conv.toString());
    }

    @Test
    void samePaddingKeepsHeightAndWidth() {
        for (int k : new int[] {1, 2, 3, 4, 5}) {
            for (int d : new int[] {1, 2}) {
                Conv2d conv = Conv2d.builder(2, 3, k).paddingSame().dilation(d).build();
                Tensor y = conv.forward(Tensor.randn(new Generator(k), 2, 2, 7, 6));
                assertArrayEquals(new int[] {2, 3, 7, 6}, y.shape(), "kernel " + k + " dilation " + d);
                assertArrayEquals(y.shape(), conv.outputShape(new int[] {2, 2, 7, 6}));
            }
        }
        var e = assertThrows(IllegalArgumentException.class, () -> Conv2d.builder(2, 3, 3).paddingSame().stride(2).build());
        assertTrue(e.getMessage().contains("stride 1"), e.getMessage());
    }

    @Test
    void conv2dShapesAndErrorsNameTheLayerAndTheFix() {
        Conv2d conv = new Conv2d(3, 16, 3, 2, 1);
        assertArrayEquals(new int[] {4, 16, 14, 14}, conv.forward(Tensor.zeros(4, 3, 28, 28)).shape());
        assertArrayEquals(new int[] {16, 14, 14}, conv.forward(Tensor.zeros(3, 28, 28)).shape(), "unbatched [C, H, W]");
        var channels = assertThrows(IllegalArgumentException.class, () -> conv.forward(Tensor.zeros(4, 28, 28, 3)));
        assertTrue(channels.getMessage().contains("Conv2d(3, 16") && channels.getMessage().contains("[4, 28, 28, 3]")
                && channels.getMessage().contains("NCHW"), channels.getMessage());
        var flat = assertThrows(IllegalArgumentException.class, () -> conv.forward(Tensor.zeros(4, 784)));
        assertTrue(flat.getMessage().contains("reshape"), flat.getMessage());
        var small = assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 4, 5).forward(Tensor.zeros(1, 3, 4, 4)));
        assertTrue(small.getMessage().contains("too small"), small.getMessage());
        var groups = assertThrows(IllegalArgumentException.class, () -> Conv2d.builder(3, 4, 3).groups(2).build());
        assertTrue(groups.getMessage().contains("groups 2"), groups.getMessage());
        var dtype = assertThrows(IllegalArgumentException.class, () -> conv.forward(Tensor.zeros(DType.FLOAT64, 1, 3, 8, 8)));
        assertTrue(dtype.getMessage().contains("toType"), dtype.getMessage());
        var op = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(1, 4, 5, 5).conv2d(Tensor.zeros(2, 3, 3, 3), null, 1, 0));
        assertTrue(op.getMessage().contains("conv2d") && op.getMessage().contains("[2, 3, 3, 3]"), op.getMessage());
    }

    /** conv2d by its definition, in plain loops (float64). */
    private static double[] reference(Tensor x, Tensor w, Tensor b, int[] s, int[] p, int[] d, int groups, int oh, int ow) {
        int[] xs = x.shape(), ws = w.shape();
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], o = ws[0], cg = ws[1], kh = ws[2], kw = ws[3], og = o / groups;
        double[] out = new double[n * o * oh * ow], xd = x.toDoubleArray(), wdata = w.toDoubleArray();
        for (int i = 0; i < n; i++) {
            for (int oc = 0; oc < o; oc++) {
                int gi = oc / og;
                for (int y = 0; y < oh; y++) {
                    for (int q = 0; q < ow; q++) {
                        double acc = b == null ? 0 : b.get(oc);
                        for (int ic = 0; ic < cg; ic++) {
                            for (int u = 0; u < kh; u++) {
                                for (int v = 0; v < kw; v++) {
                                    int ih = y * s[0] - p[0] + u * d[0], iw = q * s[1] - p[2] + v * d[1];
                                    if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
                                    acc += xd[((i * c + gi * cg + ic) * h + ih) * wd + iw] * wdata[((oc * cg + ic) * kh + u) * kw + v];
                                }
                            }
                        }
                        out[((i * o + oc) * oh + y) * ow + q] = acc;
                    }
                }
            }
        }
        return out;
    }

    @Test
    void conv2dMatchesTheDefinitionOnRandomGeometries() {
        Generator g = new Generator(2024);
        for (int trial = 0; trial < 60; trial++) {
            int groups = 1 + (int) g.nextLong(3);
            int cg = 1 + (int) g.nextLong(3), og = 1 + (int) g.nextLong(3);
            int kh = 1 + (int) g.nextLong(4), kw = 1 + (int) g.nextLong(4);
            int[] s = {1 + (int) g.nextLong(3), 1 + (int) g.nextLong(3)}, d = {1 + (int) g.nextLong(2), 1 + (int) g.nextLong(2)};
            int[] p = {(int) g.nextLong(3), (int) g.nextLong(3), (int) g.nextLong(3), (int) g.nextLong(3)};
            int h = d[0] * (kh - 1) + 1 + (int) g.nextLong(7), w = d[1] * (kw - 1) + 1 + (int) g.nextLong(7);
            int n = 1 + (int) g.nextLong(3);
            Tensor x = Tensor.randn(g, DType.FLOAT64, n, cg * groups, h, w);
            Tensor wt = Tensor.randn(g, DType.FLOAT64, og * groups, cg, kh, kw);
            Tensor b = g.nextDouble() < 0.5 ? null : Tensor.randn(g, DType.FLOAT64, og * groups);
            Tensor y = x.conv2d(wt, b, s, p, d, groups);
            int oh = (h + p[0] + p[1] - d[0] * (kh - 1) - 1) / s[0] + 1, ow = (w + p[2] + p[3] - d[1] * (kw - 1) - 1) / s[1] + 1;
            assertArrayEquals(new int[] {n, og * groups, oh, ow}, y.shape(), "trial " + trial);
            double[] expected = reference(x, wt, b, s, p, d, groups, oh, ow), got = y.toDoubleArray();
            for (int i = 0; i < got.length; i++) assertEquals(expected[i], got[i], 1e-12, "trial " + trial + " element " + i);
        }
    }

    /**
     * Stride 1 with an output as wide as the input ("same" width, any dilation and split of the
     * padding) takes im2col/col2im's whole-plane runs: the forward matches the definition, and the
     * input gradient is its adjoint, ⟨∂(gy·y)/∂x, v⟩ = ⟨gy, conv(v)⟩ with conv(v) from the definition.
     */
    @Test
    void sameWidthConvolutionsMatchTheDefinitionForwardAndBackward() {
        Generator g = new Generator(7);
        for (int trial = 0; trial < 40; trial++) {
            int kh = 1 + (int) g.nextLong(4), kw = 1 + (int) g.nextLong(4);
            int[] s = {1, 1}, d = {1 + (int) g.nextLong(2), 1 + (int) g.nextLong(2)};
            int left = (int) g.nextLong(d[1] * (kw - 1) + 1);
            int[] p = {(int) g.nextLong(3), (int) g.nextLong(3), left, d[1] * (kw - 1) - left};
            int h = Math.max(1, d[0] * (kh - 1) + 1 - p[0] - p[1]) + (int) g.nextLong(6), w = 1 + (int) g.nextLong(9);
            int n = 1 + (int) g.nextLong(2), c = 1 + (int) g.nextLong(3), o = 1 + (int) g.nextLong(3);
            Tensor x = Tensor.randn(g, DType.FLOAT64, n, c, h, w).requiresGrad(true);
            Tensor wt = Tensor.randn(g, DType.FLOAT64, o, c, kh, kw);
            Tensor y = x.conv2d(wt, null, s, p, d, 1);
            int oh = h + p[0] + p[1] - d[0] * (kh - 1);
            assertArrayEquals(new int[] {n, o, oh, w}, y.shape(), "trial " + trial);
            double[] expected = reference(x, wt, null, s, p, d, 1, oh, w), got = y.toDoubleArray();
            for (int i = 0; i < got.length; i++) assertEquals(expected[i], got[i], 1e-12, "trial " + trial + " element " + i);
            Tensor gy = Tensor.randn(g, DType.FLOAT64, n, o, oh, w), v = Tensor.randn(g, DType.FLOAT64, n, c, h, w);
            y.mul(gy).sum().backward();
            double lhs = x.grad().mul(v).sum().item(), rhs = 0;
            double[] cv = reference(v, wt, null, s, p, d, 1, oh, w), gyd = gy.toDoubleArray();
            for (int i = 0; i < cv.length; i++) rhs += gyd[i] * cv[i];
            assertEquals(rhs, lhs, 1e-10 * (1 + Math.abs(rhs)), "trial " + trial + ": the input gradient is not the adjoint");
        }
    }

    /**
     * A product large enough for the per-example path (128×512 weight) on 7×7 planes, which it makes
     * for a group of examples side by side: forward, input and weight gradients against the definition
     * (the gradients as adjoints), on 1 thread (12 examples: ranges of 3, each one group) and bitwise
     * the same on 2 (ranges of 1).
     */
    @Test
    void groupedProductsOfSmallPlanesMatchTheDefinition() {
        stride2MatchesTheDefinition(12, 32, 14, 128);
    }

    @Test
    void blocksOfExamplesRunOnSeveralThreadsAndMatchTheDefinition() {
        // the dcgan discriminator's first layer, small: 3 blocks of 8 examples (196 positions each), each product
        // below the GEMM's parallel threshold, so the blocks themselves run on the threads
        stride2MatchesTheDefinition(24, 1, 28, 16);
    }

    @Test
    void winogradTurnedOffGivesIm2colsRounding() {
        // a 3×3 float32 convolution that qualifies: Winograd's result within 1e-5 of Σ|w·x| of the
        // float64 one, im2col's (Winograd off) within 1e-6 and closer, and the two differ
        Generator g = new Generator(5);
        Tensor x = Tensor.randn(g, 2, 16, 32, 32), w = Tensor.randn(g, 16, 16, 3, 3);
        double[] exact = x.toType(DType.FLOAT64).conv2d(w.toType(DType.FLOAT64), null, 1, 1).toDoubleArray();
        double[] scale = x.abs().toType(DType.FLOAT64).conv2d(w.abs().toType(DType.FLOAT64), null, 1, 1).toDoubleArray();
        boolean before = Nabla.winograd();
        Tensor on, off;
        try {
            Nabla.setWinograd(true);
            on = x.conv2d(w, null, 1, 1);
            Nabla.setWinograd(false);
            off = x.conv2d(w, null, 1, 1);
        } finally {
            Nabla.setWinograd(before);
        }
        assertTrue(!on.contentEquals(off), "Winograd and im2col round differently");
        double[] a = on.toDoubleArray(), b = off.toDoubleArray();
        double worstOn = 0, worstOff = 0;
        for (int i = 0; i < exact.length; i++) {
            worstOn = Math.max(worstOn, Math.abs(a[i] - exact[i]) / scale[i]);
            worstOff = Math.max(worstOff, Math.abs(b[i] - exact[i]) / scale[i]);
        }
        assertTrue(worstOn <= 1e-5 && worstOff <= 1e-6 && worstOff < worstOn, "errors / Σ|w·x|: Winograd " + worstOn + ", im2col " + worstOff);
    }

    @Test
    void scratchBuffersReusedByLaterCallsLeaveNoTrace() {
        // the per-thread scratch (column matrices, products, the weight gradient's partial sums,
        // Winograd's tiles) is not cleared between calls: a convolution after others of other sizes and
        // values must give the bits it gave first, on each path (the dcgan's grouped examples, blocks
        // of small examples, Winograd for float32's 3×3, float64), forward and both gradients
        Generator g = new Generator(12);
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            List<Supplier<List<Tensor>>> runs = List.of(convRun(g, t, 32, 64, 14, 128, 4, 2), convRun(g, t, 24, 1, 28, 16, 4, 2),
                    convRun(g, t, 8, 16, 28, 32, 4, 2), convRun(g, t, 2, 16, 32, 24, 3, 1), convRun(g, t, 3, 24, 34, 16, 3, 1));
            List<List<Tensor>> first = new ArrayList<>();
            for (Supplier<List<Tensor>> r : runs) first.add(r.get());
            for (int i = runs.size() - 1; i >= 0; i--) {
                List<Tensor> again = runs.get(i).get();
                for (int k = 0; k < 3; k++) {
                    assertTrue(first.get(i).get(k).contentEquals(again.get(k)), t + " run " + i + ", result " + k + " differs");
                }
            }
        }
    }

    // Conv(c -> o, k, stride, padding 1) on random data of type t: a run gives the output and both gradients
    private static Supplier<List<Tensor>> convRun(Generator g, DType t, int n, int c, int hw, int o, int k, int stride) {
        int ohw = (hw + 2 - k) / stride + 1;
        Tensor x = Tensor.randn(g, t, n, c, hw, hw), w = Tensor.randn(g, t, o, c, k, k), gy = Tensor.randn(g, t, n, o, ohw, ohw);
        return () -> {
            Tensor xr = x.detach().requiresGrad(true), wr = w.detach().requiresGrad(true);
            Tensor y = xr.conv2d(wr, null, stride, 1);
            y.backward(gy);
            return List.of(y, xr.grad(), wr.grad());
        };
    }

    // Conv(c -> o, 4, stride 2, padding 1) on [n, c, hw, hw] in float64: forward against the definition, both
    // gradients as its adjoints, all three the same bits on 1 and 2 threads
    private static void stride2MatchesTheDefinition(int n, int c, int hw, int o) {
        Generator g = new Generator(11);
        int[] s = {2, 2}, p = {1, 1, 1, 1}, d = {1, 1};
        int ohw = hw / 2;
        Tensor x = Tensor.randn(g, DType.FLOAT64, n, c, hw, hw), w = Tensor.randn(g, DType.FLOAT64, o, c, 4, 4);
        Tensor b = Tensor.randn(g, DType.FLOAT64, o), gy = Tensor.randn(g, DType.FLOAT64, n, o, ohw, ohw);
        Tensor vx = Tensor.randn(g, DType.FLOAT64, n, c, hw, hw), vw = Tensor.randn(g, DType.FLOAT64, o, c, 4, 4);
        Supplier<List<Tensor>> run = () -> {
            Tensor xr = x.detach().requiresGrad(true), wr = w.detach().requiresGrad(true);
            Tensor y = xr.conv2d(wr, b, s, p, d, 1);
            y.mul(gy).sum().backward();
            return List.of(y, xr.grad(), wr.grad());
        };
        List<Tensor> one = withThreads(1, run), two = withThreads(2, run);
        for (int i = 0; i < 3; i++) assertTrue(one.get(i).contentEquals(two.get(i)), "result " + i + " differs on 2 threads");
        double[] expected = reference(x, w, b, s, p, d, 1, ohw, ohw), got = one.get(0).toDoubleArray();
        for (int i = 0; i < got.length; i++) assertEquals(expected[i], got[i], 1e-11, "forward element " + i);
        double[] gyd = gy.toDoubleArray(), viaX = reference(vx, w, null, s, p, d, 1, ohw, ohw);
        double[] viaW = reference(x, vw, null, s, p, d, 1, ohw, ohw);
        double rx = 0, rw = 0;
        for (int i = 0; i < gyd.length; i++) {
            rx += gyd[i] * viaX[i];
            rw += gyd[i] * viaW[i];
        }
        assertEquals(rx, one.get(1).mul(vx).sum().item(), 1e-9 * (1 + Math.abs(rx)), "the input gradient is not the adjoint");
        assertEquals(rw, one.get(2).mul(vw).sum().item(), 1e-9 * (1 + Math.abs(rw)), "the weight gradient is not the adjoint");
    }

    private static List<Tensor> withThreads(int n, Supplier<List<Tensor>> f) {
        int old = Parallel.threads();
        try {
            Parallel.setThreads(n);
            return f.get();
        } finally {
            Parallel.setThreads(old);
        }
    }

    @Test
    void convolutionAndPoolingAreBitwiseTheSameOnAnyThreadCount() {
        // batch 37: uneven chunks of the weight gradient; float32, the fast path
        Supplier<List<Tensor>> step = () -> {
            Generator g = new Generator(3);
            Conv2d c1 = Conv2d.builder(3, 8, 3).padding(1).generator(g).build();
            Conv2d c2 = Conv2d.builder(8, 16, 3).stride(2).groups(2).generator(g).build();
            Tensor x = Tensor.randn(g, 37, 3, 20, 18).requiresGrad(true);
            Tensor y = c2.forward(c1.forward(x).relu().maxPool2d(2)).avgPool2d(2);
            y.mul(Tensor.randn(g, y.shape())).sum().backward();
            return List.of(y, x.grad(), c1.weight().grad(), c1.bias().grad(), c2.weight().grad(), c2.bias().grad());
        };
        List<Tensor> ref = withThreads(1, step);
        for (int threads : new int[] {2, 3}) {
            List<Tensor> got = withThreads(threads, step);
            for (int i = 0; i < ref.size(); i++) {
                assertTrue(ref.get(i).contentEquals(got.get(i)), "result " + i + " on " + threads + " threads differs from 1 thread");
            }
        }
    }

    @Test
    void eachExampleIsComputedAloneWhateverTheBatch() {
        Generator g = new Generator(8);
        Tensor w = Tensor.randn(g, 16, 8, 3, 3);
        Tensor x = Tensor.randn(g, 24, 8, 12, 12);
        Tensor all = x.conv2d(w, null, 1, 1);
        for (int i : new int[] {0, 13, 23}) {
            assertContentEquals(all.select(0, i).contiguous(), x.narrow(0, i, 1).conv2d(w, null, 1, 1).select(0, 0).contiguous(), "example " + i);
        }
    }

    @Test
    void layersGradcheckInFloat64() {
        Generator g = new Generator(4);
        Conv2d conv = Conv2d.builder(2, 3, 3, 2).stride(2, 1).padding(1, 0).dilation(1, 2).generator(g).build();
        conv.toType(DType.FLOAT64);
        Tensor x = Tensor.randn(g, DType.FLOAT64, 2, 2, 5, 6).requiresGrad(true);
        Gradcheck.assertGradients(xs -> conv.forward(xs.get(0)), List.of(x, conv.weight(), conv.bias()), true);
        AvgPool2d avg = new AvgPool2d(new int[] {3, 2}, new int[] {2, 1}, new int[] {1, 1}, false);
        Gradcheck.assertGradients(xs -> avg.forward(xs.get(0)), List.of(x), true);
        Gradcheck.assertGradients(xs -> new GlobalAvgPool2d().forward(xs.get(0)), List.of(x), true);
    }

    // ---------------------------------------------------------------- pooling

    @Test
    void poolingShapesDefaultsAndErrors() {
        assertArrayEquals(new int[] {2, 3, 14, 14}, new MaxPool2d(2).forward(Tensor.zeros(2, 3, 28, 29)).shape());
        assertArrayEquals(new int[] {2, 3, 14, 15}, new AvgPool2d(3, 2, 1).forward(Tensor.zeros(2, 3, 28, 29)).shape());
        assertArrayEquals(new int[] {3, 2, 2}, new MaxPool2d(2).forward(Tensor.zeros(3, 4, 5)).shape(), "unbatched");
        assertArrayEquals(new int[] {2, 3}, new GlobalAvgPool2d().forward(Tensor.ones(2, 3, 4, 5)).shape());
        assertEquals("MaxPool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))", new MaxPool2d(2).toString());
        var pad = assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(2, 2, 2));
        assertTrue(pad.getMessage().contains("half the kernel"), pad.getMessage());
        var small = assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(3).forward(Tensor.zeros(1, 1, 2, 5)));
        assertTrue(small.getMessage().contains("MaxPool2d") && small.getMessage().contains("[1, 1, 2, 5]"), small.getMessage());
        var rank = assertThrows(IllegalArgumentException.class, () -> new AvgPool2d(2).forward(Tensor.zeros(4, 10)));
        assertTrue(rank.getMessage().contains("NCHW"), rank.getMessage());
    }

    @Test
    void maxPoolIndicesAndNaN() {
        Tensor x = Tensor.of(new double[] {1, 5, 2, 2, 3, 0, Double.NaN, 1}, 1, 1, 2, 4);
        var vi = x.maxPool2dWithIndices(new int[] {2}, null, new int[] {0});
        assertArrayEquals(new long[] {1, 6}, vi.indices().toLongArray());
        assertEquals(5, vi.values().get(0, 0, 0, 0));
        assertTrue(Double.isNaN(vi.values().get(0, 0, 0, 1)), "a NaN in the window is the max, as in PyTorch");
    }

    // ---------------------------------------------------------------- Dropout2d

    @Test
    void dropout2dDropsWholeChannelsAndScalesTheRest() {
        Dropout2d drop = new Dropout2d(0.25, new Generator(1));
        Tensor x = Tensor.ones(64, 32, 3, 3);
        Tensor y = drop.forward(x);
        int dropped = 0;
        for (int n = 0; n < 64; n++) {
            for (int c = 0; c < 32; c++) {
                double first = y.get(n, c, 0, 0);
                for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) assertEquals(first, y.get(n, c, i, j), "one value per channel");
                if (first == 0) dropped++;
                else assertEquals(1 / 0.75, first, 1e-6);
            }
        }
        assertEquals(0.25, dropped / (64.0 * 32), 0.03);
        assertContentEquals(y, new Dropout2d(0.25, new Generator(1)).forward(x), "seeded: reproducible");
        drop.eval();
        assertTrue(drop.forward(x) == x, "identity in evaluation mode");
        assertThrows(IllegalArgumentException.class, () -> new Dropout2d(1.0));
        var rank = assertThrows(IllegalArgumentException.class, () -> new Dropout2d(0.5).forward(Tensor.ones(4, 10)));
        assertTrue(rank.getMessage().contains("Dropout"), rank.getMessage());
    }

    // ---------------------------------------------------------------- BatchNorm

    @Test
    void batchNormRefusesOneValuePerChannelInTrainingLikePyTorch() {
        BatchNorm1d bn = new BatchNorm1d(4);
        var e = assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.randn(new Generator(0), 1, 4)));
        assertTrue(e.getMessage().startsWith("BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)"), e.getMessage());
        assertTrue(e.getMessage().contains("Expected more than 1 value per channel when training, got input size [1, 4]"), e.getMessage());
        assertTrue(e.getMessage().contains("eval()"), e.getMessage());
        // and in a network, the error names the layer's position too
        Sequential net = new Sequential(new Linear(3, 4), bn, new ReLU());
        var inNet = assertThrows(IllegalArgumentException.class, () -> net.forward(Tensor.ones(1, 3)));
        assertTrue(inNet.getMessage().contains("layer 1 (BatchNorm1d") && inNet.getMessage().contains("Expected more than 1 value"),
                inNet.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(3).forward(Tensor.ones(1, 3, 1, 1)));
        // allowed: evaluation with batch 1, and BatchNorm2d with one image of several pixels
        bn.eval();
        assertArrayEquals(new int[] {1, 4}, bn.forward(Tensor.ones(1, 4)).shape());
        assertArrayEquals(new int[] {1, 3, 2, 2}, new BatchNorm2d(3).forward(Tensor.randn(new Generator(1), 1, 3, 2, 2)).shape());
    }

    @Test
    void batchNormNormalizesInTrainingAndUsesRunningStatsInEvaluation() {
        BatchNorm2d bn = new BatchNorm2d(3);
        Tensor x = Tensor.randn(new Generator(5), 8, 3, 4, 4).mul(3).add(2);
        Tensor y = bn.forward(x);
        double[] mean = y.mean(new int[] {0, 2, 3}, false).toDoubleArray();
        double[] var = y.var(new int[] {0, 2, 3}, 0, false).toDoubleArray();
        for (int c = 0; c < 3; c++) {
            assertEquals(0, mean[c], 1e-5);
            assertEquals(1, var[c], 1e-3);
        }
        assertEquals(1, (long) bn.buffer("num_batches_tracked").item());
        double[] expectedMean = x.mean(new int[] {0, 2, 3}, false).mul(0.1).toDoubleArray();
        assertArrayEquals(expectedMean, bn.runningMean().toDoubleArray(), 1e-6);
        bn.eval();
        Tensor z = bn.forward(x);
        Tensor manual = x.sub(bn.runningMean().reshape(1, 3, 1, 1)).div(bn.runningVar().reshape(1, 3, 1, 1).add(1e-5).sqrt());
        assertTrue(z.allClose(manual, 1e-5, 1e-6));
        assertEquals(1, (long) bn.buffer("num_batches_tracked").item(), "evaluation leaves the statistics alone");
    }

    @Test
    void batchNormStateSummaryAndTypes() {
        BatchNorm2d bn = new BatchNorm2d(64);
        assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"), List.copyOf(bn.stateDict().keySet()));
        assertEquals(2, bn.parameters().size());
        String s = new Sequential(new Conv2d(3, 64, 3, 1, 1), bn, new ReLU()).summary(3, 8, 8);
        assertTrue(s.contains("Total params: 2,048\n") && s.contains("Trainable params: 1,920\n")
                && s.contains("Non-trainable params: 128\n"), s);
        bn.toType(DType.FLOAT64);
        assertEquals(DType.FLOAT64, bn.runningVar().dtype());
        assertEquals(DType.INT64, bn.buffer("num_batches_tracked").dtype());
        BatchNorm1d plain = new BatchNorm1d(5, 1e-3, 0.2, false);
        assertTrue(plain.parameters().isEmpty());
        assertNull(plain.weight());
        assertArrayEquals(new int[] {4, 5, 7}, plain.forward(Tensor.randn(new Generator(2), 4, 5, 7)).shape());
        var rank = assertThrows(IllegalArgumentException.class, () -> plain.forward(Tensor.zeros(2, 5, 3, 3)));
        assertTrue(rank.getMessage().contains("BatchNorm2d"), rank.getMessage());
        var channels = assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(4).forward(Tensor.zeros(2, 3, 3, 3)));
        assertTrue(channels.getMessage().contains("BatchNorm2d(3)"), channels.getMessage());
    }

    @Test
    void batchNormGradcheckInBothModes() {
        Generator g = new Generator(6);
        for (boolean training : new boolean[] {true, false}) {
            BatchNorm2d bn = new BatchNorm2d(2);
            bn.toType(DType.FLOAT64);
            try (var s = GradMode.noGrad()) {
                bn.weight().copyFrom(Tensor.randn(g, DType.FLOAT64, 2));
                bn.bias().copyFrom(Tensor.randn(g, DType.FLOAT64, 2));
                bn.runningMean().copyFrom(Tensor.randn(g, DType.FLOAT64, 2));
            }
            bn.train(training);
            Tensor x = Tensor.randn(g, DType.FLOAT64, 3, 2, 2, 2).requiresGrad(true);
            Gradcheck.assertGradients(xs -> bn.forward(xs.get(0)), List.of(x, bn.weight(), bn.bias()), true);
        }
        BatchNorm1d bn1 = new BatchNorm1d(3);
        bn1.toType(DType.FLOAT64);
        Tensor x = Tensor.randn(g, DType.FLOAT64, 4, 3).requiresGrad(true);
        Gradcheck.assertGradients(xs -> bn1.forward(xs.get(0)), List.of(x, bn1.weight(), bn1.bias()), true);
    }

    // The composite that BatchNormOp replaces: y = (x − mean)/√(var + eps)·γ + β.
    private static Tensor composedBatchNorm(Tensor x, Tensor w, Tensor b, double eps) {
        int[] dims = {0, 2, 3}, perChannel = {1, x.size(1), 1, 1};
        Tensor centered = x.sub(x.mean(dims, true));
        Tensor y = centered.div(centered.mul(centered).mean(dims, true).add(eps).sqrt());
        if (w != null) y = y.mul(w.reshape(perChannel));
        return b == null ? y : y.add(b.reshape(perChannel));
    }

    @Test
    void fusedBatchNormMatchesTheCompositeOpsInFloat32AndWithoutAffineAndOnStridedInput() {
        Generator g = new Generator(8);
        // float32 against the composite in float64: output and the three gradients
        Tensor x64 = Tensor.randn(g, DType.FLOAT64, 6, 5, 7, 9).mul(3).add(1);
        Tensor w64 = Tensor.randn(g, DType.FLOAT64, 5), b64 = Tensor.randn(g, DType.FLOAT64, 5);
        Tensor up = Tensor.randn(g, DType.FLOAT64, 6, 5, 7, 9);
        List<Tensor> ref = new ArrayList<>(), got = new ArrayList<>();
        for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            Tensor x = x64.toType(dt).detach().requiresGrad(true), w = w64.toType(dt).detach().requiresGrad(true);
            Tensor b = b64.toType(dt).detach().requiresGrad(true);
            Tensor y = dt == DType.FLOAT64 ? composedBatchNorm(x, w, b, 1e-5) : Functional.batchNorm(x, null, null, w, b, true, 0.1, 1e-5);
            y.mul(up.toType(dt)).sum().backward();
            (dt == DType.FLOAT64 ? ref : got).addAll(List.of(y, x.grad(), w.grad(), b.grad()));
        }
        for (int i = 0; i < 4; i++) {
            assertTrue(got.get(i).toType(DType.FLOAT64).allClose(ref.get(i), 1e-4, 1e-4), "tensor " + i);
        }
        // float64, no affine, a transposed (non-contiguous) input: the same as the composite to rounding
        Tensor base = Tensor.randn(g, DType.FLOAT64, 4, 3, 5, 6);
        Tensor xa = base.transpose(2, 3).requiresGrad(true), xb = base.transpose(2, 3).contiguous().requiresGrad(true);
        Tensor ya = Functional.batchNorm(xa, null, null, null, null, true, 0.1, 1e-3);
        Tensor yb = composedBatchNorm(xb, null, null, 1e-3);
        assertTrue(ya.allClose(yb, 1e-12, 1e-12));
        Tensor u = Tensor.randn(g, DType.FLOAT64, 4, 3, 6, 5);
        ya.mul(u).sum().backward();
        yb.mul(u).sum().backward();
        assertTrue(xa.grad().allClose(xb.grad(), 1e-10, 1e-12));
        // without affine, first and second order
        Gradcheck.assertGradients(xs -> Functional.batchNorm(xs.get(0), null, null, null, null, true, 0.1, 1e-5),
                List.of(Tensor.randn(g, DType.FLOAT64, 3, 2, 2, 3).requiresGrad(true)), true);
        // a float32 input with float64 γ, β: composed with type promotion, as before
        Tensor promoted = Functional.batchNorm(x64.toType(DType.FLOAT32), null, null, w64, b64, true, 0.1, 1e-5);
        assertEquals(DType.FLOAT64, promoted.dtype());
        assertTrue(promoted.allClose(ref.get(0), 1e-4, 1e-4));
    }

    @Test
    void batchNormIsBitwiseTheSameOnAnyThreadCount() {
        Supplier<List<Tensor>> step = () -> {
            Generator g = new Generator(4);
            BatchNorm2d bn = new BatchNorm2d(6);
            Tensor x = Tensor.randn(g, 37, 6, 11, 13).requiresGrad(true);
            bn.forward(x).mul(Tensor.randn(g, 37, 6, 11, 13)).sum().backward();
            return List.of(x.grad(), bn.weight().grad(), bn.bias().grad(), bn.runningMean().copy(), bn.runningVar().copy());
        };
        List<Tensor> one = withThreads(1, step), three = withThreads(3, step);
        for (int i = 0; i < one.size(); i++) assertContentEquals(one.get(i), three.get(i), "tensor " + i);
    }

    @Test
    void summaryOfASmallCnnUsesShapesWithoutRunningTheConvolutions() {
        Sequential cnn = new Sequential(new Conv2d(1, 32, 3, 1, 1), new ReLU(), new MaxPool2d(2), new Conv2d(32, 64, 3, 1, 1),
                new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(3136, 128), new ReLU(), new Linear(128, 10));
        assertArrayEquals(new int[] {5, 10}, cnn.outputShape(new int[] {5, 1, 28, 28}));
        String s = cnn.summary(1, 28, 28);
        for (String row : new String[] {"0 (Conv2d)", "(None, 32, 28, 28)", "320", "(None, 64, 7, 7)", "18,496", "(None, 3136)",
                "401,536", "1,290", "Total params: 421,642"}) {
            assertTrue(s.contains(row), row + " in\n" + s);
        }
        Map<String, Tensor> state = cnn.stateDict();
        assertEquals(List.of("0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias"),
                new ArrayList<>(state.keySet()));
    }
}
