package dev.nabla.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One figure a participant measured: "gemm n=256 threads=2" in GFLOP/s, "mlp" in s/epoch; for the
 * runge protocol also the test MSE reached (a quality check, not a speed), and for nabla's gemm
 * rows the fraction of the cores' FMA peak the products reached ({@link FmaPeak}).
 */
record Figure(String name, String unit, double value, Double testMse, Double ofPeak) {
    Figure(String name, String unit, double value) {
        this(name, unit, value, null, null);
    }

    Figure(String name, String unit, double value, Double testMse) {
        this(name, unit, value, testMse, null);
    }

    /** The object of the processes' JSON line: name, unit, value[, test_mse][, of_peak]. */
    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("unit", unit);
        m.put("value", value);
        if (testMse != null) m.put("test_mse", testMse);
        if (ofPeak != null) m.put("of_peak", ofPeak);
        return m;
    }

    static Figure fromJson(Map<?, ?> m) {
        return new Figure((String) m.get("name"), (String) m.get("unit"), ((Number) m.get("value")).doubleValue(),
                number(m.get("test_mse")), number(m.get("of_peak")));
    }

    private static Double number(Object v) {
        return v == null ? null : ((Number) v).doubleValue();
    }
}
