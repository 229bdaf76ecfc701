package dev.nabla.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Generator: a seed fixes the sequence, and a saved state continues it exactly (the cached normal too). */
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
}
