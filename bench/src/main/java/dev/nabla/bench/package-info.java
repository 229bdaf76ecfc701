/**
 * Benchmarks of nabla's kernels (GEMM, convolution, elementwise) and of training loops against
 * PyTorch and JAX, one process per participant and protocol ({@link dev.nabla.bench.Bench},
 * {@code bench/run}).
 */
package dev.nabla.bench;
