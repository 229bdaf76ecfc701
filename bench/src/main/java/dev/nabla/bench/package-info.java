/**
 * Benchmarks of nabla's kernels (GEMM, convolution, elementwise) and of small training loops.
 */
package dev.nabla.bench;
