package dev.nabla.kernel;

import static dev.nabla.kernel.Transcendentals.*;
import static java.lang.invoke.MethodType.methodType;

import dev.nabla.kernel.Elementwise.Binary;
import dev.nabla.kernel.Elementwise.Unary;
import dev.nabla.kernel.FusedLoop.Node;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Compiles a float32 elementwise program into a {@link FusedLoop} by staging: one vector of the
 * program's result becomes a method handle of (inputs, offsets, i) composed from the Vector API's
 * own operations (FloatVector::add, ::fma, IntVector::selectFrom, …) and the method handle
 * combinators, and a hidden copy of {@link FusedLoopTemplate} holds it as a constant, which C2
 * inlines whole into the loop. The Vector API's methods and the combinators' lambda forms are
 * marked for forced inlining; a method of ours taking and returning vectors is not: written as
 * one, tanh was not inlined ("hot method too big") and its vectors were boxed, 45–54 ms for the
 * elementwise bench's chain instead of 13–17.
 *
 * <p>The program is first a graph of {@link Value}s; a value used more than once is computed once
 * and passed on as an argument (a let, by {@link MethodHandles#foldArguments}), the others are
 * nested as trees. Composed as one tree, with each use a copy, the bench's chain held 438 handles and
 * C2 took 137 MB of arena memory to compile it (NMT's peak), 22–26 MB so; tanh of tanh would have
 * held thousands.
 *
 * <p>Each operation is the one {@link VectorElementwise} applies (tanh, exp, log and sigmoid as
 * {@link VectorTranscendentals}' loops, operation by operation), so a staged program gives the
 * kernels' values. Programs with operations not staged here (sin, cos, sign and pow, which the
 * kernels compute with the scalar Math functions, and comparisons), with one of those four
 * functions applied to another's result, or larger than {@link #MAX_VALUES} are left to the
 * caller's chunked evaluation.
 */
final class StagedLoops {
    private StagedLoops() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();
    /** The loop's parameters: the inputs, their offsets, the element index. */
    private static final List<Class<?>> PARAMETERS = List.of(float[][].class, int[].class, int.class);
    private static final Class<?> FV = FloatVector.class, IV = IntVector.class, V = Vector.class, VM = VectorMask.class;
    /**
     * Values a program may stage into (tanh alone takes 70 with 8 lanes, 99 with 4); each value
     * used twice or more adds a level of nested lambda forms for C2 to inline. KernelAllocationTest
     * checks that a program of 147 (StagedLoopsTest.TWO_TANH) compiles to a loop that allocates
     * nothing; larger ones were not measured.
     */
    static final int MAX_VALUES = 256;
    /** A method handle takes at most 255 arguments; the last let's takes every earlier one. */
    private static final int MAX_PARAMETERS = 255;

    /**
     * One value of the staged program: a leaf, (inputs, offsets, i) → type, or an operation on
     * earlier values, (their types…) → type with its constants bound.
     */
    private static final class Value {
        final MethodHandle leaf, op;
        final List<Value> operands;
        int uses;
        /** Its position among the values passed on as arguments, or −1 when nested where used. */
        int let = -1;

        Value(MethodHandle leaf, MethodHandle op, List<Value> operands) {
            this.leaf = leaf;
            this.op = op;
            this.operands = operands;
            for (Value v : operands) v.uses++;
        }

        Class<?> type() {
            return (leaf != null ? leaf : op).type().returnType();
        }
    }

    private static byte[] template;

    /** The program compiled, or null when it holds an operation this does not stage or too many values. */
    static FusedLoop compile(List<Node> program) {
        try {
            MethodHandle body = stage(program);
            if (body == null) return null;
            MethodHandles.Lookup loop = LOOKUP.defineHiddenClassWithClassData(template(), body, true);
            return (FusedLoop) loop.findConstructor(loop.lookupClass(), methodType(void.class)).invoke();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            // the template not readable (a repackaged jar), or a Vector API method this JDK lacks:
            // the caller evaluates in chunks
            return null;
        }
    }

    /** The values the program stages into, or −1 when it is not staged. */
    static int values(List<Node> program) throws ReflectiveOperationException {
        Graph g = new Graph();
        return g.build(program) == null ? -1 : g.values.size();
    }

    // the program's result vector as a handle of (inputs, offsets, i), or null
    private static MethodHandle stage(List<Node> program) throws ReflectiveOperationException {
        Graph g = new Graph();
        Value root = g.build(program);
        return root == null ? null : g.lower(root);
    }

    private static synchronized byte[] template() throws IOException {
        if (template == null) {
            try (InputStream in = FusedLoopTemplate.class.getResourceAsStream("FusedLoopTemplate.class")) {
                if (in == null) throw new IOException("FusedLoopTemplate.class is not readable");
                template = in.readAllBytes();
            }
        }
        return template;
    }

    /** The values of one program, in the order they were made (operands first). */
    private static final class Graph {
        final List<Value> values = new ArrayList<>();

        // the program's result, or null when an operation is not staged or there are too many values
        Value build(List<Node> program) throws ReflectiveOperationException {
            if (program.isEmpty()) return null;
            Value[] value = new Value[program.size()];
            int[] nesting = new int[program.size()];
            for (int i = 0; i < program.size(); i++) {
                Node node = program.get(i);
                if (node.a() >= 0) nesting[i] = Math.max(nesting[node.a()], node.b() >= 0 ? nesting[node.b()] : 0);
                if (transcendental(node.unary()) && ++nesting[i] > 1) return null;
                if (node.isInput()) value[i] = node.single() ? single(node.input()) : input(node.input());
                else if (node.isConstant()) value[i] = broadcast(node.constant());
                else if (node.unary() != null) value[i] = unary(node.unary(), value[node.a()]);
                else value[i] = binary(node.binary(), value[node.a()], value[node.b()]);
                if (value[i] == null || values.size() > MAX_VALUES) return null;
            }
            Value root = value[program.size() - 1];
            return root.type() == FV ? root : null;
        }

        /**
         * Whether op is one of the large functions, whose staged forms are not nested: one fed by
         * another lost to the chunked steps (one process, alternating the two, 2 threads, 16M
         * floats: log(e^x + 1) 27.2 against 21.7 ms, e^(tanh(x·w) + w) 26.3 against 25.4), where side
         * by side they won (tanh x · tanh w 22.4 against 25.3, e^x · sigmoid w 25.4 against 26.6).
         */
        private static boolean transcendental(Unary op) {
            return op == Unary.TANH || op == Unary.EXP || op == Unary.LOG || op == Unary.SIGMOID;
        }

        /**
         * The handle of (inputs, offsets, i) computing root: the values used twice or more, in
         * order, each computed once from the ones before it and passed on; the rest nested. Null
         * when they are more than a handle can take.
         */
        MethodHandle lower(Value root) {
            List<Value> lets = new ArrayList<>();
            for (Value v : values) {
                if (v.uses > 1 && v.op != null) {
                    v.let = lets.size();
                    lets.add(v);
                }
            }
            if (lets.size() + PARAMETERS.size() > MAX_PARAMETERS) return null;
            // let j's handle takes (let j−1, …, let 0, inputs, offsets, i)
            MethodHandle body = tree(root, lets, lets.size());
            for (int j = lets.size() - 1; j >= 0; j--) body = MethodHandles.foldArguments(body, 0, tree(lets.get(j), lets, j));
            return body;
        }

        // v as a handle of the environment of let `bound`: (let bound−1, …, let 0, inputs, offsets, i)
        private static MethodHandle tree(Value v, List<Value> lets, int bound) {
            List<Class<?>> env = new ArrayList<>();
            for (int j = bound - 1; j >= 0; j--) env.add(lets.get(j).type());
            env.addAll(PARAMETERS);
            MethodType type = methodType(v.type(), env);
            if (v.let >= 0 && v.let < bound) { // passed on: pick it from the arguments
                return MethodHandles.permuteArguments(MethodHandles.identity(v.type()), type, bound - 1 - v.let);
            }
            if (v.leaf != null) return MethodHandles.dropArguments(v.leaf, 0, env.subList(0, bound));
            MethodHandle m = v.op;
            int e = env.size();
            for (int q = 0; q < v.operands.size(); q++) m = MethodHandles.collectArguments(m, q * e, tree(v.operands.get(q), lets, bound));
            int[] reorder = new int[e * v.operands.size()];
            for (int q = 0; q < reorder.length; q++) reorder[q] = q % e;
            return MethodHandles.permuteArguments(m, type, reorder);
        }

        private Value add(Value v) {
            values.add(v);
            return v;
        }

        // ------------------------------------------------------------ leaves

        // FloatVector.fromArray(F, inputs[k], offsets[k] + i)
        private Value input(int k) throws ReflectiveOperationException {
            MethodHandle load = MethodHandles.insertArguments(LOOKUP.findStatic(FV, "fromArray",
                    methodType(FV, VectorSpecies.class, float[].class, int.class)), 0, F);
            MethodHandle index = MethodHandles.filterArguments(
                    LOOKUP.findStatic(Integer.class, "sum", methodType(int.class, int.class, int.class)), 0, offset(k));
            return add(new Value(MethodHandles.collectArguments(MethodHandles.filterArguments(load, 0, array(k)), 1, index),
                    null, List.of()));
        }

        // FloatVector.broadcast(F, inputs[k][offsets[k]])
        private Value single(int k) throws ReflectiveOperationException {
            MethodHandle element = MethodHandles.filterArguments(MethodHandles.arrayElementGetter(float[].class), 0, array(k), offset(k));
            MethodHandle broadcast = MethodHandles.insertArguments(LOOKUP.findStatic(FV, "broadcast",
                    methodType(FV, VectorSpecies.class, float.class)), 0, F);
            return add(new Value(MethodHandles.dropArguments(MethodHandles.filterReturnValue(element, broadcast), 2, int.class),
                    null, List.of()));
        }

        private static MethodHandle array(int k) {
            return MethodHandles.insertArguments(MethodHandles.arrayElementGetter(float[][].class), 1, k);
        }

        private static MethodHandle offset(int k) {
            return MethodHandles.insertArguments(MethodHandles.arrayElementGetter(int[].class), 1, k);
        }

        private Value broadcast(float c) {
            return constant(FloatVector.broadcast(F, c), FV);
        }

        private Value constant(Object value, Class<?> type) {
            return add(new Value(MethodHandles.dropArguments(MethodHandles.constant(type, value), 0, PARAMETERS), null, List.of()));
        }

        // ------------------------------------------------------------ operations

        /**
         * receiver.name(args…) by owner's method of that name and declared signature: each argument
         * a value or a constant (bound into the handle); the result cast to ret.
         */
        private Value call(Class<?> owner, String name, MethodType declared, Class<?> ret, Value receiver, Object... args)
                throws ReflectiveOperationException {
            MethodHandle m = LOOKUP.findVirtual(owner, name, declared);
            for (int p = args.length - 1; p >= 0; p--) {
                if (!(args[p] instanceof Value)) m = MethodHandles.insertArguments(m, 1 + p, args[p]);
            }
            List<Value> operands = new ArrayList<>(List.of(receiver));
            for (Object a : args) if (a instanceof Value v) operands.add(v);
            Class<?>[] types = new Class<?>[operands.size()];
            for (int q = 0; q < types.length; q++) types[q] = operands.get(q).type();
            return add(new Value(null, m.asType(methodType(ret, types)), operands));
        }

        private Value floats(Value x, String name, Value y) throws ReflectiveOperationException {
            return call(FV, name, methodType(FV, V), FV, x, y);
        }

        private Value floats(Value x, String name) throws ReflectiveOperationException {
            return call(FV, name, methodType(FV), FV, x);
        }

        // x.fma(y, z), one rounding
        private Value fma(Value x, Value y, Value z) throws ReflectiveOperationException {
            return call(FV, "fma", methodType(FV, V, V), FV, x, y, z);
        }

        private Value ints(Value x, String name, int c) throws ReflectiveOperationException {
            return call(IV, name, methodType(IV, int.class), IV, x, c);
        }

        private Value bitsOf(Value x) throws ReflectiveOperationException {
            return call(FV, "reinterpretAsInts", methodType(IV), IV, x);
        }

        private Value floatsOf(Value x) throws ReflectiveOperationException {
            return call(IV, "reinterpretAsFloats", methodType(FV), FV, x);
        }

        private Value compare(Value x, VectorOperators.Comparison op, float c) throws ReflectiveOperationException {
            return call(FV, "compare", methodType(VM, VectorOperators.Comparison.class, float.class), VM, x, op, c);
        }

        // x.name(c) for a scalar c
        private Value floats(Value x, String name, float c) throws ReflectiveOperationException {
            return call(FV, name, methodType(FV, float.class), FV, x, c);
        }

        // x.fma(b, c) for scalars b, c
        private Value fma(Value x, float b, float c) throws ReflectiveOperationException {
            return call(FV, "fma", methodType(FV, float.class, float.class), FV, x, b, c);
        }

        // a·b + c, one rounding, for a scalar b (VectorTranscendentals.fma)
        private Value fma(Value a, float b, Value c) throws ReflectiveOperationException {
            return fma(a, broadcast(b), c);
        }

        // a·b + c, one rounding, for a scalar c: a step of Horner's scheme (VectorTranscendentals.mulAdd)
        private Value mulAdd(Value a, Value b, float c) throws ReflectiveOperationException {
            return fma(a, b, broadcast(c));
        }

        private Value ints(Value x, String name, Value y) throws ReflectiveOperationException {
            return call(IV, name, methodType(IV, V), IV, x, y);
        }

        private Value shift(Value x, VectorOperators.Binary op, int n) throws ReflectiveOperationException {
            return call(IV, "lanewise", methodType(IV, VectorOperators.Binary.class, int.class), IV, x, op, n);
        }

        private Value blend(Value x, Value y, Value mask) throws ReflectiveOperationException {
            return call(FV, "blend", methodType(FV, V, VM), FV, x, y, mask);
        }

        private Value blend(Value x, float y, Value mask) throws ReflectiveOperationException {
            return call(FV, "blend", methodType(FV, float.class, VM), FV, x, y, mask);
        }

        private Value isNaN(Value x) throws ReflectiveOperationException {
            return call(FV, "test", methodType(VM, VectorOperators.Test.class), VM, x, VectorOperators.IS_NAN);
        }

        // as VectorElementwise's contiguous loops
        private Value binary(Binary op, Value x, Value y) throws ReflectiveOperationException {
            return switch (op) {
                case ADD -> floats(x, "add", y);
                case SUB -> floats(x, "sub", y);
                case MUL -> floats(x, "mul", y);
                case DIV -> floats(x, "div", y);
                case MAX -> floats(x, "max", y);
                case MIN -> floats(x, "min", y);
                default -> null;
            };
        }

        // as VectorElementwise.unary
        private Value unary(Unary op, Value x) throws ReflectiveOperationException {
            return switch (op) {
                case NEG -> floats(x, "neg");
                case SQRT -> floats(x, "sqrt");
                case ABS -> floats(x, "abs");
                case RELU -> call(FV, "blend", methodType(FV, float.class, VM), FV, x, 0f, compare(x, VectorOperators.LE, 0f));
                case TANH -> tanh(x);
                case EXP -> exp(x);
                case LOG -> log(x);
                case SIGMOID -> sigmoid(x);
                default -> null;
            };
        }

        /** VectorTranscendentals' tanh loop. */
        private Value tanh(Value v) throws ReflectiveOperationException {
            Value a = floats(v, "abs");
            Value z = floats(a, "mul", a);
            Value t = fma(z, T6, T5);
            for (float coefficient : new float[] {T4, T3, T2, T1, T0}) t = fma(t, z, broadcast(coefficient));
            Value small = fma(floats(a, "mul", z), t, a);
            // the interval of |x| and its table entries
            Value bits = ints(ints(bitsOf(a), "max", TANH_TABLE_MIN_BITS), "min", TANH_TABLE_MAX_BITS);
            Value k = ints(shift(bits, VectorOperators.ASHR, TANH_INDEX_SHIFT), "sub", TANH_INDEX_BIAS);
            Value c = floatsOf(ints(ints(bits, "and", TANH_INTERVAL), "or", TANH_MIDPOINT));
            Value u = floats(floatsOf(bits), "sub", c);
            Lookup entry = lookup(k);
            Value d = fma(entry.row(TANH_D0 + 7), u, entry.row(TANH_D0 + 6));
            for (int r = 5; r >= 0; r--) d = fma(d, u, entry.row(TANH_D0 + r));
            Value large = floats(entry.row(TANH_T), "add", d);
            Value result = blend(large, small, compare(a, VectorOperators.LT, TANH_POLY_MAX));
            Value sign = ints(bitsOf(v), "and", SIGN_BIT);
            result = floatsOf(call(IV, "or", methodType(IV, V), IV, bitsOf(result), sign));
            return blend(result, Float.NaN, isNaN(v));
        }

        /** VectorTranscendentals' exp loop: e^x as the hi of Transcendentals.expSplit (NaN for a NaN). */
        private Value exp(Value v) throws ReflectiveOperationException {
            Value xc = floats(floats(v, "max", EXP_MIN), "min", EXP_MAX);
            Value k = fma(xc, LOG2E, SHIFTER);
            Value m = floats(k, "sub", SHIFTER);
            Value r = reduced(xc, m), rl = reductionError(xc, m, r);
            Value s = floats(r, "add", 1f);
            Value t = fma(floats(r, "mul", r), expPolynomial(r), floats(floats(floats(broadcast(1f), "sub", s), "add", r), "add", rl));
            Value ni = ints(bitsOf(k), "sub", SHIFTER_BITS);
            Value n1 = shift(ni, VectorOperators.ASHR, 1);
            Value e = floats(floats(floats(s, "add", t), "mul", powerOfTwo(n1)), "mul", powerOfTwo(ints(ni, "sub", n1)));
            return blend(e, Float.NaN, isNaN(v));
        }

        /** VectorTranscendentals' log loop. */
        private Value log(Value v) throws ReflectiveOperationException {
            Value subnormal = compare(v, VectorOperators.LT, Float.MIN_NORMAL);
            Value xs = blend(v, floats(v, "mul", 0x1p23f), subnormal);
            Value ix = ints(bitsOf(xs), "sub", SQRT_HALF_BITS);
            Value e = call(IV, "convert", methodType(V, VectorOperators.Conversion.class, int.class), FV,
                    shift(ix, VectorOperators.ASHR, 23), VectorOperators.I2F, 0);
            e = blend(e, floats(e, "sub", 23f), subnormal);
            Value f = floats(floatsOf(ints(ints(ix, "and", 0x007fffff), "add", SQRT_HALF_BITS)), "sub", 1f);
            Value p = fma(f, P8, P7);
            for (float c : new float[] {P6, P5, P4, P3, P2, P1, P0}) p = mulAdd(p, f, c);
            Value f2 = floats(f, "mul", f);
            Value low = fma(floats(f2, "mul", f), p, floats(f2, "mul", -0.5f));
            Value r = fma(e, LN2_HI, floats(f, "add", fma(e, LN2_LO, low)));
            r = blend(r, v, compare(v, VectorOperators.EQ, Float.POSITIVE_INFINITY));
            r = blend(r, Float.NEGATIVE_INFINITY, compare(v, VectorOperators.EQ, 0f));
            return blend(r, Float.NaN, call(VM, "not", methodType(VM), VM, compare(v, VectorOperators.GE, 0f)));
        }

        /** VectorTranscendentals' sigmoid loop. */
        private Value sigmoid(Value v) throws ReflectiveOperationException {
            Value one = broadcast(1f);
            // e^(−|x|) = eh + el as Transcendentals.expSplit (whose upper clamp does nothing here)
            Value xc = floats(floats(floats(v, "abs"), "neg"), "max", EXP_MIN);
            Value k = fma(xc, LOG2E, SHIFTER);
            Value m = floats(k, "sub", SHIFTER);
            Value r = reduced(xc, m), rl = reductionError(xc, m, r);
            Value s = floats(r, "add", 1f);
            Value t = fma(floats(r, "mul", r), expPolynomial(r), floats(floats(floats(one, "sub", s), "add", r), "add", rl));
            Value ph = floats(s, "add", t);
            Value ni = ints(bitsOf(k), "sub", SHIFTER_BITS);
            Value n1 = shift(ni, VectorOperators.ASHR, 1), n2 = ints(ni, "sub", n1);
            Value s1 = powerOfTwo(n1), s2 = powerOfTwo(n2);
            Value eh = floats(floats(ph, "mul", s1), "mul", s2);
            Value el = floats(floats(floats(floats(s, "sub", ph), "add", t), "mul", s1), "mul", s2);
            // the quotient, as the scalar sigmoid
            Value dh = floats(eh, "add", 1f), dl = floats(floats(floats(one, "sub", dh), "add", eh), "add", el);
            Value positive = compare(v, VectorOperators.GE, 0f);
            Value nh = blend(eh, 1f, positive), nl = blend(el, 0f, positive);
            Value y0 = floats(nh, "div", dh);
            Value minus = floats(y0, "neg");
            Value residual = floats(fma(minus, dh, nh), "add", fma(minus, dl, nl));
            y0 = fma(residual, blend(floats(one, "sub", y0), y0, positive), y0);
            return blend(y0, Float.NaN, isNaN(v));
        }

        // r = x − m·ln2 rounded once more, ln2 = LN2_HI + LN2_LO (VectorTranscendentals.reduced)
        private Value reduced(Value x, Value m) throws ReflectiveOperationException {
            return fma(m, -LN2_LO, fma(m, -LN2_HI, x));
        }

        // r's rounding error (VectorTranscendentals.reductionError)
        private Value reductionError(Value x, Value m, Value r) throws ReflectiveOperationException {
            return fma(m, -LN2_LO, floats(fma(m, -LN2_HI, x), "sub", r));
        }

        // Q(r) of e^r = 1 + r + r²·Q(r), by Horner's scheme
        private Value expPolynomial(Value r) throws ReflectiveOperationException {
            return mulAdd(mulAdd(mulAdd(fma(r, E4, E3), r, E2), r, E1), r, E0);
        }

        // 2^n for n in the normal exponent range, by its bits
        private Value powerOfTwo(Value n) throws ReflectiveOperationException {
            return floatsOf(shift(ints(n, "add", 127), VectorOperators.LSHL, 23));
        }

        /** Rows of the tanh table at the lanes' intervals k, as floats. */
        private interface Lookup {
            Value row(int r) throws ReflectiveOperationException;
        }

        // one lane permutation of a row; with fewer lanes than the row's 8 entries, two and a blend
        private Lookup lookup(Value k) throws ReflectiveOperationException {
            int lanes = F.length();
            MethodType select = methodType(IV, V);
            if (!VectorTranscendentals.TWO_PARTS) {
                return r -> floatsOf(call(IV, "selectFrom", select, IV, k, tableRow(r * lanes)));
            }
            int upper = TANH_TABLE.length * lanes;
            Value j = ints(k, "and", VectorTranscendentals.TANH_LANES - 1);
            Value up = call(IV, "compare", methodType(VM, VectorOperators.Comparison.class, int.class), VM, k,
                    VectorOperators.GE, VectorTranscendentals.TANH_LANES);
            return r -> floatsOf(call(IV, "blend", methodType(IV, V, VM), IV, call(IV, "selectFrom", select, IV, j, tableRow(r * lanes)),
                    call(IV, "selectFrom", select, IV, j, tableRow(upper + r * lanes)), up));
        }

        private Value tableRow(int at) {
            return constant(IntVector.fromArray(VectorTranscendentals.I, VectorTranscendentals.TANH_BITS, at), IV);
        }
    }
}
