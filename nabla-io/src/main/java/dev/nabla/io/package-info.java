/**
 * Saving and loading: tensors in Hugging Face's safetensors format ({@link Safetensors}), training
 * checkpoints ({@link Checkpoint}), NumPy's .npy and .npz ({@link Npy}, {@link Npz}) and crash-safe
 * file replacement ({@link AtomicFiles}).
 *
 * <p>Errors: a file that is missing or unreadable gives the JDK's {@link java.io.IOException}
 * (e.g. {@link java.nio.file.NoSuchFileException}); a file that exists but is not what it should
 * be (truncated, corrupted, wrong layout, missing part) gives a {@link NablaIOException} that
 * names the file and the problem. Bad arguments from the caller (a null tensor, a reserved name)
 * give an {@link IllegalArgumentException} or {@link NullPointerException}.
 */
package dev.nabla.io;
