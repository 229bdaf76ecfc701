package dev.nabla.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nabla.kernel.Elementwise.Binary;
import dev.nabla.kernel.Elementwise.Unary;
import dev.nabla.kernel.FusedLoop.Node;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A staged loop gives, element by element and bit for bit, what the kernels give applying its
 * operations one by one (any NaN equal to any other, as Tensor.contentEquals has it: with 4-lane
 * vectors a NaN among the inputs left the loop with other bits than the kernels' NaN); programs it
 * does not stage are refused (null), never run differently.
 */
class StagedLoopsTest {
    private static final Elementwise EW = KernelProvider.get().elementwise();

    /** The elementwise bench's chain, tanh(x0·x1 + x2)·x3. */
    private static final List<Node> CHAIN = List.of(Node.input(0, false), Node.input(1, false), Node.binary(Binary.MUL, 0, 1),
            Node.input(2, false), Node.binary(Binary.ADD, 2, 3), Node.unary(Unary.TANH, 4), Node.input(3, false),
            Node.binary(Binary.MUL, 5, 6));

    /**
     * tanh(x0·x1 + x2)·tanh(x3·x1 − x2): two tanh, near the size bound with 8 lanes or more (the
     * allocation probe's program); with 4 lanes, whose table lookups take two permutations and a
     * blend, it is past the bound.
     */
    static final List<Node> TWO_TANH = List.of(Node.input(0, false), Node.input(1, false), Node.binary(Binary.MUL, 0, 1),
            Node.input(2, false), Node.binary(Binary.ADD, 2, 3), Node.unary(Unary.TANH, 4), Node.input(3, false),
            Node.binary(Binary.MUL, 6, 1), Node.binary(Binary.SUB, 7, 3), Node.unary(Unary.TANH, 8),
            Node.binary(Binary.MUL, 5, 9));

    // the program's value by the kernels, one operation over the whole arrays at a time
    private static float[] byKernels(List<Node> program, float[][] in, int n) {
        List<float[]> value = new ArrayList<>();
        for (Node node : program) {
            float[] y = new float[n];
            if (node.isInput()) {
                for (int i = 0; i < n; i++) y[i] = node.single() ? in[node.input()][0] : in[node.input()][i];
            } else if (node.isConstant()) {
                Arrays.fill(y, node.constant());
            } else if (node.unary() != null) {
                EW.unary(node.unary(), value.get(node.a()), 0, 1, y, 0, 1, n);
            } else {
                EW.binary(node.binary(), value.get(node.a()), 0, 1, value.get(node.b()), 0, 1, y, 0, 1, n);
            }
            value.add(y);
        }
        return value.get(value.size() - 1);
    }

    private static void assertStagedAsKernels(List<Node> program, float[][] in, int n) {
        FusedLoop loop = StagedLoops.compile(program);
        assertNotNull(loop, "the program was not staged");
        int whole = n / loop.lanes() * loop.lanes();
        float[] y = new float[n];
        loop.run(in, new int[in.length], y, 0, 0, whole);
        float[] want = byKernels(program, in, n);
        for (int i = 0; i < whole; i++) {
            int at = i;
            assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(y[i]),
                    () -> "element " + at + " (inputs " + in[0][at] + ", …): the kernels give " + want[at] + ", the loop " + y[at]);
        }
    }

    private static float[] special() {
        List<Float> v = new ArrayList<>(List.of(0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, 1e-30f, 0.75f, 0.9f, Math.nextDown(0.9f), 9.5f, 10f,
                88.7f, Float.MAX_VALUE, -Float.MAX_VALUE, 0.5f, -3.25f, 1f));
        Random r = new Random(7);
        while (v.size() < 4096) v.add(Float.intBitsToFloat(r.nextInt()) * (r.nextBoolean() ? 1 : 0) + (float) r.nextGaussian() * 4);
        float[] a = new float[v.size()];
        for (int i = 0; i < a.length; i++) a[i] = v.get(i);
        return a;
    }

    @Test
    void theTranscendentalsAreTheKernelsOnEveryKindOfValue() {
        assumeTrue(KernelProvider.get() != KernelProvider.scalar(), "the Panama kernels are not in use");
        float[] x = special();
        // and every float whose bits are a multiple of 2^12 (2^20 values: both signs, all exponents)
        float[] all = new float[1 << 20];
        for (int i = 0; i < all.length; i++) all[i] = Float.intBitsToFloat(i << 12);
        for (Unary op : new Unary[] {Unary.TANH, Unary.EXP, Unary.LOG, Unary.SIGMOID}) {
            List<Node> program = List.of(Node.input(0, false), Node.unary(op, 0));
            assertStagedAsKernels(program, new float[][] {x}, x.length);
            assertStagedAsKernels(program, new float[][] {all}, all.length);
        }
    }

    @Test
    void everyStagedOperationSingleValuesAndConstantsAreTheKernels() {
        assumeTrue(KernelProvider.get() != KernelProvider.scalar(), "the Panama kernels are not in use");
        float[] x = special(), y = special().clone();
        for (int i = 0; i < y.length; i++) y[i] = y[(i * 31) % y.length] * 0.5f - 1f;
        float[] one = {2.5f};
        List<Node> program = List.of(Node.input(0, false), Node.input(1, false), Node.input(2, true), Node.constant(-0.75f),
                Node.binary(Binary.SUB, 0, 1), Node.binary(Binary.DIV, 4, 2), Node.binary(Binary.MAX, 5, 3),
                Node.binary(Binary.MIN, 6, 0), Node.unary(Unary.ABS, 7), Node.unary(Unary.SQRT, 8), Node.unary(Unary.NEG, 9),
                Node.binary(Binary.ADD, 10, 1), Node.unary(Unary.RELU, 11), Node.binary(Binary.MUL, 12, 3),
                Node.binary(Binary.ADD, 13, 11), Node.unary(Unary.EXP, 14), Node.unary(Unary.LOG, 14),
                Node.unary(Unary.SIGMOID, 14), Node.binary(Binary.MUL, 15, 16), Node.binary(Binary.SUB, 18, 17));
        assertStagedAsKernels(program, new float[][] {x, y, one}, x.length);
        assertStagedAsKernels(CHAIN, new float[][] {x, y, special(), y}, x.length);
    }

    @Test
    void theAllocationProbesProgramIsNearTheSizeBound() throws ReflectiveOperationException {
        assumeTrue(KernelProvider.get() != KernelProvider.scalar(), "the Panama kernels are not in use");
        assumeTrue(!VectorTranscendentals.TWO_PARTS, "fewer than 8 lanes: the program is past the bound");
        int values = StagedLoops.values(TWO_TANH);
        assertTrue(values > StagedLoops.MAX_VALUES / 2 && values <= StagedLoops.MAX_VALUES, values + " values");
    }

    @Test
    void whatIsNotStagedIsRefused() {
        for (Unary op : new Unary[] {Unary.SIN, Unary.COS, Unary.SIGN}) {
            assertNull(StagedLoops.compile(List.of(Node.input(0, false), Node.unary(op, 0))), op.name());
        }
        assertNull(StagedLoops.compile(List.of(Node.input(0, false), Node.constant(2f), Node.binary(Binary.POW, 0, 1))));
        // a large function of another's result: log(e^x + 1)
        assertNull(StagedLoops.compile(List.of(Node.input(0, false), Node.unary(Unary.EXP, 0), Node.constant(1f),
                Node.binary(Binary.ADD, 1, 2), Node.unary(Unary.LOG, 3))));
        // four tanh side by side: past the bound of values
        List<Node> four = new ArrayList<>(List.of(Node.input(0, false)));
        for (int i = 0; i < 4; i++) four.add(Node.unary(Unary.TANH, 0));
        for (int i = 0; i < 3; i++) four.add(Node.binary(Binary.MUL, i == 0 ? 1 : four.size() - 1, i + 2));
        assertNull(StagedLoops.compile(four));
        // x², x⁴, … each used twice: more values passed on than a method handle takes arguments
        List<Node> squares = new ArrayList<>(List.of(Node.input(0, false)));
        for (int i = 0; i < StagedLoops.MAX_VALUES - 1; i++) squares.add(Node.binary(Binary.MUL, i, i));
        assertNull(StagedLoops.compile(squares));
    }
}
