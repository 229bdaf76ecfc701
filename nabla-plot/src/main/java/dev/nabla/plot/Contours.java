package dev.nabla.plot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Marching squares on a regular grid, with the cell segments joined into polylines
 * (package-private; {@link ContourChart} draws them).
 *
 * <p>Grid values {@code v[j][i]} belong to the point {@code (xs[i], ys[j])}. A corner counts as
 * "above" a level when its value is strictly greater. Each crossing point is named by the grid
 * edge it lies on, so the segments of neighbouring cells join exactly. Saddle cells (two
 * opposite corners above) are resolved by the mean of the four corners. Cells with a
 * non-finite corner produce no segment, which leaves a gap in the line.
 */
final class Contours {

    private Contours() {}

    /** One crossing point and its (at most two) neighbours along the level line. */
    private static final class Node {
        final double x, y;
        int a = -1, b = -1;
        boolean seen;

        Node(double x, double y) {
            this.x = x;
            this.y = y;
        }

        void link(int other) {
            if (a < 0) a = other;
            else if (b < 0 && other != a) b = other;
        }

        int degree() {
            return (a >= 0 ? 1 : 0) + (b >= 0 ? 1 : 0);
        }
    }

    /**
     * The level line {@code f = level} as polylines; each element is {@code {xs, ys}}. A closed
     * loop repeats its first point at the end.
     */
    static List<double[][]> lines(double[] xs, double[] ys, double[][] v, double level) {
        int nx = xs.length;
        int ny = ys.length;
        Map<Integer, Node> nodes = new HashMap<>();
        for (int j = 0; j + 1 < ny; j++) {
            for (int i = 0; i + 1 < nx; i++) {
                double v00 = v[j][i], v10 = v[j][i + 1], v11 = v[j + 1][i + 1], v01 = v[j + 1][i];
                if (!(Double.isFinite(v00) && Double.isFinite(v10) && Double.isFinite(v11) && Double.isFinite(v01))) {
                    continue;
                }
                int c = (v00 > level ? 1 : 0) | (v10 > level ? 2 : 0) | (v11 > level ? 4 : 0) | (v01 > level ? 8 : 0);
                if (c == 0 || c == 15) continue;
                int bottom = 2 * (j * nx + i);
                int top = 2 * ((j + 1) * nx + i);
                int left = 2 * (j * nx + i) + 1;
                int right = 2 * (j * nx + i + 1) + 1;
                // crossing points on the crossed edges
                if ((c & 1) != ((c >> 1) & 1)) put(nodes, bottom, lerp(xs[i], xs[i + 1], v00, v10, level), ys[j]);
                if (((c >> 1) & 1) != ((c >> 2) & 1)) put(nodes, right, xs[i + 1], lerp(ys[j], ys[j + 1], v10, v11, level));
                if (((c >> 3) & 1) != ((c >> 2) & 1)) put(nodes, top, lerp(xs[i], xs[i + 1], v01, v11, level), ys[j + 1]);
                if ((c & 1) != ((c >> 3) & 1)) put(nodes, left, xs[i], lerp(ys[j], ys[j + 1], v00, v01, level));
                if (c == 5 || c == 10) {
                    boolean centerAbove = (v00 + v10 + v11 + v01) / 4 > level;
                    // cut off the two corners that are NOT connected through the centre
                    boolean cutBottomLeftAndTopRight = (c == 5) != centerAbove;
                    if (cutBottomLeftAndTopRight) {
                        join(nodes, bottom, left);
                        join(nodes, right, top);
                    } else {
                        join(nodes, bottom, right);
                        join(nodes, left, top);
                    }
                } else {
                    int[] e = new int[2];
                    int n = 0;
                    if ((c & 1) != ((c >> 1) & 1)) e[n++] = bottom;
                    if (((c >> 1) & 1) != ((c >> 2) & 1)) e[n++] = right;
                    if (((c >> 3) & 1) != ((c >> 2) & 1)) e[n++] = top;
                    if ((c & 1) != ((c >> 3) & 1)) e[n++] = left;
                    join(nodes, e[0], e[1]);
                }
            }
        }
        return chain(nodes);
    }

    private static double lerp(double p0, double p1, double a, double b, double level) {
        double t = (level - a) / (b - a);
        return p0 + t * (p1 - p0);
    }

    private static void put(Map<Integer, Node> nodes, int edge, double x, double y) {
        nodes.putIfAbsent(edge, new Node(x, y));
    }

    private static void join(Map<Integer, Node> nodes, int e1, int e2) {
        nodes.get(e1).link(e2);
        nodes.get(e2).link(e1);
    }

    /** Walks the crossing graph: open chains from their ends first, then the closed loops. */
    private static List<double[][]> chain(Map<Integer, Node> nodes) {
        List<double[][]> out = new ArrayList<>();
        Integer[] keys = nodes.keySet().toArray(new Integer[0]);
        Arrays.sort(keys); // deterministic output
        for (int pass = 0; pass < 2; pass++) {
            for (Integer start : keys) {
                Node s = nodes.get(start);
                if (s.seen || (pass == 0 && s.degree() != 1)) continue;
                List<Node> line = new ArrayList<>();
                int prev = -1;
                int cur = start;
                while (true) {
                    Node n = nodes.get(cur);
                    if (n.seen) {
                        if (cur == start) line.add(n); // closed loop: repeat the first point
                        break;
                    }
                    n.seen = true;
                    line.add(n);
                    int next = n.a != prev ? n.a : n.b;
                    if (next < 0 || (next == prev && n.degree() < 2)) break;
                    prev = cur;
                    cur = next;
                }
                if (line.size() >= 2) {
                    double[] x = new double[line.size()];
                    double[] y = new double[line.size()];
                    for (int k = 0; k < x.length; k++) {
                        x[k] = line.get(k).x;
                        y[k] = line.get(k).y;
                    }
                    out.add(new double[][] {x, y});
                }
            }
        }
        return out;
    }
}
