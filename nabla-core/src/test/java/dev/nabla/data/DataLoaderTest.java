package dev.nabla.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
    private static TensorDataset rows(int n) {
        Tensor x = Tensor.arange(n * 2).reshape(n, 2);
        Tensor y = Tensor.arange(n);
        return new TensorDataset(x, y);
    }

    private static List<Long> epochTargets(DataLoader loader) {
        List<Long> seen = new ArrayList<>();
        for (Batch b : loader) {
            for (double v : b.targets().toDoubleArray()) seen.add((long) v);
            // inputs stay paired with their targets
            double[] x = b.inputs().toDoubleArray(), y = b.targets().toDoubleArray();
            for (int i = 0; i < y.length; i++) assertEquals(2 * y[i], x[2 * i]);
        }
        return seen;
    }

    @Test
    void inOrderBatchesKeepTheSmallLastOne() {
        DataLoader loader = new DataLoader(rows(10), 4);
        assertEquals(3, loader.numBatches());
        List<Integer> sizes = new ArrayList<>();
        for (Batch b : loader) sizes.add(b.size());
        assertEquals(List.of(4, 4, 2), sizes);
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), epochTargets(loader));
    }

    @Test
    void dropLastDropsTheIncompleteBatch() {
        DataLoader loader = new DataLoader(rows(10), 4, false, true, 0);
        assertEquals(2, loader.numBatches());
        assertEquals(8, epochTargets(loader).size());
    }

    @Test
    void shuffleIsAPermutationNewEachEpochAndSeeded() {
        DataLoader a = new DataLoader(rows(50), 7, true, false, 3);
        List<Long> e1 = epochTargets(a), e2 = epochTargets(a);
        assertEquals(50, new HashSet<>(e1).size());
        assertNotEquals(e1, e2, "each epoch reshuffles");
        DataLoader b = new DataLoader(rows(50), 7, true, false, 3);
        assertEquals(e1, epochTargets(b), "the same seed gives the same order");
        assertEquals(e2, epochTargets(b));
        DataLoader resumed = new DataLoader(rows(50), 7, true, false, 3);
        resumed.setEpoch(1);
        assertEquals(e2, epochTargets(resumed), "a resumed loader serves the epoch an uninterrupted one would");
        assertNotEquals(e1, epochTargets(new DataLoader(rows(50), 7, true, false, 4)), "another seed, another order");
    }

    @Test
    void trainValidationSplitIsDisjointCompleteAndSeeded() {
        Splits.TrainValidation s = Splits.trainValidation(rows(200), 0.3, new Generator(5));
        assertEquals(140, s.train().size());
        assertEquals(60, s.validation().size());
        Set<Integer> all = new HashSet<>();
        for (int i : s.train().indices()) all.add(i);
        for (int i : s.validation().indices()) assertTrue(all.add(i), "index " + i + " in both parts");
        assertEquals(200, all.size());
        Splits.TrainValidation again = Splits.trainValidation(rows(200), 0.3, new Generator(5));
        assertArrayEquals(s.validation().indices(), again.validation().indices());
        Batch b = s.validation().get(new int[] {0, 1});
        assertEquals(s.validation().indices()[1], (int) b.targets().get(1));
    }

    @Test
    void batchesAreFetchedOnDemandNeverTheWholeDataset() {
        TensorDataset base = rows(1000);
        List<Integer> requests = new ArrayList<>();
        Dataset counting = new Dataset() {
            @Override
            public int size() {
                return base.size();
            }

            @Override
            public Batch get(int[] indices) {
                requests.add(indices.length);
                return base.get(indices);
            }
        };
        DataLoader loader = new DataLoader(counting, 64, true, false, 1);
        var it = loader.iterator();
        assertTrue(requests.isEmpty(), "starting an epoch fetches nothing");
        it.next();
        assertEquals(List.of(64), requests);
        while (it.hasNext()) it.next();
        assertEquals(16, requests.size());
        assertEquals(1000, requests.stream().mapToInt(Integer::intValue).sum(), "each example fetched once per epoch");
        assertTrue(requests.stream().allMatch(k -> k <= 64));
    }

    @Test
    void badArgumentsAreClearErrors() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new TensorDataset(Tensor.zeros(5, 2), Tensor.zeros(4)));
        assertTrue(e.getMessage().contains("[5, 2]") && e.getMessage().contains("[4]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DataLoader(rows(3), 0));
        assertThrows(IllegalArgumentException.class, () -> Splits.trainValidation(rows(10), 1.0, new Generator(1)));
        assertThrows(IndexOutOfBoundsException.class, () -> rows(3).get(new int[] {3}));
    }
}
