package dev.nabla.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import org.junit.jupiter.api.Test;

class SummaryTest {
    /** The course's Runge network: 1 → 20 tanh → 10 sigmoid → 20 tanh → 10 sigmoid → 1. */
    static Sequential runge() {
        return new Sequential(new Linear(1, 20), new Tanh(), new Linear(20, 10), new Sigmoid(), new Linear(10, 20), new Tanh(),
                new Linear(20, 10), new Sigmoid(), new Linear(10, 1));
    }

    @Test
    void rungeNetworkTable() {
        String s = runge().summary(1);
        String[] lines = s.split("\n");
        assertEquals("Model: \"Sequential\"", lines[0]);
        assertTrue(lines[2].startsWith("Layer (type)"), lines[2]);
        String[][] expected = {{"0 (Linear)", "(None, 20)", "40"}, {"1 (Tanh)", "(None, 20)", "0"},
                {"2 (Linear)", "(None, 10)", "210"}, {"3 (Sigmoid)", "(None, 10)", "0"}, {"4 (Linear)", "(None, 20)", "220"},
                {"5 (Tanh)", "(None, 20)", "0"}, {"6 (Linear)", "(None, 10)", "210"}, {"7 (Sigmoid)", "(None, 10)", "0"},
                {"8 (Linear)", "(None, 1)", "11"}};
        int row = 0;
        for (String line : lines) {
            if (row < expected.length && line.startsWith(expected[row][0] + " ")) {
                String[] cols = line.trim().split("\\s{2,}");
                assertEquals(expected[row][0], cols[0], line);
                assertEquals(expected[row][1], cols[1], line);
                assertEquals(expected[row][2], cols[2], line);
                row++;
            }
        }
        assertEquals(expected.length, row, "all rows found in\n" + s);
        assertTrue(s.contains("\nTotal params: 691\n"), s);
        assertTrue(s.contains("\nTrainable params: 691\n"), s);
        assertTrue(s.contains("\nNon-trainable params: 0\n"), s);
    }

    @Test
    void countsFrozenAndBuffersAsNonTrainableAndGroupsThousands() {
        Sequential net = new Sequential(new Linear(784, 256), new ReLU(), new Dropout(0.2), new Linear(256, 10));
        net.get(0).setTrainable(false);
        String s = net.summary(784);
        assertTrue(s.contains("Total params: 203,530"), s);
        assertTrue(s.contains("Trainable params: 2,570"), s);
        assertTrue(s.contains("Non-trainable params: 200,960"), s);

        Layer withBuffer = new Layer() {
            {
                registerParameter("w", Tensor.ones(3));
                registerBuffer("runningMean", Tensor.zeros(3));
                registerBuffer("steps", Tensor.zeros(DType.INT64, 1));
            }

            @Override
            public Tensor forward(Tensor x) {
                return x.mul(parameter("w"));
            }
        };
        String b = withBuffer.summary(3);
        assertTrue(b.contains("Layer") && b.contains("(None, 3)"), b);
        assertTrue(b.contains("Total params: 6\n") && b.contains("Non-trainable params: 3\n"), b);
    }

    @Test
    void leavesModesAndRandomStateAlone() {
        Generator g = new Generator(5);
        Sequential net = new Sequential(new Linear(4, 8), new Dropout(0.5, g), new Sequential(new Flatten(), new Dropout(0.1)));
        net.get(2).eval();
        net.summary(4);
        assertTrue(net.isTraining());
        assertTrue(net.get(1).isTraining());
        assertFalse(net.get(2).isTraining());
        assertFalse(((Sequential) net.get(2)).get(0).isTraining());
        Generator fresh = new Generator(5);
        assertEquals(fresh.nextLong(), g.nextLong()); // dropout drew nothing during the summary
    }

    @Test
    void multiDimOutputsAndErrors() {
        Sequential net = new Sequential(new Flatten(), new Linear(12, 5));
        String s = net.summary(3, 4);
        assertTrue(s.contains("(None, 12)") && s.contains("(None, 5)"), s);
        var e = assertThrows(IllegalArgumentException.class, () -> new Sequential(new Linear(1, 20), new Tanh(), new Linear(10, 1)).summary(1));
        assertTrue(e.getMessage().startsWith("summary: layer 2 (Linear) fails on an input of shape (None, 20)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> net.summary(0));
    }
}
