package dev.nabla.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One figure a participant measured: "gemm n=256 threads=2" in GFLOP/s, "mlp" in s/epoch, and for
 * the runge protocol also the test MSE reached (a quality check, not a speed).
 */
record Figure(String name, String unit, double value, Double testMse) {
    Figure(String name, String unit, double value) {
        this(name, unit, value, null);
    }

    /** The object of the processes' JSON line: name, unit, value[, test_mse]. */
    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("unit", unit);
        m.put("value", value);
        if (testMse != null) m.put("test_mse", testMse);
        return m;
    }

    static Figure fromJson(Map<?, ?> m) {
        Object mse = m.get("test_mse");
        return new Figure((String) m.get("name"), (String) m.get("unit"), ((Number) m.get("value")).doubleValue(),
                mse == null ? null : ((Number) mse).doubleValue());
    }
}
