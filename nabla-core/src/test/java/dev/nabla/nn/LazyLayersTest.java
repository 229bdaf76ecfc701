package dev.nabla.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keras's lazy build: layers that take their input size from their first input are the explicit
 * layers, bit for bit, once built; before, their parameters are a clear error.
 */
class LazyLayersTest {
    private static Sequential explicit(Generator g) {
        return new Sequential(new Conv2d(2, 4, 3, 1, 1, g), new BatchNorm2d(4), new ReLU(), new Flatten(),
                new Linear(4 * 5 * 6, 7, g), new BatchNorm1d(7), new Linear(7, 3, g));
    }

    private static Sequential lazy(Generator g) {
        return new Sequential(Conv2d.lazy(4, 3).padding(1).generator(g).build(), new BatchNorm2d(), new ReLU(), new Flatten(),
                Linear.lazy(7, true, g), new BatchNorm1d(), Linear.lazy(3, true, g));
    }

    private static void assertSameState(Layer a, Layer b) {
        Map<String, Tensor> sa = a.stateDict(), sb = b.stateDict();
        assertEquals(sa.keySet().stream().toList(), sb.keySet().stream().toList(), "the same names in the same order");
        for (String k : sa.keySet()) {
            assertArrayEquals(sa.get(k).shape(), sb.get(k).shape(), k);
            assertEquals(sa.get(k).dtype(), sb.get(k).dtype(), k);
            assertArrayEquals(sa.get(k).toDoubleArray(), sb.get(k).toDoubleArray(), k);
        }
    }

    @Test
    void aLazyModelIsTheExplicitOneOnceItHasSeenABatch() {
        Sequential a = explicit(new Generator(11)), b = lazy(new Generator(11));
        assertFalse(b.isBuilt());
        Tensor x = Tensor.randn(new Generator(1), 3, 2, 5, 6);
        Tensor ya = a.forward(x), yb = b.forward(x);
        assertTrue(b.isBuilt());
        assertArrayEquals(ya.toDoubleArray(), yb.toDoubleArray(), "the same outputs, bitwise");
        assertSameState(a, b);
        assertEquals(a.toString(), b.toString());
        assertEquals(a.summary(2, 5, 6), b.summary(2, 5, 6));
    }

    @Test
    void buildAndSummaryInferTheSizesFromAnInputShapeAndRestoreTheModes() {
        Sequential a = explicit(new Generator(5)), b = lazy(new Generator(5));
        assertEquals(a.summary(2, 5, 6), b.summary(2, 5, 6), "summary builds a lazy model");
        assertSameState(a, b); // built in evaluation mode: running statistics untouched
        assertTrue(b.isTraining() && b.get(1).isTraining(), "training mode restored");

        Sequential c = lazy(new Generator(5));
        assertArrayEquals(new int[] {8, 3}, c.outputShape(new int[] {8, 2, 5, 6}), "output shapes without building");
        assertFalse(c.isBuilt());
        assertTrue(c.build(2, 5, 6).isBuilt());
        assertEquals(a.parameterCount(), c.parameterCount());
    }

    @Test
    void parametersBeforeTheBuildAreAClearError() {
        Sequential m = lazy(new Generator(1));
        assertTrue(m.toString().contains("Linear(in_features=?, out_features=7"), m.toString());
        for (Runnable r : new Runnable[] {m::parameters, m::stateDict, () -> m.toType(DType.FLOAT64), m::summary}) {
            var e = assertThrows(IllegalStateException.class, r::run);
            assertTrue(e.getMessage().contains("[0, 1, 4, 5, 6]") && e.getMessage().contains("build(inputShape)"), e.getMessage());
        }
    }

    @Test
    void theParametersTakeTheTypeOfTheFirstInput() {
        Linear l = new Linear(4);
        Tensor y = l.forward(Tensor.ones(DType.FLOAT64, 2, 3));
        assertEquals(DType.FLOAT64, l.weight().dtype());
        assertArrayEquals(new int[] {4, 3}, l.weight().shape());
        assertArrayEquals(new int[] {2, 4}, y.shape());
        assertEquals(3, l.inFeatures());
        var e = assertThrows(IllegalArgumentException.class, () -> l.forward(Tensor.ones(DType.FLOAT64, 2, 5)));
        assertTrue(e.getMessage().contains("expected 3"), "a built layer keeps its size: " + e.getMessage());
    }

    @Test
    void aLazyConvolutionChecksItsGroupsAgainstTheChannelsItSees() {
        Conv2d c = Conv2d.lazy(4, 3).groups(2).build();
        var e = assertThrows(IllegalArgumentException.class, () -> c.forward(Tensor.zeros(1, 3, 5, 5)));
        assertTrue(e.getMessage().contains("3 channels") && e.getMessage().contains("groups 2"), e.getMessage());
        assertFalse(c.isBuilt());
        c.forward(Tensor.zeros(1, 4, 5, 5));
        assertArrayEquals(new int[] {4, 2, 3, 3}, c.weight().shape(), "weight [out, in/groups, kh, kw]");
    }
}
