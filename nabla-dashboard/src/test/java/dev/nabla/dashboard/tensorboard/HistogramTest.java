package dev.nabla.dashboard.tensorboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@link Histogram#of} against NumPy's np.histogram (fixtures of scripts/tensorboard_fixtures.py). */
class HistogramTest {
    // histogram.json is a list of {"values": [...], "bins": n, "limits": [...], "counts": [...]}; read without a JSON library
    private static final Pattern CASE = Pattern.compile(
            "\\{\"values\": \\[([^\\]]*)\\], \"bins\": (\\d+), \"limits\": \\[([^\\]]*)\\], \"counts\": \\[([^\\]]*)\\]\\}");

    private static double[] numbers(String list) {
        String[] parts = list.split(", ");
        double[] v = new double[parts.length];
        for (int i = 0; i < v.length; i++) v[i] = Double.parseDouble(parts[i]);
        return v;
    }

    @Test
    void binsAsNumpyDoes() throws IOException {
        String json;
        try (InputStream in = HistogramTest.class.getResourceAsStream("/tensorboard/histogram.json")) {
            json = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        Matcher m = CASE.matcher(json);
        List<String> seen = new ArrayList<>();
        while (m.find()) {
            double[] values = numbers(m.group(1));
            Histogram h = Histogram.of(values, Integer.parseInt(m.group(2)));
            assertArrayEquals(numbers(m.group(3)), h.bucketLimits(), "limits of case " + seen.size());
            assertArrayEquals(numbers(m.group(4)), h.bucketCounts(), "counts of case " + seen.size());
            assertEquals(values.length, h.num());
            seen.add(m.group(2));
        }
        assertEquals(4, seen.size(), "cases read from histogram.json");
    }

    @Test
    void refusesNonFiniteValues() {
        var e = assertThrows(IllegalArgumentException.class, () -> Histogram.of(new double[] {1, Double.NaN}, 3));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
    }
}
