package dev.nabla.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The figures of one {@code bench/run}: for every protocol entry, nabla's figure, each rival's, the
 * fastest rival and how many times faster nabla is than it ("vs best": above 1, nabla is faster,
 * whether the unit is a time or a rate), and each participant's peak RSS; printed as a table and
 * written as JSON ({@code --json FILE}). With several rounds ({@code --rounds N}) each figure is
 * the median of its rounds, and "vs best" comes with its lowest and highest value over the rounds,
 * each round's nabla set against that round's fastest rival.
 */
final class Report {
    /** Whether a smaller or a larger figure is better, from its unit. */
    enum Better {
        LOWER, HIGHER;

        static Better of(String unit) {
            return switch (unit) {
                case "s", "s/epoch", "ms", "MiB" -> LOWER;
                case "GFLOP/s", "GB/s", "samples/s" -> HIGHER;
                default -> throw new IllegalArgumentException("unknown unit '" + unit + "': is more or less of it better?");
            };
        }

        boolean beats(double a, double b) {
            return this == LOWER ? a < b : a > b;
        }
    }

    /**
     * One row: a figure of nabla and of the rivals (absent rivals are missing from {@code rivals};
     * a rival refused for this protocol is in {@code refused} with the reason, never in {@code rivals}).
     */
    static final class Entry {
        final String protocol, name, unit;
        /** nabla's figure and the rivals': the median of their rounds. */
        Double nabla;
        final Map<String, Double> rivals = new LinkedHashMap<>();
        final Map<String, String> refused = new LinkedHashMap<>();
        final Map<String, Double> peakRssMiB = new LinkedHashMap<>();
        final Map<String, Double> testMse = new LinkedHashMap<>();
        final Map<String, Double> fractionOfCopy = new LinkedHashMap<>();
        /** The fraction of the cores' FMA peak, measured beside each product (nabla's gemm rows). */
        final Map<String, Double> fractionOfPeak = new LinkedHashMap<>();
        /** Each round's figures, peak RSS, test MSE and fraction of the peak, by participant. */
        final List<Map<String, Double>> figureRounds = new ArrayList<>(), rssRounds = new ArrayList<>(), mseRounds = new ArrayList<>(),
                peakRounds = new ArrayList<>();
        /** nabla's threads' cache-line round trip (ns) at the start and the end of its process, a pair per round. */
        final List<double[]> roundTripNs = new ArrayList<>();

        Entry(String protocol, String name, String unit) {
            this.protocol = protocol;
            this.name = name;
            this.unit = unit;
        }

        Better better() {
            return Better.of(unit);
        }

        /** Records a participant's figure of one round, and sets its medians over the rounds so far. */
        void record(int round, String participant, double value, double rss, Double mse, Double ofPeak) {
            Double figure = median(put(figureRounds, round, participant, value), participant);
            if (participant.equals("nabla")) nabla = figure;
            else rivals.put(participant, figure);
            peakRssMiB.put(participant, median(put(rssRounds, round, participant, rss), participant));
            if (mse != null) testMse.put(participant, median(put(mseRounds, round, participant, mse), participant));
            if (ofPeak != null) fractionOfPeak.put(participant, median(put(peakRounds, round, participant, ofPeak), participant));
        }

        private static List<Map<String, Double>> put(List<Map<String, Double>> rounds, int round, String participant, double v) {
            while (rounds.size() <= round) rounds.add(new LinkedHashMap<>());
            rounds.get(round).put(participant, v);
            return rounds;
        }

        /** The rival with the best figure, if any rival has one. */
        Optional<String> bestRival() {
            return best(rivals);
        }

        private Optional<String> best(Map<String, Double> figures) {
            String best = null;
            for (Map.Entry<String, Double> e : figures.entrySet()) {
                if (e.getKey().equals("nabla")) continue;
                if (best == null || better().beats(e.getValue(), figures.get(best))) best = e.getKey();
            }
            return Optional.ofNullable(best);
        }

        /** How many times faster nabla is than the best rival (time ratio or rate ratio); empty without both. */
        Optional<Double> speedupVsBest() {
            return speedup(nabla, bestRival().map(rivals::get).orElse(null));
        }

        private Optional<Double> speedup(Double mine, Double theirs) {
            if (mine == null || !(mine > 0) || theirs == null || !(theirs > 0)) return Optional.empty();
            return Optional.of(better() == Better.LOWER ? theirs / mine : mine / theirs);
        }

        /** Each round's "vs best" (rounds without nabla's figure or a rival's left out). */
        List<Double> speedupByRound() {
            List<Double> out = new ArrayList<>();
            for (Map<String, Double> round : figureRounds) {
                speedup(round.get("nabla"), best(round).map(round::get).orElse(null)).ifPresent(out::add);
            }
            return out;
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("unit", unit);
            m.put("better", better().name().toLowerCase(Locale.ROOT));
            m.put("nabla", nabla);
            m.put("rivals", rivals);
            m.put("best_rival", bestRival().orElse(null));
            m.put("speedup_vs_best", speedupVsBest().orElse(null));
            m.put("peak_rss_mib", peakRssMiB);
            if (!refused.isEmpty()) m.put("refused", refused);
            if (!testMse.isEmpty()) m.put("test_mse", testMse);
            if (!fractionOfCopy.isEmpty()) m.put("fraction_of_copy", fractionOfCopy);
            if (!fractionOfPeak.isEmpty()) m.put("fraction_of_peak", fractionOfPeak);
            if (!roundTripNs.isEmpty()) {
                double[] last = roundTripNs.getLast();
                m.put("nabla_thread_round_trip_ns", List.of(last[0], last[1]));
            }
            if (figureRounds.size() > 1) {
                m.put("rounds", figureRounds);
                m.put("speedup_vs_best_by_round", speedupByRound());
                m.put("peak_rss_mib_by_round", rssRounds);
                if (roundTripNs.size() > 1) m.put("nabla_thread_round_trip_ns_by_round", roundTripNs.stream().map(rt -> List.of(rt[0], rt[1])).toList());
            }
            return m;
        }
    }

    final List<Entry> entries = new ArrayList<>();
    /** The round being measured, from 0: what {@link #add} records belongs to it. */
    int round;
    /** The rivals' names as measured (torch-2.13) with their description, or the reason they were refused. */
    final Map<String, String> rivals = new LinkedHashMap<>();
    final Map<String, String> refusedRivals = new LinkedHashMap<>();
    /** The copy bandwidths (GB/s) the elementwise and reduce figures are measured against, by who measured them: the median of the rounds. */
    final Map<String, Double> copyGBps = new LinkedHashMap<>();
    private final List<Map<String, Double>> copyRounds = new ArrayList<>();
    boolean quick;

    /** The entry of that name, created at the end when new. */
    Entry entry(String protocol, String name, String unit) {
        for (Entry e : entries) {
            if (e.name.equals(name)) {
                if (!e.unit.equals(unit)) {
                    throw new IllegalArgumentException(name + " is in " + e.unit + " for one participant and in " + unit + " for another");
                }
                return e;
            }
        }
        Entry e = new Entry(protocol, name, unit);
        entries.add(e);
        return e;
    }

    /** Adds one participant's figures for a protocol and the peak RSS of its process. */
    void add(String protocol, String participant, List<Figure> figures, double peakRssMiB) {
        for (Figure f : figures) entry(protocol, f.name(), f.unit()).record(round, participant, f.value(), peakRssMiB, f.testMse(), f.ofPeak());
    }

    /** A copy bandwidth (GB/s) of this round, measured by who (java, numpy). */
    void addCopy(String who, double gbps) {
        copyGBps.put(who, median(Entry.put(copyRounds, round, who, gbps), who));
    }

    /** nabla's threads' round trip (ns) at the start and the end of the protocol's process, for its entries. */
    void roundTrip(String protocol, double start, double end) {
        for (Entry e : entries) {
            if (e.protocol.equals(protocol)) e.roundTripNs.add(new double[] {start, end});
        }
    }

    /** The median of a participant's figures over the rounds that have one (the mean of the middle two for an even count). */
    static Double median(List<Map<String, Double>> rounds, String participant) {
        double[] v = rounds.stream().map(r -> r.get(participant)).filter(x -> x != null).mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0) return null;
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** A rival refused for one protocol (named in each of its entries by {@link #finish}). */
    void refuse(String protocol, String participant, String reason) {
        refusals.computeIfAbsent(protocol, k -> new LinkedHashMap<>()).put(participant, reason);
    }

    private final Map<String, Map<String, String>> refusals = new LinkedHashMap<>();

    /** The machine's copy bandwidth: the best of the copies measured (NaN without one). */
    double copyBandwidth() {
        return copyGBps.values().stream().mapToDouble(Double::doubleValue).filter(v -> v > 0).max().orElse(Double.NaN);
    }

    /** Names the refusals in their entries and sets each GB/s figure as a fraction of the copy bandwidth (again after more figures). */
    void finish() {
        double copy = copyBandwidth();
        for (Entry e : entries) {
            e.refused.putAll(refusals.getOrDefault(e.protocol, Map.of()));
            if (!e.unit.equals("GB/s") || !(copy > 0)) continue;
            if (e.nabla != null) e.fractionOfCopy.put("nabla", e.nabla / copy);
            e.rivals.forEach((k, v) -> e.fractionOfCopy.put(k, v / copy));
        }
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Object> protocols = new ArrayList<>();
        for (Entry e : entries) protocols.add(e.toJson());
        m.put("protocols", protocols);
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("copy_gbps", copyGBps);
        machine.put("copy_gbps_best", copyBandwidth());
        m.put("machine", machine);
        m.put("rivals", rivals);
        if (!refusedRivals.isEmpty()) m.put("refused", refusedRivals);
        m.put("quick", quick);
        return m;
    }

    /** The table: one row per entry, one column per rival seen, then the best rival and "vs best". */
    void print(PrintStream out) {
        Set<String> names = new LinkedHashSet<>();
        for (Entry e : entries) names.addAll(e.rivals.keySet());
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-22s %-9s %10s", "protocol", "unit", "nabla"));
        for (String r : names) head.append(String.format(Locale.ROOT, " %11s", r));
        head.append(String.format(Locale.ROOT, " %11s %8s", "best rival", "vs best"));
        out.println(head);
        for (Entry e : entries) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-22s %-9s %10s", e.name, e.unit, fmt(e.nabla)));
            for (String r : names) row.append(String.format(Locale.ROOT, " %11s", e.refused.containsKey(r) ? "refused" : fmt(e.rivals.get(r))));
            row.append(String.format(Locale.ROOT, " %11s %8s", e.bestRival().orElse("-"),
                    e.speedupVsBest().map(x -> String.format(Locale.ROOT, "%.2fx", x)).orElse("-")));
            List<Double> byRound = e.speedupByRound();
            if (byRound.size() > 1) {
                row.append(String.format(Locale.ROOT, " (%.2f-%.2f)", Collections.min(byRound), Collections.max(byRound)));
            }
            out.println(row);
        }
        out.println("vs best: how many times faster nabla is than the fastest rival of the row (its time / nabla's, or nabla's"
                + " rate / its rate); above 1, nabla is faster.");
        int rounds = entries.stream().mapToInt(e -> e.figureRounds.size()).max().orElse(1);
        if (rounds > 1) {
            out.println("Every figure and peak RSS is the median of " + rounds + " rounds; in brackets, the lowest and highest"
                    + " \"vs best\" of a round (that round's nabla against that round's fastest rival).");
        }
        printPeakRss(out, names);
        printExtras(out);
    }

    private void printPeakRss(PrintStream out, Set<String> names) {
        out.println();
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-22s %10s", "peak RSS (MiB)", "nabla"));
        for (String r : names) head.append(String.format(Locale.ROOT, " %11s", r));
        out.println(head);
        Set<String> seen = new LinkedHashSet<>();
        for (Entry e : entries) {
            if (!seen.add(e.protocol)) continue;
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-22s %10s", e.protocol, fmtRss(e.peakRssMiB.get("nabla"))));
            for (String r : names) row.append(String.format(Locale.ROOT, " %11s", fmtRss(e.peakRssMiB.get(r))));
            out.println(row);
        }
        out.println("peak RSS: VmHWM of the participant's process, which ran that protocol alone.");
    }

    private void printExtras(PrintStream out) {
        double copy = copyBandwidth();
        for (Entry e : entries) {
            if (!e.testMse.isEmpty()) {
                out.println(e.name + " test MSE: " + join(e.testMse, Report::fmt));
            }
            if (!e.fractionOfCopy.isEmpty()) {
                out.printf(Locale.ROOT, "%s as a fraction of the copy bandwidth (%.1f GB/s, the best of %s): %s%n", e.name, copy,
                        join(copyGBps, Report::fmt), join(e.fractionOfCopy, Report::percent));
            }
        }
        List<String> ofPeak = new ArrayList<>();
        for (Entry e : entries) e.fractionOfPeak.forEach((who, v) -> ofPeak.add(e.name.replaceFirst("^gemm ", "") + " " + percent(v)));
        if (!ofPeak.isEmpty()) {
            out.println("nabla's gemm as a fraction of the FMA peak of its threads, measured before each product: " + String.join(", ", ofPeak));
        }
        printRoundTrips(out);
        refusals.forEach((p, m) -> m.forEach((r, why) -> out.println(p + ": " + r + " refused: " + why)));
        refusedRivals.forEach((r, why) -> out.println(r + " refused: " + why));
    }

    private void printRoundTrips(PrintStream out) {
        List<String> parts = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Entry e : entries) {
            if (!e.roundTripNs.isEmpty() && seen.add(e.protocol)) {
                List<String> pairs = new ArrayList<>();
                for (double[] rt : e.roundTripNs) pairs.add(String.format(Locale.ROOT, "%.0f/%.0f", rt[0], rt[1]));
                parts.add(e.protocol + " " + String.join(" ", pairs));
            }
        }
        if (parts.isEmpty()) return;
        out.println("nabla's two threads, a cache line's round trip (ns) at the start/end of each protocol's process: "
                + String.join(", ", parts) + ". About 70 ns: one L3 cache; about 330: the host placed them on two,"
                + " where the work they share (a GEMM's packed operands) is slower. The rivals' placement is not measured.");
    }

    private static String join(Map<String, Double> m, java.util.function.Function<Double, String> f) {
        List<String> parts = new ArrayList<>();
        m.forEach((k, v) -> parts.add(k + " " + f.apply(v)));
        return String.join(", ", parts);
    }

    /** A figure with 4 significant digits, in scientific notation when tiny (an MSE); "-" when absent. */
    static String fmt(Double v) {
        if (v == null || v.isNaN()) return "-";
        return Math.abs(v) < 1e-2 && v != 0 ? String.format(Locale.ROOT, "%.2e", v) : String.format(Locale.ROOT, "%.4g", v);
    }

    /** A fraction as a whole percentage: 0.5 → "50%". */
    private static String percent(double v) {
        return String.format(Locale.ROOT, "%.0f%%", 100 * v);
    }

    /** A number without trailing zeros: 50, 12.5. */
    static String plain(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private static String fmtRss(Double v) {
        return v == null || v.isNaN() ? "-" : String.format(Locale.ROOT, "%.0f", v);
    }
}
