/**
 * ONNX export and import of nabla networks ({@link Onnx}): opset 17, float32, a dynamic batch
 * dim; the protobuf wire format is written and read by nabla itself, so the module has no native
 * code and no dependency beyond nabla-core and nabla-io.
 *
 * <p>Errors: a layer that cannot be exported, or an ONNX op or attribute that cannot be imported,
 * gives an {@link OnnxException} naming it and what is supported; a file that is missing gives a
 * {@link dev.nabla.io.NablaIOException}.
 */
package dev.nabla.onnx;
