package dev.tensorfile.core;

import java.nio.file.Path;

/**
 * The file may be well formed, but doing what was asked with it needs more than the reader may or can use: a
 * whole-tensor decode larger than {@link ReadLimits#maxWholeDecodeBytes()}, or one whose memory the JVM cannot
 * reserve. A file can legally claim such a size (an HDF5 chunked dataset with no chunks written reads as its fill
 * value), so the claim is not rejected at open; it fails here, before anything is allocated, and the tensor can
 * still be read in ranges ({@link Tensor#readBytes}, {@link Tensor#readFloats}). For example
 * {@code hdf5: big.h5: tensor 'x': a whole decode needs 4398046511104 bytes, over the limit of 4294967296 bytes
 * (ReadLimits.maxWholeDecodeBytes); read it in ranges}.
 */
public class LimitExceededException extends TensorFileException {
    private static final long serialVersionUID = 1L;

    private final String tensor;
    private final long requestedBytes;

    /**
     * @param tensor the tensor whose decode was asked for
     * @param requestedBytes the bytes the decode needs
     * @param why why they cannot be had, with the limit
     */
    public LimitExceededException(String format, Path file, String tensor, long requestedBytes, String why,
            Throwable cause) {
        super(format, file, "tensor '" + tensor + "': a whole decode needs " + requestedBytes + " bytes, " + why
                + "; read it in ranges", cause);
        this.tensor = tensor;
        this.requestedBytes = requestedBytes;
    }

    /** The tensor whose decode was refused. */
    public String tensor() { return tensor; }

    /** The bytes the refused decode needs. */
    public long requestedBytes() { return requestedBytes; }
}
