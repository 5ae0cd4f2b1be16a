package dev.tensorfile.onnx;

import dev.tensorfile.core.spi.LittleEndian;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.tensorfile.onnx.Wire.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Packed varint runs decoded into each output width: every varint length from 1 to 10 bytes, at every offset
 * within an 8-byte word; and packed float_data as a view. The expected values are the literals the run was encoded
 * from (protobuf.dev encoding guide, {@link Wire}).
 */
class OnnxPackedVarintTest {
    @TempDir Path dir;

    /** One value of each varint length, 1 to 10 bytes, with negatives (10 bytes as int64) and 0. */
    private static final long[] VALUES = {
            0, 1, 127, 128, 150, 300, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_455, 268_435_456,
            34_359_738_367L, 34_359_738_368L, 4_398_046_511_103L, 4_398_046_511_104L, 562_949_953_421_311L,
            562_949_953_421_312L, 72_057_594_037_927_935L, 72_057_594_037_927_936L, Long.MAX_VALUE, -1, -2,
            Long.MIN_VALUE, -150, 3, 5, 7};

    /** {@code count} values cycling through {@link #VALUES} from {@code shift}, so each lands at every alignment. */
    private static long[] values(int count, int shift) {
        long[] v = new long[count];
        for (int i = 0; i < count; i++) v[i] = VALUES[(i * 7 + shift) % VALUES.length];
        return v;
    }

    private MemorySegment decode(int dataType, int field, long[] values) throws IOException {
        ByteArrayOutputStream packed = new ByteArrayOutputStream();
        for (long v : values) packed.writeBytes(varint(v));
        Path p = dir.resolve("t" + dataType + "-" + values.length + ".onnx");
        Files.write(p, model(initializer(tensor("t", dataType, new long[] {values.length}, ld(field, packed.toByteArray())))));
        try (TensorFile f = TensorFiles.open(p, "onnx")) {
            MemorySegment b = f.tensor("t").bytes();
            return MemorySegment.ofArray(b.toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void int64DataOfEveryVarintLength() throws IOException {
        for (int shift = 0; shift < 3; shift++) {
            long[] v = values(200 + shift, shift);
            MemorySegment out = decode(7, 7, v); // INT64 in int64_data
            for (int i = 0; i < v.length; i++) {
                assertEquals(v[i], out.get(LittleEndian.LONG, 8L * i), "value " + i);
            }
        }
    }

    @Test
    void int32DataKeepsLowBitsPerWidth() throws IOException {
        long[] v = values(150, 1);
        for (int i = 0; i < v.length; i++) v[i] = (int) v[i]; // int32_data holds int32s; negatives are 10-byte varints
        MemorySegment i32 = decode(6, 5, v); // INT32
        MemorySegment i16 = decode(5, 5, v); // INT16: numpy keeps the low 16 bits
        MemorySegment u8 = decode(2, 5, v);  // UINT8: the low 8 bits
        MemorySegment bool = decode(9, 5, v); // BOOL: 1 for non-zero
        ValueLayout.OfInt le32 = LittleEndian.INT;
        ValueLayout.OfShort le16 = LittleEndian.SHORT;
        for (int i = 0; i < v.length; i++) {
            assertEquals((int) v[i], i32.get(le32, 4L * i), "int32 " + i);
            assertEquals((short) v[i], i16.get(le16, 2L * i), "int16 " + i);
            assertEquals((byte) v[i], u8.get(ValueLayout.JAVA_BYTE, i), "uint8 " + i);
            assertEquals(v[i] != 0 ? 1 : 0, bool.get(ValueLayout.JAVA_BYTE, i), "bool " + i);
        }
    }

    /** One packed float_data run is a view of the file; the same values split over two runs are decoded. */
    @Test
    void packedFloatDataIsAViewAndSplitRunsAreDecoded() throws IOException {
        float[] v = {1.5f, -2, 0, Float.MAX_VALUE, Float.MIN_VALUE};
        Path one = dir.resolve("one.onnx");
        Files.write(one, model(initializer(tensor("f", 1, new long[] {5}, ld(4, f32(v))))));
        Path two = dir.resolve("two.onnx");
        Files.write(two, model(initializer(tensor("f", 1, new long[] {5},
                cat(ld(4, f32(v[0], v[1])), ld(4, f32(v[2], v[3], v[4])))))));
        for (Path p : new Path[] {one, two}) {
            try (TensorFile f = TensorFiles.open(p, "onnx")) {
                var t = f.tensor("f");
                assertEquals(p == one, t.isView(), p.toString());
                MemorySegment b = t.bytes();
                assertEquals(20, b.byteSize());
                for (int i = 0; i < v.length; i++) {
                    assertEquals(v[i], b.get(LittleEndian.FLOAT, 4L * i), "value " + i);
                }
            }
        }
    }
}
