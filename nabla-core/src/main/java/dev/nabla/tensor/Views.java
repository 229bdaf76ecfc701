package dev.nabla.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The movement ops: views (reshape when possible, permute, slice, expand; the rest composed of
 * them), copies, and joining and splitting; their derivatives are in {@link Derivatives}.
 */
final class Views {
    private Views() {}

    /** The attributes of slice and of its adjoint: every step-th element from start along dim. */
    record Slicing(int dim, int start, int step) {}

    /** The attributes of cat: the dim, and where each input starts along it. */
    record Joined(int dim, int[] starts) {}

    /**
     * Strides that view this tensor's memory as newShape, or null if a copy is needed: each
     * chunk of old dims that is contiguous among itself must split into whole new dims (the
     * algorithm of PyTorch's computeStride).
     */
    static int[] viewStrides(Tensor x, int[] newShape) {
        int[] out = new int[newShape.length];
        if (x.numel() == 0 || x.shape.length == 0) return Shape.contiguousStrides(newShape);
        // the new dims are taken from the right by a count: a decreasing index of them (while
        // viewD >= 0 && ...) made C2 trap (loop_limit_check) in the code it compiled around this,
        // LinearOp's backward among it, and compile that again
        int taken = 0, r = newShape.length;
        long chunkBase = x.strides[x.shape.length - 1], tensorNumel = 1, viewNumel = 1;
        for (int d = x.shape.length - 1; d >= 0; d--) {
            tensorNumel *= x.shape[d];
            boolean chunkEnds = d == 0 || (x.shape[d - 1] != 1 && x.strides[d - 1] != tensorNumel * chunkBase);
            if (!chunkEnds) continue;
            while (taken < r) {
                int viewD = r - 1 - taken;
                if (viewNumel >= tensorNumel && newShape[viewD] != 1) break;
                out[viewD] = (int) (viewNumel * chunkBase);
                viewNumel *= newShape[viewD];
                taken++;
            }
            if (viewNumel != tensorNumel) return null;
            if (d > 0) {
                chunkBase = x.strides[d - 1];
                tensorNumel = 1;
                viewNumel = 1;
            }
        }
        return taken == r ? out : null;
    }

    static int[] inferShape(Tensor x, String op, int[] newShape) {
        int[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException(op + ": only one dim can be -1 in " + Arrays.toString(newShape));
                infer = i;
            } else if (s[i] < 0) {
                throw new IllegalArgumentException(op + ": invalid size " + s[i] + " in " + Arrays.toString(newShape));
            } else {
                known *= s[i];
            }
        }
        int n = x.numel();
        if (infer >= 0) {
            if (known == 0 || n % known != 0) {
                throw new IllegalArgumentException(op + ": cannot reshape " + Shape.str(x.shape) + " (" + n
                        + " elements) into " + Arrays.toString(newShape));
            }
            s[infer] = (int) (n / known);
        } else if (known != n) {
            throw new IllegalArgumentException(op + ": cannot reshape " + Shape.str(x.shape) + " (" + n
                    + " elements) into " + Arrays.toString(newShape) + " (" + known + " elements)");
        }
        return s;
    }

    static Tensor reshape(Tensor x, int... newShape) {
        int[] s = inferShape(x, "reshape", newShape);
        if (Arrays.equals(s, x.shape)) return x;
        int[] st = viewStrides(x, s);
        Tensor out = st != null ? x.viewOf(s, st, x.offset) : x.contiguousRaw().viewOf(s, Shape.contiguousStrides(s), 0);
        return Node.record(Op.RESHAPE, out, null, x);
    }

    static Tensor view(Tensor x, int... newShape) {
        int[] s = inferShape(x, "view", newShape);
        if (viewStrides(x, s) == null) {
            throw new IllegalStateException("view: " + Shape.str(x.shape) + " with strides " + Arrays.toString(x.strides)
                    + " cannot be viewed as " + Shape.str(s) + " without copying; use reshape() or contiguous() first");
        }
        return x.reshape(s);
    }

    static Tensor flatten(Tensor x, int start, int end) {
        int r = x.shape.length;
        if (r == 0) return x.reshape(1);
        int s = Shape.dim("flatten", start, r), e = Shape.dim("flatten", end, r);
        if (s > e) throw new IllegalArgumentException("flatten: start dim " + start + " after end dim " + end);
        int[] ns = new int[r - (e - s)];
        int j = 0;
        for (int d = 0; d < s; d++) ns[j++] = x.shape[d];
        int m = 1;
        for (int d = s; d <= e; d++) m *= x.shape[d];
        ns[j++] = m;
        for (int d = e + 1; d < r; d++) ns[j++] = x.shape[d];
        return x.reshape(ns);
    }

    static Tensor permute(Tensor x, int... order) {
        Tensor out = permuteRaw(x, checkPermutation(x, order));
        int[] inverse = new int[order.length];
        for (int i = 0; i < order.length; i++) inverse[Shape.dim("permute", order[i], x.shape.length)] = i;
        return Node.record(Op.PERMUTE, out, inverse, x);
    }

    static int[] checkPermutation(Tensor x, int[] order) {
        if (order.length != x.shape.length) {
            throw new IllegalArgumentException("permute: " + order.length + " dims given for a tensor of rank "
                    + x.shape.length + " (" + Arrays.toString(order) + ")");
        }
        int[] p = new int[order.length];
        boolean[] seen = new boolean[order.length];
        for (int i = 0; i < order.length; i++) {
            p[i] = Shape.dim("permute", order[i], x.shape.length);
            if (seen[p[i]]) throw new IllegalArgumentException("permute: dim " + order[i] + " repeated in " + Arrays.toString(order));
            seen[p[i]] = true;
        }
        return p;
    }

    static Tensor transpose(Tensor x, int d0, int d1) {
        int r = x.shape.length;
        int[] order = new int[r];
        for (int i = 0; i < r; i++) order[i] = i;
        int a = Shape.dim("transpose", d0, r), b = Shape.dim("transpose", d1, r);
        order[a] = b;
        order[b] = a;
        return x.permute(order);
    }

    static Tensor t(Tensor x) {
        if (x.shape.length > 2) {
            throw new IllegalArgumentException("t: expects a tensor of rank <= 2, got " + Shape.str(x.shape) + "; use transpose(d0, d1) or mT()");
        }
        return x.shape.length < 2 ? x : x.transpose(0, 1);
    }

    static Tensor mT(Tensor x) {
        if (x.shape.length < 2) throw new IllegalArgumentException("mT: needs rank >= 2, got " + Shape.str(x.shape));
        return x.transpose(-2, -1);
    }

    static Tensor slice(Tensor x, int dim, int start, int end, int step) {
        int d = Shape.dim("slice", dim, x.shape.length);
        if (step <= 0) throw new IllegalArgumentException("slice: step " + step + " must be positive");
        int n = x.shape[d];
        int s = Math.min(Math.max(start < 0 ? start + n : start, 0), n);
        int e = Math.min(Math.max(end < 0 ? end + n : end, s), n);
        int len = (e - s + step - 1) / step;
        int[] ns = x.shape.clone(), st = x.strides.clone();
        ns[d] = len;
        st[d] = x.strides[d] * step;
        Tensor out = x.viewOf(ns, st, x.offset + s * x.strides[d]);
        return Node.record(Op.SLICE, out, new Slicing(d, s, step), x);
    }

    // The gradient of a slice: g placed into zeros of the input's shape; its own gradient is the slice.
    static Tensor sliceBackward(Tensor g, int[] inShape, Slicing sl) {
        Tensor out = Tensor.empty(g.dtype(), inShape);
        Compute.copy(g, out.sliceRaw(sl.dim(), sl.start(), sl.step(), g.shape[sl.dim()]));
        return Node.record(Op.SLICE_BACKWARD, out, sl, g);
    }

    static Tensor narrow(Tensor x, int dim, int start, int length) {
        int d = Shape.dim("narrow", dim, x.shape.length);
        if (start < 0 || length < 0 || start + length > x.shape[d]) {
            throw new IndexOutOfBoundsException("narrow: start " + start + " length " + length
                    + " does not fit dim " + dim + " of size " + x.shape[d] + " in " + Shape.str(x.shape));
        }
        return x.slice(d, start, start + length, 1);
    }

    static Tensor select(Tensor x, int dim, int index) {
        int d = Shape.dim("select", dim, x.shape.length);
        int i = index < 0 ? index + x.shape[d] : index;
        if (i < 0 || i >= x.shape[d]) {
            throw new IndexOutOfBoundsException("select: index " + index + " out of range for dim " + dim
                    + " of size " + x.shape[d]);
        }
        return x.slice(d, i, i + 1, 1).squeeze(d);
    }

    static Tensor squeeze(Tensor x) {
        int[] s = Arrays.stream(x.shape).filter(n -> n != 1).toArray();
        return x.reshape(s);
    }

    static Tensor squeeze(Tensor x, int dim) {
        if (x.shape.length == 0) return x;
        int d = Shape.dim("squeeze", dim, x.shape.length);
        if (x.shape[d] != 1) return x;
        int[] s = new int[x.shape.length - 1];
        for (int i = 0, j = 0; i < x.shape.length; i++) if (i != d) s[j++] = x.shape[i];
        return x.reshape(s);
    }

    static Tensor unsqueeze(Tensor x, int dim) {
        int d = Shape.dim("unsqueeze", dim, x.shape.length + 1);
        int[] s = new int[x.shape.length + 1];
        for (int i = 0, j = 0; i < s.length; i++) s[i] = i == d ? 1 : x.shape[j++];
        return x.reshape(s);
    }

    static Tensor expand(Tensor x, int... newShape) {
        if (newShape.length < x.shape.length) {
            throw new IllegalArgumentException("expand: " + Shape.str(x.shape) + " to " + Arrays.toString(newShape)
                    + ": the target must have at least as many dims");
        }
        int lead = newShape.length - x.shape.length;
        int[] s = newShape.clone(), st = new int[newShape.length];
        for (int d = 0; d < newShape.length; d++) {
            int od = d - lead;
            if (od < 0) {
                if (s[d] < 0) throw new IllegalArgumentException("expand: -1 is not allowed for the new leading dim " + d);
                st[d] = 0;
            } else {
                if (s[d] == -1) s[d] = x.shape[od];
                if (x.shape[od] == s[d]) st[d] = x.strides[od];
                else if (x.shape[od] == 1) st[d] = 0;
                else {
                    throw new IllegalArgumentException("expand: " + Shape.str(x.shape) + " to " + Arrays.toString(newShape)
                            + ": dim " + od + " has size " + x.shape[od] + "; only size-1 dims can be expanded");
                }
            }
        }
        if (Arrays.equals(s, x.shape)) return x;
        Tensor out = x.viewOf(s, st, x.offset);
        return Node.record(Op.EXPAND, out, null, x);
    }

    static Tensor contiguous(Tensor x) {
        if (x.isContiguous()) return x;
        return Node.record(Op.CONTIGUOUS, x.contiguousRaw(), null, x);
    }

    static Tensor copy(Tensor x) {
        Tensor out = Tensor.uninitialized(x.dtype(), x.shape);
        Compute.copy(x, out);
        if (!x.dtype().isFloating()) return out;
        return Node.record(Op.COPY, out, null, x);
    }

    static Tensor cat(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("cat: needs at least one tensor");
        Tensor first = tensors.get(0);
        int d = Shape.dim("cat", dim, first.shape.length);
        DType dt = first.dtype();
        int total = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            if (t.dtype() != dt && t.dtype().isFloating() && dt.isFloating()) dt = DType.FLOAT64;
            else if (t.dtype() != dt) throw new IllegalArgumentException("cat: tensor " + i + " is " + t.dtype() + ", tensor 0 is " + first.dtype());
            boolean ok = t.shape.length == first.shape.length;
            for (int k = 0; ok && k < t.shape.length; k++) ok = k == d || t.shape[k] == first.shape[k];
            if (!ok) {
                throw new IllegalArgumentException("cat: tensor " + i + " has shape " + Shape.str(t.shape)
                        + ", tensor 0 has " + Shape.str(first.shape) + "; all dims but dim " + dim + " must match");
            }
            total += t.shape[d];
        }
        int[] s = first.shape.clone();
        s[d] = total;
        Tensor out = Tensor.empty(dt, s);
        Tensor[] inputs = new Tensor[tensors.size()];
        int[] starts = new int[inputs.length];
        for (int i = 0, off = 0; i < inputs.length; i++) {
            Tensor t = tensors.get(i).toType(dt);
            starts[i] = off;
            Compute.copy(t, out.sliceRaw(d, off, 1, t.shape[d]));
            inputs[i] = t;
            off += t.shape[d];
        }
        return dt.isFloating() ? Node.record(Op.CAT, out, new Joined(d, starts), inputs) : out;
    }

    static Tensor stack(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("stack: needs at least one tensor");
        int d = Shape.dim("stack", dim, tensors.get(0).shape.length + 1);
        List<Tensor> parts = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            if (!Arrays.equals(tensors.get(i).shape, tensors.get(0).shape)) {
                throw new IllegalArgumentException("stack: tensor " + i + " has shape " + Shape.str(tensors.get(i).shape)
                        + ", tensor 0 has " + Shape.str(tensors.get(0).shape) + "; all must be equal");
            }
            parts.add(tensors.get(i).unsqueeze(d));
        }
        return cat(parts, d);
    }

    static List<Tensor> split(Tensor x, int size, int dim) {
        int d = Shape.dim("split", dim, x.shape.length);
        if (size <= 0) throw new IllegalArgumentException("split: size " + size + " must be positive");
        List<Tensor> out = new ArrayList<>();
        for (int s = 0; s < x.shape[d]; s += size) out.add(x.narrow(d, s, Math.min(size, x.shape[d] - s)));
        return out;
    }

    static List<Tensor> split(Tensor x, int[] sizes, int dim) {
        int d = Shape.dim("split", dim, x.shape.length);
        if (Arrays.stream(sizes).sum() != x.shape[d]) {
            throw new IllegalArgumentException("split: sizes " + Arrays.toString(sizes) + " do not add up to dim "
                    + dim + " of size " + x.shape[d]);
        }
        List<Tensor> out = new ArrayList<>();
        int s = 0;
        for (int len : sizes) {
            out.add(x.narrow(d, s, len));
            s += len;
        }
        return out;
    }

    // The dims reordered without recording: result dim i is x's dim order[i].
    static Tensor permuteRaw(Tensor x, int[] order) {
        int[] s = new int[order.length], st = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            s[i] = x.shape[order[i]];
            st[i] = x.strides[order[i]];
        }
        return x.viewOf(s, st, x.offset);
    }

    static boolean isContiguous(Tensor x) {
        int expected = 1;
        for (int d = x.shape.length - 1; d >= 0; d--) {
            if (x.shape[d] == 1) continue;
            if (x.strides[d] != expected) return false;
            expected *= x.shape[d];
        }
        return true;
    }

    static Tensor sliceRaw(Tensor x, int d, int start, int step, int len) {
        int[] ns = x.shape.clone(), st = x.strides.clone();
        ns[d] = len;
        st[d] = x.strides[d] * step;
        return x.viewOf(ns, st, x.offset + start * x.strides[d]);
    }
}
