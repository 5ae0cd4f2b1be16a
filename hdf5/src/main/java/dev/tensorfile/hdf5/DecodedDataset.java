package dev.tensorfile.hdf5;

import dev.tensorfile.core.spi.BigEndian;
import dev.tensorfile.core.spi.LittleEndian;
import dev.tensorfile.core.DType;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.spi.DecodedTensor;
import dev.tensorfile.hdf5.format.DatatypeMessage;
import dev.tensorfile.hdf5.format.StringDecoder;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;

/**
 * A dataset whose bytes are not a view of the file: chunked, filtered, big-endian, or never written. Range reads
 * decode only what they touch, on the file's decode threads from 1 MiB up; {@link #bytes()} decodes once into
 * memory owned by the file, refusing (typed) a dataset over the file's {@code maxWholeDecodeBytes}: a chunked
 * dataset with no chunks written legally claims any size.
 */
class DecodedDataset extends DecodedTensor {
    final DataStorage storage;
    private final int swapSize;
    private final Hdf5TensorFile file;

    /**
     * @param swapSize element size to byte-swap (big-endian data), or 0
     */
    DecodedDataset(TensorInfo info, DataStorage storage, int swapSize, Hdf5TensorFile file) {
        super(info, file.mapped(), file.format(), file.limits());
        this.storage = storage;
        this.swapSize = swapSize;
        this.file = file;
    }

    @Override
    protected void decodeWhole(MemorySegment out) {
        read(0, out, file.decodeThreads());
    }

    /**
     * Float32 data decodes straight into the caller's array (on a little-endian machine a {@code float[]} segment
     * has the file's byte order), skipping the temporary buffer of the default conversion.
     */
    @Override
    public void readFloats(long first, float[] dst, int offset, int count) {
        if (info().dtype() == DType.F32 && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN && first >= 0 && count >= 0
                && offset >= 0 && count <= dst.length - offset && first <= info().shape().elementCount() - count) {
            readBytes(first * 4, MemorySegment.ofArray(dst).asSlice(4L * offset, 4L * count));
            return;
        }
        super.readFloats(first, dst, offset, count);
    }

    @Override
    protected void decode(long byteOffset, MemorySegment dst) {
        read(byteOffset, dst, dst.byteSize() >= (1 << 20) ? file.decodeThreads() : 1);
    }

    private void read(long byteOffset, MemorySegment dst, int threads) {
        if (swapSize <= 1) {
            storage.read(byteOffset, dst, threads);
            return;
        }
        // read whole elements, then swap each into place
        long first = byteOffset / swapSize * swapSize;
        long last = (byteOffset + dst.byteSize() + swapSize - 1) / swapSize * swapSize;
        if (first == byteOffset && last == byteOffset + dst.byteSize()) {
            storage.read(byteOffset, dst, threads);
            swap(dst, swapSize);
            return;
        }
        try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment tmp = a.allocate(last - first, 8);
            storage.read(first, tmp, threads);
            swap(tmp, swapSize);
            MemorySegment.copy(tmp, byteOffset - first, dst, 0, dst.byteSize());
        }
    }

    static void swap(MemorySegment s, int size) {
        long n = s.byteSize() / size;
        switch (size) {
            case 2 -> {
                ValueLayout.OfShort be = BigEndian.SHORT;
                ValueLayout.OfShort le = LittleEndian.SHORT;
                for (long i = 0; i < n; i++) s.set(le, i * 2, s.get(be, i * 2));
            }
            case 4 -> {
                ValueLayout.OfInt be = BigEndian.INT;
                ValueLayout.OfInt le = LittleEndian.INT;
                for (long i = 0; i < n; i++) s.set(le, i * 4, s.get(be, i * 4));
            }
            case 8 -> {
                ValueLayout.OfLong be = BigEndian.LONG;
                ValueLayout.OfLong le = LittleEndian.LONG;
                for (long i = 0; i < n; i++) s.set(le, i * 8, s.get(be, i * 8));
            }
            default -> {
                for (long i = 0; i < n; i++) {
                    for (int k = 0; k < size / 2; k++) {
                        byte x = s.get(ValueLayout.JAVA_BYTE, i * size + k);
                        s.set(ValueLayout.JAVA_BYTE, i * size + k, s.get(ValueLayout.JAVA_BYTE, i * size + size - 1 - k));
                        s.set(ValueLayout.JAVA_BYTE, i * size + size - 1 - k, x);
                    }
                }
            }
        }
    }

    /** Decodes every chunk and checks every checksum. */
    void verify() { storage.verify(); }

    /** A string dataset: its stored elements, read as Java strings. */
    static final class Strings extends DecodedDataset {
        private final DatatypeMessage type;
        private final StringDecoder decoder;

        Strings(TensorInfo info, DataStorage storage, DatatypeMessage type, StringDecoder decoder, Hdf5TensorFile file) {
            super(info, storage, 0, file);
            this.type = type;
            this.decoder = decoder;
        }

        @Override public DType dtype() { return DType.STRING; }

        @Override
        public List<String> strings() {
            MemorySegment raw = bytes();
            return decoder.decode(type, raw, info().elementCount());
        }
    }
}
