package dev.nabla.tensor;

import static dev.nabla.tensor.TensorAssert.assertContentEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Creation, shapes, views and storage sharing, printing, equality and conversions. */
class TensorBasicsTest {
    private static final DType F32 = DType.FLOAT32, F64 = DType.FLOAT64, I64 = DType.INT64;

    /** 0, 1, …, n−1 as float32 in the given shape. */
    private static Tensor seq(int... shape) {
        int n = Shape.numel(shape);
        return Tensor.arange(n).reshape(shape);
    }

    // ---------------------------------------------------------------- creation

    @Test
    void constantFills() {
        Tensor z = Tensor.zeros(2, 3);
        assertEquals(F32, z.dtype());
        assertArrayEquals(new int[] {2, 3}, z.shape());
        assertArrayEquals(new float[6], z.toFloatArray());
        assertArrayEquals(new double[] {1, 1, 1, 1}, Tensor.ones(F64, 2, 2).toDoubleArray());
        assertEquals(F64, Tensor.ones(F64, 2, 2).dtype());
        assertArrayEquals(new float[] {2.5f, 2.5f, 2.5f}, Tensor.full(2.5, 3).toFloatArray());
        assertArrayEquals(new long[] {7, 7}, Tensor.full(I64, 7, 2).toLongArray());
        assertArrayEquals(new double[] {0, 0}, Tensor.zeros(F64, 2).toDoubleArray());
        Tensor x = Tensor.randn(new Generator(0), 3, 2);
        assertContentEquals(Tensor.zeros(3, 2), x.zerosLike());
        assertContentEquals(Tensor.ones(3, 2), x.onesLike());
    }

    @Test
    void arangeAndLinspace() {
        assertArrayEquals(new float[] {0, 1, 2, 3, 4}, Tensor.arange(5).toFloatArray());
        assertArrayEquals(new double[] {1, 1.5, 2, 2.5}, Tensor.arange(F64, 1, 3, 0.5).toDoubleArray());
        assertArrayEquals(new double[] {5, 3, 1}, Tensor.arange(F64, 5, 0, -2).toDoubleArray());
        assertArrayEquals(new long[] {0, 3, 6, 9}, Tensor.arange(I64, 0, 10, 3).toLongArray());
        assertEquals(0, Tensor.arange(F64, 3, 1, 1).numel(), "empty range");
        assertThrows(IllegalArgumentException.class, () -> Tensor.arange(F64, 0, 1, 0));

        Tensor l = Tensor.linspace(F64, -1, 1, 5);
        assertArrayEquals(new double[] {-1, -0.5, 0, 0.5, 1}, l.toDoubleArray());
        Tensor l2 = Tensor.linspace(F64, 0, 0.3, 7);
        assertEquals(0.3, l2.get(6), 0.0, "the last value is exactly end");
        assertEquals(0.0, l2.get(0), 0.0);
        assertArrayEquals(new double[] {2}, Tensor.linspace(F64, 2, 5, 1).toDoubleArray(), "one step gives start");
        assertEquals(0, Tensor.linspace(0, 1, 0).numel());
        assertEquals(F32, Tensor.linspace(0, 1, 3).dtype());
    }

    @Test
    void eyeAndOf() {
        assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, Tensor.eye(3).toFloatArray());
        assertEquals(F64, Tensor.eye(F64, 2).dtype());
        float[] data = {1, 2, 3, 4, 5, 6};
        Tensor t = Tensor.of(data, 2, 3);
        data[0] = 99; // Tensor.of copies
        assertEquals(1.0, t.get(0, 0));
        assertArrayEquals(new int[] {6}, Tensor.of(new float[6]).shape(), "1-D by default");
        Tensor m = Tensor.of(new double[][] {{1, 2}, {3, 4}, {5, 6}});
        assertArrayEquals(new int[] {3, 2}, m.shape());
        assertEquals(F64, m.dtype());
        assertEquals(6.0, m.get(2, 1));
        assertEquals(I64, Tensor.of(new int[] {1, 2}).dtype());
        assertEquals(I64, Tensor.of(new long[] {1, 2}).dtype());
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[5], 2, 3));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[][] {{1, 2}, {3}}));
    }

    @Test
    void randomCreationIsSeededAndInRange() {
        Tensor a = Tensor.rand(new Generator(42), 1000);
        assertContentEquals(a, Tensor.rand(new Generator(42), 1000), "same seed, same numbers");
        assertFalse(a.contentEquals(Tensor.rand(new Generator(43), 1000)));
        for (float v : a.toFloatArray()) assertTrue(v >= 0 && v < 1);
        Tensor ad = Tensor.rand(new Generator(42), F64, 1000);
        assertEquals(F64, ad.dtype());
        for (double v : ad.toDoubleArray()) assertTrue(v >= 0 && v < 1);

        Tensor n = Tensor.randn(new Generator(1), F64, 100_000);
        assertEquals(0.0, n.mean().item(), 0.02);
        assertEquals(1.0, n.std().item(), 0.02);
        assertContentEquals(n, Tensor.randn(new Generator(1), F64, 100_000));

        Tensor ri = Tensor.randint(new Generator(2), -3, 4, 5000);
        assertEquals(I64, ri.dtype());
        long[] r = ri.toLongArray();
        boolean[] seen = new boolean[7];
        for (long v : r) {
            assertTrue(v >= -3 && v < 4, "randint in [-3, 4): " + v);
            seen[(int) v + 3] = true;
        }
        for (boolean s : seen) assertTrue(s, "every value of the range occurs");

        long[] p = Tensor.randperm(new Generator(3), 50).toLongArray();
        long[] sorted = p.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 50; i++) assertEquals(i, sorted[i]);
        assertFalse(Arrays.equals(p, sorted), "a permutation, not the identity");
        assertArrayEquals(p, Tensor.randperm(new Generator(3), 50).toLongArray());
        assertEquals(0, Tensor.randperm(new Generator(3), 0).numel());
    }

    @Test
    void indexSelectOfOneFeatureRowsTakesOffsetsAndNegativeIndices() {
        Tensor x = Tensor.arange(7).reshape(7, 1).narrow(0, 2, 5); // rows 2..6 of a longer array
        Tensor idx = Tensor.of(new long[] {4, 0, -1, -5, 2});
        assertArrayEquals(new float[] {6, 2, 6, 2, 4}, x.indexSelect(0, idx).toFloatArray());
        assertArrayEquals(new int[] {5, 1}, x.indexSelect(0, idx).shape());
        assertArrayEquals(new float[] {6, 2, 6, 2, 4}, Tensor.arange(7).narrow(0, 2, 5).indexSelect(0, idx).toFloatArray());
        assertArrayEquals(new double[] {6, 2, 6, 2, 4},
                Tensor.arange(7).toType(DType.FLOAT64).narrow(0, 2, 5).indexSelect(0, idx).toDoubleArray());
    }

    @Test
    void oneHot() {
        Tensor oh = Tensor.oneHot(Tensor.of(new long[] {2, 0, 1}), 4);
        assertArrayEquals(new int[] {3, 4}, oh.shape());
        assertEquals(F32, oh.dtype());
        assertArrayEquals(new float[] {0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0}, oh.toFloatArray());
        Tensor oh2 = Tensor.oneHot(Tensor.of(new long[] {1, 0, 0, 1}, 2, 2), 2);
        assertArrayEquals(new int[] {2, 2, 2}, oh2.shape());
        assertArrayEquals(new float[] {0, 1, 1, 0, 1, 0, 0, 1}, oh2.toFloatArray());
    }

    // ---------------------------------------------------------------- shapes

    @Test
    void scalarsAndEmptyDims() {
        Tensor s = Tensor.scalar(2.5);
        assertEquals(0, s.dim());
        assertArrayEquals(new int[0], s.shape());
        assertEquals(1, s.numel());
        assertEquals(2.5, s.item());
        assertEquals(2.5, s.get());
        assertEquals(0, seq(2, 3).sum().dim(), "a full reduction is 0-d");
        assertEquals(F64, Tensor.scalar(F64, 1).dtype());
        assertArrayEquals(new int[] {1}, s.reshape(1).shape());
        assertArrayEquals(new int[0], Tensor.ones(1, 1).reshape().shape());
        assertArrayEquals(new int[] {3}, s.add(Tensor.ones(3)).shape(), "0-d broadcasts");
        assertArrayEquals(new int[] {2, 4, 3}, Tensor.ones(2, 1, 3).add(Tensor.ones(4, 1)).shape());
        assertArrayEquals(new int[] {2, 4, 3}, Tensor.ones(4, 1).add(Tensor.ones(2, 1, 3)).shape());
        assertArrayEquals(new int[] {5, 2}, Tensor.ones(5, 1).add(Tensor.ones(1, 2)).shape());
        assertArrayEquals(new float[] {3, 12}, seq(2, 3).sumTo(new int[] {2, 1}).reshape(2).toFloatArray(), "sumTo keeps dim 0");
        assertArrayEquals(new float[] {3, 5, 7}, seq(2, 3).sumTo(new int[] {3}).toFloatArray(), "sumTo sums the leading dim");

        Tensor e = Tensor.zeros(0, 3);
        assertEquals(0, e.numel());
        assertEquals(2, e.dim());
        assertArrayEquals(new float[0], e.toFloatArray());
        assertArrayEquals(new float[] {0, 0, 0}, e.sum(0, false).toFloatArray(), "sum over an empty dim is 0");
        assertEquals(0.0, e.sum().item());
        assertArrayEquals(new int[] {0}, e.sum(1, false).shape());
        assertArrayEquals(new int[] {0, 3}, e.add(Tensor.ones(3)).shape());
        assertArrayEquals(new int[] {3, 0}, e.t().shape());
        assertArrayEquals(new int[] {0, 5}, e.matmul(Tensor.ones(3, 5)).shape());
        assertArrayEquals(new float[] {0, 0, 0, 0}, Tensor.ones(2, 0).matmul(Tensor.ones(0, 2)).toFloatArray(),
                "k = 0 gives zeros");
        assertArrayEquals(new int[] {0, 2, 3}, e.reshape(0, 1, 3).expand(0, 2, 3).shape());
        assertEquals(3, seq(2, 3).size(-1));
    }

    // ---------------------------------------------------------------- views

    private static void assertShares(Tensor base, Tensor view, String what) {
        assertSame(base.storage, view.storage, what + " must share storage");
    }

    @Test
    void viewsShareStorage() {
        Tensor x = seq(2, 3, 4);
        Tensor r = x.reshape(6, 4);
        assertShares(x, r, "reshape of a contiguous tensor");
        Tensor p = x.permute(2, 0, 1);
        assertShares(x, p, "permute");
        assertArrayEquals(new int[] {4, 2, 3}, p.shape());
        assertArrayEquals(new int[] {1, 12, 4}, p.strides());
        assertEquals(x.get(1, 2, 3), p.get(3, 1, 2));
        Tensor t = x.transpose(0, 2);
        assertShares(x, t, "transpose");
        assertEquals(x.get(1, 0, 3), t.get(3, 0, 1));
        Tensor sl = x.slice(2, 1, 4, 2);
        assertShares(x, sl, "slice");
        assertArrayEquals(new int[] {2, 3, 2}, sl.shape());
        assertArrayEquals(new float[] {1, 3, 5, 7, 9, 11}, sl.select(0, 0).toFloatArray());
        Tensor nw = x.narrow(1, 1, 2);
        assertShares(x, nw, "narrow");
        assertEquals(x.get(1, 2, 0), nw.get(1, 1, 0));
        Tensor se = x.select(1, -1);
        assertShares(x, se, "select");
        assertArrayEquals(new int[] {2, 4}, se.shape());
        assertArrayEquals(new float[] {8, 9, 10, 11, 20, 21, 22, 23}, se.toFloatArray());
        Tensor us = x.unsqueeze(1);
        assertShares(x, us, "unsqueeze");
        assertArrayEquals(new int[] {2, 1, 3, 4}, us.shape());
        Tensor sq = us.squeeze(1);
        assertShares(x, sq, "squeeze(dim)");
        assertArrayEquals(new int[] {2, 3, 4}, sq.shape());
        assertArrayEquals(new int[] {2, 4}, seq(2, 1, 4, 1).squeeze().shape());
        assertShares(x, x.flatten(), "flatten");
        assertShares(x, x.view(4, 6), "view");

        Tensor b = Tensor.of(new float[] {1, 2, 3}, 3, 1);
        Tensor ex = b.expand(2, 3, 4);
        assertShares(b, ex, "expand");
        assertArrayEquals(new int[] {2, 3, 4}, ex.shape());
        assertArrayEquals(new int[] {0, 1, 0}, ex.strides(), "expanded dims have stride 0");
        assertEquals(3.0, ex.get(1, 2, 3));
        assertArrayEquals(new int[] {3, 5}, b.expand(-1, 5).shape());

        // a write through the base is seen by its views
        try (var s = GradMode.noGrad()) {
            x.set(-1, 1, 2, 3);
        }
        assertEquals(-1.0, p.get(3, 1, 2));
        assertEquals(-1.0, se.get(1, 3));
        assertEquals(-1.0, r.get(5, 3));
        // and a write through a view reaches the base
        sl.fill(100);
        assertEquals(100.0, x.get(0, 0, 1));
        assertEquals(0.0, x.get(0, 0, 0));
    }

    @Test
    void contiguousCopiesOnlyWhenNeeded() {
        Tensor x = seq(3, 4);
        assertTrue(x.isContiguous());
        assertSame(x, x.contiguous());
        assertTrue(x.narrow(0, 1, 2).isContiguous(), "a block of whole rows is contiguous");
        assertSame(x.narrow(0, 1, 2).storage, x.narrow(0, 1, 2).contiguous().storage);
        Tensor t = x.t();
        assertFalse(t.isContiguous());
        Tensor c = t.contiguous();
        assertNotSame(t.storage, c.storage);
        assertTrue(c.isContiguous());
        assertContentEquals(t, c);
        assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, c.toFloatArray());
        assertFalse(x.narrow(1, 0, 2).isContiguous());
        assertTrue(Tensor.ones(3, 1).expand(3, 1).isContiguous());
        assertFalse(Tensor.ones(1, 3).expand(2, 3).isContiguous());
    }

    @Test
    void reshapeOfNonContiguousCopies() {
        Tensor x = seq(2, 3);
        Tensor t = x.t(); // [[0,3],[1,4],[2,5]]
        Tensor r = t.reshape(6);
        assertNotSame(x.storage, r.storage);
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, r.toFloatArray());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, t.reshape(2, 3).toFloatArray());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, t.flatten().toFloatArray());
        // a permuted tensor whose merged dims stay contiguous is still viewable
        Tensor y = seq(2, 3, 4).permute(1, 0, 2); // [3, 2, 4]
        Tensor v = y.reshape(3, 8);
        assertNotSame(y.storage, v.storage);
        assertEquals(y.get(2, 1, 3), v.get(2, 7));
        Tensor w = y.reshape(6, 4);
        assertEquals(y.get(1, 1, 2), w.get(3, 2));
        Tensor splitLast = y.reshape(3, 2, 2, 2);
        assertSame(y.storage, splitLast.storage, "splitting a contiguous last dim is a view");
        // a strided slice, then reshape
        Tensor s = seq(4, 4).slice(1, 0, 4, 2); // [[0,2],[4,6],[8,10],[12,14]]
        assertArrayEquals(new float[] {0, 2, 4, 6, 8, 10, 12, 14}, s.reshape(8).toFloatArray());
        // an expanded tensor
        assertArrayEquals(new float[] {1, 2, 1, 2, 1, 2}, Tensor.of(new float[] {1, 2}).expand(3, 2).reshape(6).toFloatArray());
    }

    // ---------------------------------------------------------------- printing

    @Test
    void printsLikePyTorch() {
        assertEquals("tensor([[1., 2.],\n        [3., 4.]])", Tensor.of(new float[][] {{1, 2}, {3, 4}}).toString());
        assertEquals("tensor(0.5000)", Tensor.scalar(0.5).toString());
        assertEquals("tensor([1.5000, 2.2500], dtype=float64)", Tensor.of(new double[] {1.5, 2.25}).toString());
        assertEquals("tensor([-1.5000,  2.0000])", Tensor.of(new float[] {-1.5f, 2}).toString());
        assertEquals("tensor([1.0000e-05, 1.0000e+00])", Tensor.of(new float[] {1e-5f, 1}).toString());
        assertEquals("tensor([])", Tensor.zeros(0).toString());
        assertEquals("tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]])",
                seq(2, 2, 2).toString());
        assertEquals("tensor([inf, -inf, nan])", Tensor.of(new float[] {Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, Float.NaN}).toString());
        // int64 is PyTorch's default integer type: no dtype suffix
        assertEquals("tensor([1, 2, 3])", Tensor.of(new long[] {1, 2, 3}).toString());

        Tensor w = Tensor.of(new float[] {1, 2}).requiresGrad(true);
        assertEquals("tensor([1., 2.], requires_grad=True)", w.toString());
        assertEquals("tensor([2., 4.], grad_fn=<mul>)", w.mul(2).toString());
        assertEquals("tensor(3., grad_fn=<sum>)", w.sum().toString());
    }

    @Test
    void summarizesLargeTensors() {
        assertEquals("tensor([   0.,    1.,    2.,  ..., 1997., 1998., 1999.])", Tensor.arange(2000).toString());
        String small = Tensor.arange(1000).toString();
        assertFalse(small.contains("..."), "1000 elements are printed in full");
        String m = seq(50, 30).toString();
        assertTrue(m.startsWith("tensor([[   0.,    1.,    2.,  ...,   27.,   28.,   29.],\n"
                + "        [  30.,   31.,   32.,  ...,   57.,   58.,   59.],\n"), m);
        assertTrue(m.contains("...,\n        [1410., 1411., 1412.,  ..., 1437., 1438., 1439.],"), m);
        assertTrue(m.endsWith("[1470., 1471., 1472.,  ..., 1497., 1498., 1499.]])"), m);
        assertEquals(7, m.split("\n").length, "3 rows, ..., 3 rows");
    }

    // ---------------------------------------------------------------- equality and data access

    @Test
    void identityEqualsContentEqualsAllClose() {
        Tensor a = seq(2, 3);
        Tensor b = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 2, 3);
        assertNotEquals(a, b, "equals is identity, as for any mutable object");
        assertEquals(a, a);
        Set<Tensor> set = new HashSet<>(List.of(a, b));
        a.fill(7); // a changed in place stays the same key
        assertTrue(set.contains(a) && set.contains(b) && set.size() == 2);
        a = seq(2, 3);
        assertTrue(a.contentEquals(b));
        assertTrue(a.t().contiguous().contentEquals(a.t()), "content looks at values, not layout");
        assertFalse(a.contentEquals(a.reshape(3, 2)), "shape matters");
        assertFalse(a.contentEquals(a.toType(F64)), "dtype matters");
        assertFalse(a.contentEquals(a.add(1e-6)));
        assertFalse(a.contentEquals(null));
        Tensor nan = Tensor.of(new float[] {Float.NaN});
        assertTrue(nan.contentEquals(Tensor.of(new float[] {Float.NaN})), "contentEquals is bitwise: NaN equals NaN");
        assertFalse(nan.allClose(nan, 0, 0), "allClose: NaN equals nothing");

        Tensor c = a.add(1e-4);
        assertTrue(a.allClose(c, 0, 2e-4));
        assertFalse(a.allClose(c, 0, 1e-5));
        assertTrue(a.add(1).allClose(a.add(1).mul(1 + 1e-6), 1e-5, 0));
        assertFalse(a.allClose(a.reshape(6), 1, 1), "different shapes are never close");
        Tensor inf = Tensor.of(new float[] {Float.POSITIVE_INFINITY, 1});
        assertTrue(inf.allClose(Tensor.of(new float[] {Float.POSITIVE_INFINITY, 1}), 0, 0));
        assertFalse(inf.allClose(Tensor.of(new float[] {Float.NEGATIVE_INFINITY, 1}), 1, 1));
    }

    @Test
    void itemGetSet() {
        Tensor x = seq(2, 3);
        assertEquals(5.0, x.get(1, 2));
        assertEquals(5.0, x.get(-1, -1), "negative indices count from the end");
        assertEquals(3.0, x.get(1, -3));
        assertEquals(4.0, x.select(0, 1).select(0, 1).item());
        assertEquals(7.0, Tensor.of(new float[] {7}).item(), "one element of any rank");
        assertThrows(IllegalArgumentException.class, x::item);
        assertThrows(IndexOutOfBoundsException.class, () -> x.get(2, 0));
        assertThrows(IllegalArgumentException.class, () -> x.get(1));
        x.set(42, 0, 1);
        assertEquals(42.0, x.get(0, 1));
        Tensor tv = x.t();
        tv.set(-7, 2, 1);
        assertEquals(-7.0, x.get(1, 2), "set through a transposed view");
        Tensor d = Tensor.zeros(F64, 2);
        d.set(0.1, 1);
        assertEquals(0.1, d.get(1), 0.0, "float64 keeps full precision");
        Tensor l = Tensor.zeros(I64, 2);
        l.set(1L << 53, 0);
        assertEquals(1L << 53, l.toLongArray()[0]);
    }

    @Test
    void arrayConversions() {
        Tensor x = Tensor.of(new double[] {1.5, -2.7, 3.25, 0.1}, 2, 2);
        assertArrayEquals(new double[] {1.5, -2.7, 3.25, 0.1}, x.toDoubleArray());
        assertArrayEquals(new float[] {1.5f, -2.7f, 3.25f, 0.1f}, x.toFloatArray());
        assertArrayEquals(new long[] {1, -2, 3, 0}, x.toLongArray(), "truncated toward zero");
        assertArrayEquals(new double[] {1.5, 3.25, -2.7, 0.1}, x.t().toDoubleArray(), "row-major order of the view");
        assertArrayEquals(new double[] {3.25, 0.1}, x.select(0, 1).toDoubleArray());
        double[] arr = x.toDoubleArray();
        arr[0] = 99;
        assertEquals(1.5, x.get(0, 0), "the arrays are copies");
        assertArrayEquals(new long[] {5, 6}, Tensor.of(new long[] {4, 5, 6}).narrow(0, 1, 2).toLongArray());
        assertArrayEquals(new double[] {4, 5}, Tensor.of(new long[] {4, 5}).toDoubleArray());
        Tensor f = Tensor.of(new float[] {0.1f});
        assertEquals((double) 0.1f, f.toDoubleArray()[0], 0.0);
        assertEquals(DType.FLOAT32, f.toType(F64).toType(F32).dtype());
        assertContentEquals(f, f.toType(F64).toType(F32), "float32 → float64 → float32 round trips");
    }

    @Test
    void dtypePromotion() {
        Tensor a = Tensor.of(new float[] {1, 2}).requiresGrad(true);
        Tensor b = Tensor.of(new double[] {0.5, 0.25}).requiresGrad(true);
        Tensor c = a.add(b);
        assertEquals(F64, c.dtype(), "float32 + float64 → float64");
        assertEquals(F64, b.mul(a).dtype());
        assertEquals(F64, a.matmul(b).dtype());
        assertEquals(F32, a.add(2.5).dtype(), "a Java double constant keeps float32");
        assertEquals(F64, Tensor.cat(java.util.List.of(a, b), 0).dtype());
        c.mul(b).sum().backward();
        assertEquals(F32, a.grad().dtype(), "each gradient has its leaf's dtype");
        assertEquals(F64, b.grad().dtype());
        assertArrayEquals(new float[] {0.5f, 0.25f}, a.grad().toFloatArray());
        assertArrayEquals(new double[] {2, 2.5}, b.grad().toDoubleArray());
    }

    /** The trainer's check of every gradient: any NaN or infinity, wherever it is, in any layout. */
    @Test
    void allFiniteFindsANonFiniteElementAnywhere() {
        var check = dev.nabla.tensor.internal.Internals.get();
        for (int n : new int[] {1, 17, 1000, 300_000}) {  // one block, and several on the threads
            float[] f = new float[n];
            double[] d = new double[n];
            for (int i = 0; i < n; i++) f[i] = (float) (d[i] = Math.sin(i) * 1e30);
            assertTrue(check.allFinite(Tensor.of(f, n)) && check.allFinite(Tensor.of(d, n)), "n " + n);
            for (int at : new int[] {0, n / 2, n - 1}) {
                for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
                    float[] fb = f.clone();
                    double[] db = d.clone();
                    fb[at] = (float) bad;
                    db[at] = bad;
                    assertFalse(check.allFinite(Tensor.of(fb, n)), "float32 n " + n + ", " + bad + " at " + at);
                    assertFalse(check.allFinite(Tensor.of(db, n)), "float64 n " + n + ", " + bad + " at " + at);
                }
            }
        }
        // the largest finite values (a sum of them would overflow), and a NaN just outside a view's window
        float[] big = new float[100];
        for (int i = 0; i < big.length; i++) big[i] = i % 2 == 0 ? Float.MAX_VALUE : -Float.MAX_VALUE;
        assertTrue(check.allFinite(Tensor.of(big, 100)));
        big[0] = Float.NaN;
        assertTrue(check.allFinite(Tensor.of(big, 100).narrow(0, 1, 99)));
        assertFalse(check.allFinite(Tensor.of(big, 100).narrow(0, 0, 99)));
        // a transposed view, an empty tensor, an integer tensor
        assertFalse(check.allFinite(Tensor.of(new float[] {1, 2, 3, Float.NaN, 5, 6}, 2, 3).t()));
        assertTrue(check.allFinite(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).t()));
        assertTrue(check.allFinite(Tensor.of(new float[0], 0, 4)));
        assertTrue(check.allFinite(Tensor.of(new long[] {1, Long.MAX_VALUE}, 2)));
    }
}
