package dev.nabla.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nabla.tensor.Tensor;
import org.junit.jupiter.api.Test;

class InceptionScoreTest {
    @Test
    void confidentAndEvenlySpreadPredictionsScoreTheClassCountAndCollapseScoresOne() {
        double[][] confident = new double[40][4], collapsed = new double[40][4];
        for (int i = 0; i < 40; i++) {
            confident[i][i % 4] = 1;
            collapsed[i][2] = 1;
        }
        InceptionScore.Result r = InceptionScore.of(Tensor.of(confident));
        assertEquals(4, r.score(), 1e-12);
        assertArrayEquals(new long[] {10, 10, 10, 10}, r.classCounts());
        InceptionScore.Result c = InceptionScore.of(Tensor.of(collapsed));
        assertEquals(1, c.score(), 1e-12);
        assertEquals("0:0 1:0 2:40 3:0", c.histogram());
    }

    @Test
    void matchesTheDefinitionOnATwoImageExample() {
        // p(y|x1) = (0.9, 0.1), p(y|x2) = (0.3, 0.7): p(y) = (0.6, 0.4)
        double kl1 = 0.9 * Math.log(0.9 / 0.6) + 0.1 * Math.log(0.1 / 0.4);
        double kl2 = 0.3 * Math.log(0.3 / 0.6) + 0.7 * Math.log(0.7 / 0.4);
        double expected = Math.exp((kl1 + kl2) / 2);
        assertEquals(expected, InceptionScore.of(Tensor.of(new double[][] {{0.9, 0.1}, {0.3, 0.7}})).score(), 1e-12);
    }

    @Test
    void logitsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InceptionScore.of(Tensor.of(new double[][] {{2.5, -1}})));
        assertEquals(true, e.getMessage().contains("softmax"), e.getMessage());
    }
}
