package dev.nabla.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Generator: a seed fixes the sequence, a saved state continues it exactly (the cached normal too), and
 * the default generator is per thread.
 */
class GeneratorTest {
    private static double[] draws(Generator g) {
        return new double[] {g.nextDouble(), g.nextGaussian(), g.nextLong(1000), g.nextFloat(), g.nextGaussian()};
    }

    @Test
    void aSavedStateContinuesTheSequence() {
        Generator g = new Generator(42);
        g.nextGaussian(); // leaves the second normal of the pair cached
        long[] state = g.state();
        double[] expected = draws(g);
        assertArrayEquals(expected, draws(new Generator(7).setState(state)));
        assertArrayEquals(draws(new Generator(3)), draws(new Generator(3)));
        assertEquals(6, state.length);
    }

    @Test
    void anInvalidStateIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Generator(1).setState(new long[] {0, 0, 0, 0, 0, 0}));
        assertTrue(e.getMessage().contains("Generator.state()"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Generator(1).setState(new long[] {1, 2, 3}));
        assertThrows(IllegalArgumentException.class, () -> new Generator(1).setState(new long[] {1, 2, 3, 4, 0, 2}));
    }

    @Test
    void theDefaultGeneratorIsOnePerThreadSeededByItsOwnThread() throws Exception {
        int threads = 4, n = 20_000;
        double[][] got = new double[threads][];
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            ts[t] = new Thread(() -> {
                if (id > 0) Generator.seedGlobal(100 + id); // thread 0 keeps the initial seed 0
                double[] d = new double[n];
                for (int i = 0; i < n; i++) d[i] = Generator.global().nextGaussian();
                got[id] = d;
            });
        }
        for (Thread t : ts) t.start();
        for (Thread t : ts) t.join();
        for (int t = 0; t < threads; t++) {
            Generator expected = new Generator(t == 0 ? 0 : 100 + t);
            for (int i = 0; i < n; i++) {
                assertEquals(Double.doubleToRawLongBits(expected.nextGaussian()), Double.doubleToRawLongBits(got[t][i]),
                        "thread " + t + " draw " + i);
            }
        }
        Generator.seedGlobal(5);
        assertEquals(new Generator(5).nextLong(), Generator.global().nextLong(), "this thread's seed is its own");
    }
}
