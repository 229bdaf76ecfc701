package dev.nabla.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {
    /** The issue's example: mlp in s/epoch, JAX the fastest rival, nabla 0.75x of it. */
    @Test
    void lowerIsBetterTakesTheSmallestTimeAndDividesItByNablas() {
        Report r = new Report();
        r.add("mlp", "torch-2.13", List.of(new Figure("mlp", "s/epoch", 1.19)), 582);
        r.add("mlp", "torch-1.13", List.of(new Figure("mlp", "s/epoch", 1.66)), 590);
        r.add("mlp", "jax-0.10", List.of(new Figure("mlp", "s/epoch", 0.825)), 634);
        r.add("mlp", "nabla", List.of(new Figure("mlp", "s/epoch", 1.1)), 870);
        Report.Entry e = r.entries.getFirst();
        assertEquals(Report.Better.LOWER, e.better());
        assertEquals("jax-0.10", e.bestRival().orElseThrow());
        assertEquals(0.75, e.speedupVsBest().orElseThrow(), 1e-12);
    }

    @Test
    void higherIsBetterTakesTheLargestRateAndDividesNablasByIt() {
        Report r = new Report();
        r.add("gemm", "nabla", List.of(new Figure("gemm n=256 threads=2", "GFLOP/s", 90)), 100);
        r.add("gemm", "torch-2.13", List.of(new Figure("gemm n=256 threads=2", "GFLOP/s", 162)), 300);
        r.add("gemm", "torch-1.13", List.of(new Figure("gemm n=256 threads=2", "GFLOP/s", 180)), 300);
        Report.Entry e = r.entries.getFirst();
        assertEquals("torch-1.13", e.bestRival().orElseThrow());
        assertEquals(0.5, e.speedupVsBest().orElseThrow(), 1e-12);
        assertEquals(Map.of("nabla", 100.0, "torch-2.13", 300.0, "torch-1.13", 300.0), e.peakRssMiB);
    }

    @Test
    void aMissingRivalIsLeftOutAndWithoutAnyThereIsNoRatio() {
        Report r = new Report();
        r.add("gemm", "nabla", List.of(new Figure("gemm n=256 threads=1", "GFLOP/s", 95),
                new Figure("gemm n=256 threads=2", "GFLOP/s", 90)), 100);
        // JAX has no 1-thread figure: only the 2-thread row gets it
        r.add("gemm", "jax-0.10", List.of(new Figure("gemm n=256 threads=2", "GFLOP/s", 45)), 200);
        r.finish();
        Report.Entry one = r.entries.get(0), two = r.entries.get(1);
        assertTrue(one.rivals.isEmpty());
        assertTrue(one.bestRival().isEmpty());
        assertTrue(one.speedupVsBest().isEmpty());
        assertEquals(2.0, two.speedupVsBest().orElseThrow(), 1e-12);
        Map<String, Object> json = one.toJson();
        assertTrue(json.containsKey("best_rival"));
        assertNull(json.get("best_rival"));
        assertNull(json.get("speedup_vs_best"));
    }

    @Test
    void aRefusedRivalNeverCountsAndIsNamedInItsProtocolsEntries() {
        Report r = new Report();
        r.add("runge", "nabla", List.of(new Figure("runge lr=0.01", "s", 0.16, 7.1e-6)), 300);
        r.add("runge", "torch-2.13", List.of(new Figure("runge lr=0.01", "s", 1.22, 6.6e-6)), 400);
        r.refuse("runge", "jax-0.10", "ran with cpus = 4, not 2");
        r.refusedRivals.put("torch1", "/usr/bin/python3 not found");
        r.finish();
        Report.Entry e = r.entries.getFirst();
        assertEquals("torch-2.13", e.bestRival().orElseThrow());
        assertFalse(e.rivals.containsKey("jax-0.10"));
        assertEquals(Map.of("jax-0.10", "ran with cpus = 4, not 2"), e.refused);
        assertEquals(Map.of("nabla", 7.1e-6, "torch-2.13", 6.6e-6), e.testMse);
        assertPrints(r, "runge: jax-0.10 refused: ran with cpus = 4, not 2", "torch1 refused: /usr/bin/python3 not found", "7.63x");
    }

    @Test
    void nablaMissingGivesNoRatio() {
        Report r = new Report();
        r.add("vgg16", "torch-2.13", List.of(new Figure("vgg16", "s", 1.34)), 1803);
        Report.Entry e = r.entries.getFirst();
        assertEquals("torch-2.13", e.bestRival().orElseThrow());
        assertTrue(e.speedupVsBest().isEmpty());
    }

    @Test
    void bandwidthFiguresAreAlsoFractionsOfTheBestCopy() {
        Report r = new Report();
        r.addCopy("java", 20.0);
        r.addCopy("numpy", 25.0);
        r.add("elementwise", "nabla", List.of(new Figure("elementwise", "GB/s", 5)), 400);
        r.add("elementwise", "jax-0.10", List.of(new Figure("elementwise", "GB/s", 20)), 300);
        r.finish();
        assertEquals(Map.of("nabla", 0.2, "jax-0.10", 0.8), r.entries.getFirst().fractionOfCopy);
    }

    @Test
    void gemmRowsCarryTheirFractionOfThePeakMedianOverRoundsThroughTheProcessJson() {
        Report r = new Report();
        double[] ofPeak = {0.9, 0.5, 0.8};
        for (int round = 0; round < ofPeak.length; round++) {
            r.round = round;
            Figure f = new Figure("gemm n=256 threads=2", "GFLOP/s", 150, null, ofPeak[round]);
            r.add("gemm", "nabla", List.of(Figure.fromJson(f.toJson())), 400);
            r.add("gemm", "torch-2.13", List.of(new Figure("gemm n=256 threads=2", "GFLOP/s", 160)), 300);
        }
        r.finish();
        Map<String, Object> json = r.entries.getFirst().toJson();
        assertEquals(Map.of("nabla", 0.8), json.get("fraction_of_peak"));
        assertPrints(r, "nabla's gemm as a fraction of the FMA peak of its threads, measured before each product: n=256 threads=2 80%");
        Report plain = new Report();
        plain.add("mlp", "nabla", List.of(new Figure("mlp", "s/epoch", 0.7)), 580);
        plain.finish();
        assertFalse(plain.entries.getFirst().toJson().containsKey("fraction_of_peak"));
    }

    @Test
    void nablasThreadRoundTripGoesToEachEntryOfItsProtocolAndIntoTheTable() {
        Report r = new Report();
        r.add("gemm", "nabla", List.of(new Figure("gemm n=256", "GFLOP/s", 180), new Figure("gemm n=512", "GFLOP/s", 190)), 500);
        r.add("mlp", "nabla", List.of(new Figure("mlp", "s/epoch", 0.7)), 580);
        r.roundTrip("gemm", 68, 331);
        r.finish();
        for (Report.Entry e : r.entries) {
            Map<String, Object> json = e.toJson();
            if (e.protocol.equals("gemm")) assertEquals(List.of(68.0, 331.0), json.get("nabla_thread_round_trip_ns"));
            else assertFalse(json.containsKey("nabla_thread_round_trip_ns"));
        }
        String table = assertPrints(r, "round trip (ns) at the start/end of each protocol's process: gemm 68/331.");
        assertFalse(table.contains("mlp 0/0"), table);
    }

    @Test
    void theUnitDecidesWhichWayIsBetterAndAnUnknownUnitIsAnError() {
        assertEquals(Report.Better.LOWER, Report.Better.of("s"));
        assertEquals(Report.Better.HIGHER, Report.Better.of("samples/s"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Report.Better.of("furlongs"));
        assertTrue(e.getMessage().contains("furlongs"));
        Report r = new Report();
        r.add("mlp", "nabla", List.of(new Figure("mlp", "s/epoch", 1)), 1);
        assertThrows(IllegalArgumentException.class, () -> r.add("mlp", "jax-0.10", List.of(new Figure("mlp", "samples/s", 1)), 1));
    }

    /** The JSON of the issue's shape, read back. */
    @Test
    void theJsonHasTheIssuesShape() {
        Report r = new Report();
        r.add("mlp", "torch-2.13", List.of(new Figure("mlp", "s/epoch", 1.19)), 582);
        r.add("mlp", "jax-0.10", List.of(new Figure("mlp", "s/epoch", 0.825)), 634);
        r.add("mlp", "nabla", List.of(new Figure("mlp", "s/epoch", 1.1)), 870.5);
        r.finish();
        Map<?, ?> back = (Map<?, ?>) Json.parse(Json.write(r.toJson()));
        Map<?, ?> mlp = (Map<?, ?>) ((List<?>) back.get("protocols")).getFirst();
        assertEquals(List.of("name", "unit", "better", "nabla", "rivals", "best_rival", "speedup_vs_best", "peak_rss_mib"),
                List.copyOf(mlp.keySet()));
        assertEquals("mlp", mlp.get("name"));
        assertEquals("s/epoch", mlp.get("unit"));
        assertEquals("lower", mlp.get("better"));
        assertEquals(1.1, mlp.get("nabla"));
        assertEquals(Map.of("torch-2.13", 1.19, "jax-0.10", 0.825), mlp.get("rivals"));
        assertEquals("jax-0.10", mlp.get("best_rival"));
        assertEquals(0.75, (Double) mlp.get("speedup_vs_best"), 1e-12);
        assertEquals(Map.of("torch-2.13", 582.0, "jax-0.10", 634.0, "nabla", 870.5), mlp.get("peak_rss_mib"));
    }

    /** bench/run --rounds 3: medians of each participant's rounds, and the spread of the rounds' own ratios. */
    @Test
    void roundsGiveMediansAndTheSpreadOfEachRoundsRatio() {
        Report r = new Report();
        double[][] times = {{1.0, 1.1, 2.0}, {1.2, 1.0, 2.0}, {0.9, 1.3, 2.0}}; // nabla, jax, torch per round
        for (int round = 0; round < 3; round++) {
            r.round = round;
            r.addCopy("java", 30 + round);
            r.add("runge", "jax-0.10", List.of(new Figure("runge lr=0.01", "s", times[round][1])), 300 + round);
            if (round != 1) r.add("runge", "torch-2.13", List.of(new Figure("runge lr=0.01", "s", times[round][2])), 400);
            r.add("runge", "nabla", List.of(new Figure("runge lr=0.01", "s", times[round][0])), 500 - 10 * round);
            r.roundTrip("runge", 70, 80 + round);
            r.finish();
        }
        Report.Entry e = r.entries.getFirst();
        assertEquals(1.0, e.nabla);
        assertEquals(Map.of("jax-0.10", 1.1, "torch-2.13", 2.0), e.rivals); // torch's median of its two rounds
        assertEquals(1.1, e.speedupVsBest().orElseThrow(), 1e-12);
        List<Double> byRound = e.speedupByRound();
        assertEquals(3, byRound.size());
        assertEquals(1.1, byRound.get(0), 1e-12);
        assertEquals(1.0 / 1.2, byRound.get(1), 1e-12);
        assertEquals(1.3 / 0.9, byRound.get(2), 1e-12);
        assertEquals(Map.of("nabla", 490.0, "jax-0.10", 301.0, "torch-2.13", 400.0), e.peakRssMiB);
        assertEquals(31.0, r.copyGBps.get("java"));
        Map<String, Object> json = e.toJson();
        assertEquals(3, ((List<?>) json.get("rounds")).size());
        assertEquals(byRound, json.get("speedup_vs_best_by_round"));
        assertEquals(List.of(70.0, 82.0), json.get("nabla_thread_round_trip_ns"));
        assertPrints(r, "1.10x (0.83-1.44)", "the median of 3 rounds", "runge 70/80 70/81 70/82");
    }

    @Test
    void anEvenNumberOfRoundsTakesTheMeanOfTheMiddleTwo() {
        Report r = new Report();
        for (int round = 0; round < 2; round++) {
            r.round = round;
            r.add("mlp", "nabla", List.of(new Figure("mlp", "s/epoch", round == 0 ? 0.7 : 0.8)), 600);
        }
        assertEquals(0.75, r.entries.getFirst().nabla, 1e-12);
        assertEquals(List.of(), r.entries.getFirst().toJson().get("speedup_vs_best_by_round")); // no rival: no ratio
    }

    /** Checks that the printed table contains each of the parts, and returns it. */
    private static String assertPrints(Report r, String... parts) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        r.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String table = bytes.toString(StandardCharsets.UTF_8);
        for (String part : parts) assertTrue(table.contains(part), table);
        return table;
    }
}
