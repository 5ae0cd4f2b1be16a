package dev.tensorfile.onnx.initializers;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.spi.DecodedTensor;
import dev.tensorfile.core.spi.MappedFile;

import java.lang.foreign.MemorySegment;

/**
 * An initializer whose bytes the file does not store as they are (typed fields, string_data, sparse initializers),
 * decoded by its {@link Decoder}. Typed fields decode any range on their own ({@link RangeDecoder}); the others
 * decode whole on first use. Typed fields decode whole into a heap array: their decoded size is at most 8 times the
 * field's bytes in the file, and the heap reuses pages that the JVM already holds, where each fresh native
 * allocation pays a page fault per 4 KiB (most of the cost of decoding a 64 MiB tensor).
 */
public class DecodedInitializer extends DecodedTensor {
    /** Writes the tensor's whole data into a segment of exactly its byte length. */
    interface Decoder {
        void decode(MemorySegment out);

        /**
         * The bytes of the file this decoder reads (a slice of the owner's mapping), made present before it decodes
         * (a remote model's are fetched then); null when it reads none of the file or only other tensors.
         */
        default MemorySegment source() { return null; }
    }

    /** A decoder that can also decode any byte range of the tensor on its own. */
    interface RangeDecoder extends Decoder {
        void read(long byteOffset, MemorySegment dst);
    }

    private final Decoder decoder;
    private final boolean heap;

    DecodedInitializer(TensorInfo info, MappedFile owner, ReadLimits limits, Decoder decoder) {
        this(info, owner, limits, decoder, false);
    }

    /** @param heap decode whole into a heap byte[] when the tensor fits one (a byte[] so that asByteBuffer works) */
    DecodedInitializer(TensorInfo info, MappedFile owner, ReadLimits limits, Decoder decoder, boolean heap) {
        super(info, owner, InitializerTensors.FORMAT, limits);
        this.decoder = decoder;
        this.heap = heap && info.byteLength() <= Integer.MAX_VALUE - 8;
    }

    /** Makes the bytes the decoder reads present: a remote model's are fetched now, when the tensor is read. */
    protected final void requireSource() {
        MemorySegment s = decoder.source();
        if (s != null) owner().require(s);
    }

    @Override
    protected void decode(long byteOffset, MemorySegment dst) {
        requireSource();
        if (decoder instanceof RangeDecoder ranges) {
            ranges.read(byteOffset, dst);
        } else {
            MemorySegment.copy(bytes(), byteOffset, dst, 0, dst.byteSize());
        }
    }

    @Override
    protected void decodeWhole(MemorySegment out) {
        requireSource();
        decoder.decode(out);
    }

    @Override
    protected MemorySegment allocateWhole(long length) {
        return heap ? MemorySegment.ofArray(new byte[(int) length]) : super.allocateWhole(length);
    }
}
