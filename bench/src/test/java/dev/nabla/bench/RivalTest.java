package dev.nabla.bench;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RivalTest {
    private static Map<String, Object> check(boolean mkl, double gflops) {
        return Map.of("ok", true, "name", "torch-2.13", "version", "2.13.0+cpu", "mkl", mkl, "check_gemm_1024_1thread", gflops,
                "python", "/opt/venv/bin/python", "blas", List.of("/x/libmkl_rt.so"));
    }

    @Test
    void aHealthyRivalIsAccepted() {
        assertNull(Rival.refusal(check(true, 92), true));
        assertNull(Rival.refusal(check(false, 92), false));
        assertTrue(Rival.describe(check(true, 92)).contains("libmkl_rt.so"));
    }

    @Test
    void aRivalIsRefusedWithTheReason() {
        assertTrue(Rival.refusal(Map.of("ok", false, "reason", "cannot import it: No module named 'jax'"), false)
                .contains("No module named 'jax'"));
        assertTrue(Rival.refusal(check(false, 92), true).contains("without MKL"));
        String slow = Rival.refusal(check(true, 3.5), true);
        assertTrue(slow.contains("3.5 GFLOP/s, below 50"), slow);
        assertTrue(Rival.refusal(Map.of("ok", true), false).contains("NaN"), "a check without the gemm figure is refused");
    }

    @Test
    void aProtocolRunOnOtherThanTwoThreadsIsRefused() {
        assertNull(Rival.refusalOfRun(Map.of("ok", true, "threads", 2.0, "cpus", 2.0)));
        assertTrue(Rival.refusalOfRun(Map.of("ok", true, "threads", 2.0, "cpus", 8.0)).contains("cpus = 8.0, not 2"));
        assertTrue(Rival.refusalOfRun(Map.of("ok", true, "threads", 1.0)).contains("threads = 1.0, not 2"));
    }
}
