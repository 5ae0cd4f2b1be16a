package dev.tensorfile.tensorflow;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.DecodedTensor;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.core.spi.SegmentTensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A tensor of a bundle: its bytes as the data shard stores them, and the entry's checksum of them, which
 * {@link TensorFlowFile#verify()} checks.
 */
sealed interface BundleTensor permits BundleTensor.View, BundleTensor.Strings, BundleTensor.Swapped {
    /** The bytes in the shard, a view of its mapping. */
    MemorySegment stored();

    /** The masked CRC-32C the entry records. */
    int crc32c();

    /** The CRC-32C of the tensor as TensorFlow computes it when it writes the entry (masked). */
    default int computeCrc32c() { return Crc32c.mask(Crc32c.of(stored())); }

    /** A little-endian tensor: a zero-copy view of the shard. */
    final class View extends SegmentTensor implements BundleTensor {
        private final int crc;

        View(TensorInfo info, MemorySegment data, MappedFile shard, int crc) {
            super(info, data, shard);
            this.crc = crc;
        }

        @Override public MemorySegment stored() { return bytes(); }

        @Override public int crc32c() { return crc; }
    }

    /**
     * A {@code DT_STRING} tensor, stored as TensorFlow's {@code WriteStringTensor} writes it: a varint64 length per
     * element, the masked CRC-32C of those lengths (each as a little-endian uint32, or uint64 when it does not fit),
     * then the strings' bytes. The
     * entry's checksum covers the lengths the same way, that CRC and the bytes. {@link #bytes()} is the stored form.
     */
    final class Strings extends SegmentTensor implements BundleTensor {
        private final int crc;

        Strings(TensorInfo info, MemorySegment data, MappedFile shard, int crc) {
            super(info, data, shard);
            this.crc = crc;
        }

        @Override public MemorySegment stored() { return bytes(); }

        @Override public int crc32c() { return crc; }

        private ByteCursor cursor() {
            return new ByteCursor(bytes(), fileOffset(), TensorFlowFile.FORMAT, file()).structure("string tensor '" + name() + "'");
        }

        /** Walks the lengths, checks they fit and their checksum; returns the position of the first string byte. */
        private long lengths(CRC32C crc) {
            ByteCursor c = cursor();
            long n = elementCount();
            if (n > c.remaining()) throw c.fail(n + " strings need at least " + n + " length bytes; the tensor has " + c.remaining());
            long total = 0;
            byte[] word = new byte[8];
            for (long i = 0; i < n; i++) {
                long len = varint64(c);
                total += len;
                if (len < 0 || total < 0 || total > c.remaining()) throw c.fail("string #" + i + " of " + Long.toUnsignedString(len) + " bytes overruns the tensor");
                // Lengths below 2^32 count as four bytes, as the first checkpoints wrote them (ReadStringTensor).
                int width = Long.compareUnsigned(len, 0xFFFFFFFFL) <= 0 ? 4 : 8;
                for (int k = 0; k < width; k++) word[k] = (byte) (len >>> (8 * k));
                crc.update(word, 0, width);
            }
            long at = c.position();
            if (c.remaining() < 4) throw c.fail("the length checksum is cut off");
            int stored = c.i32();
            int computed = Crc32c.mask((int) crc.getValue());
            if (stored != computed) {
                throw c.failAt(at, "length checksum 0x" + Integer.toHexString(stored) + " does not match the lengths (0x"
                        + Integer.toHexString(computed) + ")");
            }
            crc.update(new byte[] {(byte) stored, (byte) (stored >>> 8), (byte) (stored >>> 16), (byte) (stored >>> 24)});
            if (total != c.remaining()) throw c.fail(c.remaining() + " bytes follow the lengths, which add up to " + total);
            return c.position();
        }

        @Override
        public int computeCrc32c() {
            CRC32C crc = new CRC32C();
            long start = lengths(crc);
            Crc32c.update(crc, bytes().asSlice(start));
            return Crc32c.mask((int) crc.getValue());
        }

        /** Each element's bytes, views of the shard, after the lengths and their checksum are checked. */
        List<MemorySegment> values() {
            long start = lengths(new CRC32C());
            ByteCursor c = cursor();
            long n = elementCount();
            List<MemorySegment> out = new ArrayList<>((int) Math.min(n, 1 << 16));
            ByteCursor data = cursor();
            data.seek(start);
            for (long i = 0; i < n; i++) out.add(data.slice(varint64(c)));
            return out;
        }

        @Override
        public List<String> strings() {
            List<String> out = new ArrayList<>();
            for (MemorySegment v : values()) out.add(string(v));
            return out;
        }

        /**
         * TensorFlow strings are bytes: UTF-8 text comes back as text; anything else (a serialized proto, such as the
         * {@code _CHECKPOINTABLE_OBJECT_GRAPH}) one char per byte (ISO-8859-1), so no byte is lost.
         */
        static String string(MemorySegment bytes) {
            byte[] b = bytes.toArray(ValueLayout.JAVA_BYTE);
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
            } catch (CharacterCodingException e) {
                return new String(b, StandardCharsets.ISO_8859_1);
            }
        }

        private static long varint64(ByteCursor c) {
            long at = c.position();
            long v = 0;
            for (int i = 0; i < 10; i++) {
                if (c.remaining() == 0) throw c.failAt(at, "string length varint is cut off");
                int x = c.u8();
                if (i == 9 && x > 1) throw c.failAt(at, "string length varint is longer than 64 bits");
                v |= (long) (x & 0x7F) << (7 * i);
                if (x < 0x80) return v;
            }
            throw c.failAt(at, "string length varint is longer than 10 bytes");
        }
    }

    /** A tensor of a big-endian bundle: each element's bytes reversed on read (complex: each half's). */
    final class Swapped extends DecodedTensor implements BundleTensor {
        private final MemorySegment data;
        private final int crc;
        private final int width;

        Swapped(TensorInfo info, MemorySegment data, MappedFile shard, int crc, ReadLimits limits) {
            super(info, shard, TensorFlowFile.FORMAT, limits);
            this.data = data;
            this.crc = crc;
            int w = info.dtype().blockBytes();
            this.width = info.dtype().kind() == dev.tensorfile.core.DType.Kind.COMPLEX ? w / 2 : w;
        }

        @Override
        public MemorySegment stored() {
            ensureOpen();
            owner().require(data); // a remote tensor is fetched when read
            return data;
        }

        @Override public int crc32c() { return crc; }

        @Override
        protected void decode(long byteOffset, MemorySegment dst) {
            owner().require(data);
            long n = dst.byteSize();
            for (long i = 0; i < n; i++) {
                long p = byteOffset + i;
                long source = p - p % width + (width - 1 - p % width);
                dst.set(ValueLayout.JAVA_BYTE, i, data.get(ValueLayout.JAVA_BYTE, source));
            }
        }
    }
}
