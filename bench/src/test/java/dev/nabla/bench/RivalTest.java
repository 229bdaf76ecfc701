package dev.nabla.bench;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RivalTest {
    private static Map<String, Object> check(boolean mkl, double gflops) {
        return Map.of("ok", true, "name", "torch-2.13", "version", "2.13.0+cpu", "mkl", mkl, "check_gemm_1024_1thread", gflops,
                "python", "/opt/venv/bin/python", "blas", List.of("/x/libmkl_rt.so"));
    }

    private static final Rival WHEEL = new Rival("torch2", "/opt/venv/bin/python", Path.of("rival_torch.py"), Map.of(), true, "the wheel?");
    private static final Rival DEBIAN = new Rival("torch1", "/usr/bin/python3", Path.of("rival_torch.py"), Map.of(), false, "OpenBLAS?");

    @Test
    void aHealthyRivalIsAccepted() {
        assertNull(WHEEL.refusal(check(true, 92), Rival.MIN_GFLOPS));
        assertNull(DEBIAN.refusal(check(false, 92), Rival.MIN_GFLOPS));
        assertTrue(Rival.describe(check(true, 92)).contains("libmkl_rt.so"));
    }

    @Test
    void aRivalIsRefusedWithTheReason() {
        assertTrue(DEBIAN.refusal(Map.of("ok", false, "reason", "cannot import it: No module named 'jax'"), Rival.MIN_GFLOPS)
                .contains("No module named 'jax'"));
        assertTrue(WHEEL.refusal(check(false, 92), Rival.MIN_GFLOPS).contains("without MKL"));
        String slow = DEBIAN.refusal(check(false, 3.5), Rival.MIN_GFLOPS);
        assertTrue(slow.contains("3.5 GFLOP/s, below 50") && slow.contains("OpenBLAS?"), slow);
        assertNull(DEBIAN.refusal(check(false, 3.5), 2), "a lower bar (--min-gflops) for a loaded machine");
        assertTrue(DEBIAN.refusal(Map.of("ok", true), Rival.MIN_GFLOPS).contains("NaN"), "a check without the gemm figure is refused");
    }

    @Test
    void aProtocolRunOnOtherThanTwoThreadsIsRefused() {
        assertNull(Rival.refusalOfRun(Map.of("ok", true, "threads", 2.0, "cpus", 2.0)));
        assertTrue(Rival.refusalOfRun(Map.of("ok", true, "threads", 2.0, "cpus", 8.0)).contains("cpus = 8.0, not 2"));
        assertTrue(Rival.refusalOfRun(Map.of("ok", true, "threads", 1.0)).contains("threads = 1.0, not 2"));
    }
}
