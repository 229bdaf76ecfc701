package dev.nabla.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void writesValuesThatReadBackEqual() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "gemm n=256 \"quoted\" \\ tab\t newline\n é");
        m.put("int", 3);
        m.put("double", 0.1);
        m.put("whole", 870.0);
        m.put("tiny", 6.6e-6);
        m.put("flag", true);
        m.put("none", null);
        m.put("list", List.of(1.5, "x", List.of()));
        m.put("empty", Map.of());
        Object back = Json.parse(Json.write(m));
        Map<String, Object> expected = new LinkedHashMap<>(m);
        expected.put("list", List.of(1.5, "x", List.of()));
        assertEquals(expected, back);
        assertEquals(List.copyOf(m.keySet()), List.copyOf(((Map<?, ?>) back).keySet()), "keys keep their order");
    }

    @Test
    void nanAndInfinityBecomeNullAsJsonHasNoSuchNumbers() {
        List<Object> v = Arrays.asList(Double.NaN, Double.POSITIVE_INFINITY, 1.0f, Float.NaN);
        assertEquals(Arrays.asList(null, null, 1.0, null), Json.parse(Json.write(v)));
    }

    @Test
    void controlCharactersAreEscaped() {
        String w = Json.write("a\u0001b");
        assertEquals("\"a\\u0001b\"", w);
        assertEquals("a\u0001b", Json.parse(w));
    }

    @Test
    void readsPythonsJsonDumpsIncludingNaN() {
        Object v = Json.parse("{\"ok\": true, \"peak_rss_mib\": NaN, \"figures\": [{\"name\": \"mlp\", \"value\": 1.2e0}]}");
        Map<?, ?> m = (Map<?, ?>) v;
        assertTrue(((Double) m.get("peak_rss_mib")).isNaN());
        assertEquals(1.2, ((Map<?, ?>) ((List<?>) m.get("figures")).getFirst()).get("value"));
    }

    @Test
    void badInputIsAnErrorNamingWhere() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": 1,}"));
        assertTrue(e.getMessage().contains("at "), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{} trailing"));
        assertThrows(IllegalArgumentException.class, () -> Json.write(new ArrayList<>(List.of(new Object()))));
    }
}
