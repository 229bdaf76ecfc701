package dev.nabla.kernel;

import dev.nabla.kernel.Elementwise.Binary;
import dev.nabla.kernel.Elementwise.Unary;

/**
 * A float32 elementwise program compiled into one vector loop ({@link Elementwise#compile}): each
 * vector of elements is loaded once from every input, taken through all the program's operations
 * in registers, and stored once, where evaluating the operations one after another, even in
 * chunks that stay in L1, pays a call and a pass per operation. Each operation is the one its
 * {@link Elementwise} kernel applies, so the values are bitwise the kernels'.
 */
public interface FusedLoop {
    /**
     * y[yo + i] = the program on element i of the inputs, for i in [from, to), a range whose ends
     * are multiples of {@link #lanes()}: element i of input k is inputs[k][offsets[k] + i], or
     * inputs[k][offsets[k]] for an input the program reads as a single value.
     */
    void run(float[][] inputs, int[] offsets, float[] y, int yo, int from, int to);

    /** The vector length: the loop's ranges start and end at multiples of it. */
    int lanes();

    /**
     * One node of a program, listed after its operands (the last node is the result): input k (a
     * run of elements, or one value broadcast), a constant, or an operation on earlier nodes a, b.
     */
    record Node(int input, boolean single, float constant, Unary unary, Binary binary, int a, int b) {
        public static Node input(int k, boolean single) {
            return new Node(k, single, 0f, null, null, -1, -1);
        }

        public static Node constant(float c) {
            return new Node(-1, false, c, null, null, -1, -1);
        }

        public static Node unary(Unary op, int a) {
            return new Node(-1, false, 0f, op, null, a, -1);
        }

        public static Node binary(Binary op, int a, int b) {
            return new Node(-1, false, 0f, null, op, a, b);
        }

        boolean isInput() {
            return input >= 0;
        }

        boolean isConstant() {
            return input < 0 && unary == null && binary == null;
        }
    }
}
