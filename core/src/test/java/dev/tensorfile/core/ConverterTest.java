package dev.tensorfile.core;

import dev.tensorfile.core.spi.LittleEndian;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The converter's per-tensor plan (DESIGN.md, "convert"): cast floats, keep integers, skip what cannot be held. */
class ConverterTest {
    @TempDir Path dir;

    private static MemorySegment floats(float... f) {
        MemorySegment s = MemorySegment.ofArray(new byte[4 * f.length]);
        for (int i = 0; i < f.length; i++) s.set(LittleEndian.FLOAT, 4L * i, f[i]);
        return s;
    }

    private TensorFile model(boolean views) {
        return InMemoryFormat.file(Metadata.builder().put("k", "v").build(), List.of(
                InMemoryFormat.tensor("w", DType.F32, Shape.of(2, 2), floats(1f, -2f, 1f + 0x1p-8f, 65504f), views),
                InMemoryFormat.tensor("ids", DType.I16, Shape.of(2), MemorySegment.ofArray(new byte[] {1, 0, -1, -1}), views),
                InMemoryFormat.tensor("names", DType.STRING, Shape.of(1), MemorySegment.ofArray(new byte[] {'x'}), views)));
    }

    @Test
    void castsFloatsKeepsIntegersAndSkipsWhatTheFormatCannotHold() throws IOException {
        for (boolean views : new boolean[] {true, false}) {
            InMemoryFormat raw = InMemoryFormat.storingEverythingBut(DType.STRING);
            Path out = dir.resolve("m" + views + ".raw");
            Converter.Report r = Converter.from(model(views)).format(raw).dtype(DType.BF16).to(out);
            assertEquals(List.of("w", "ids"), raw.declared.stream().map(TensorInfo::name).toList());
            assertEquals(DType.BF16, raw.declared.get(0).dtype());
            assertEquals(DType.I16, raw.declared.get(1).dtype(), "integers keep their type");
            assertEquals("v", raw.declaredMetadata.getString("k").orElseThrow(), "metadata travels");
            assertEquals(1, r.skipped().size());
            assertEquals("names", r.skipped().getFirst().name());
            assertEquals(2, r.tensorsWritten());
            // The writer feeds in reverse: ids first, then w as bfloat16 (1.0, -2.0, tie to even -> 1.0, 65504 -> 65536).
            assertArrayEquals(new byte[] {1, 0, -1, -1, (byte) 0x80, 0x3F, 0x00, (byte) 0xC0, (byte) 0x80, 0x3F, (byte) 0x80, 0x47},
                    Files.readAllBytes(out), "views=" + views);
        }
    }

    /**
     * F64 → F16 rounds once, as numpy's {@code astype(np.float16)} does: through float, values just past a half-way
     * point would first round onto it and then, ties to even, down. Expected bits from numpy 1.24:
     * {@code np.array(values).astype(np.float16).view(np.uint16)} = [0x3C01, 0xBC01, 0x7BFF, 0x0001, 0x3C04]
     * (through float32 it gives [0x3C00, 0xBC00, 0x7BFF, 0x0000, 0x3C04]). BF16 by its definition (8 significand
     * bits): 1 + 2^-8 + 2^-40 is past the tie between 1 and 1 + 2^-7, so 0x3F81; through float, 0x3F80.
     */
    @Test
    void f64NarrowsToHalfWidthFloatsWithOneRounding() throws IOException {
        double[] values = {1 + 0x1p-11 + 0x1p-40, -(1 + 0x1p-11 + 0x1p-40), 65519.99, 0x1p-25 + 0x1p-60, 1 + 0x1p-8 + 0x1p-40};
        MemorySegment bytes = MemorySegment.ofArray(new byte[8 * values.length]);
        for (int i = 0; i < values.length; i++) bytes.set(LittleEndian.DOUBLE, 8L * i, values[i]);
        for (boolean views : new boolean[] {true, false}) {
            TensorFile f = InMemoryFormat.file(Metadata.builder().build(),
                    List.of(InMemoryFormat.tensor("d", DType.F64, Shape.of(values.length), bytes, views)));
            Path half = dir.resolve("h" + views + ".raw");
            Converter.from(f).format(InMemoryFormat.storingEverythingBut(DType.STRING)).dtype(DType.F16).to(half);
            assertArrayEquals(new short[] {0x3C01, (short) 0xBC01, 0x7BFF, 0x0001, 0x3C04}, shorts(half), "F16 views=" + views);
            Path bf = dir.resolve("b" + views + ".raw");
            Converter.from(f).format(InMemoryFormat.storingEverythingBut(DType.STRING)).dtype(DType.BF16).to(bf);
            assertEquals(0x3F81, shorts(bf)[4], "BF16 views=" + views);
        }
    }

    private static short[] shorts(Path p) throws IOException {
        return MemorySegment.ofArray(Files.readAllBytes(p)).toArray(LittleEndian.SHORT);
    }

    @Test
    void strictTurnsASkipIntoAnError() {
        Path out = dir.resolve("m.raw");
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                () -> Converter.from(model(true)).format(InMemoryFormat.storingEverythingBut(DType.STRING)).strict(true).to(out));
        assertTrue(e.getMessage().contains("tensor 'names': raw cannot hold STRING tensors"), e.getMessage());
        assertFalse(Files.exists(out));
    }

    @Test
    void aFloatTypeTheFormatCannotHoldBecomesF32WithANote() throws IOException {
        InMemoryFormat raw = InMemoryFormat.storingEverythingBut(DType.STRING, DType.F16);
        Path out = dir.resolve("m.raw");
        Converter.Report r = Converter.from(model(true)).format(raw).dtype(DType.F16).to(out);
        assertEquals(DType.F32, raw.declared.getFirst().dtype());
        assertTrue(r.notes().getFirst().contains("w: raw cannot hold F16; written as F32"), r.notes().toString());
    }

    @Test
    void keepingTypesCopiesBytesUnchanged() throws IOException {
        InMemoryFormat raw = InMemoryFormat.storingEverythingBut(DType.STRING);
        Path out = dir.resolve("m.raw");
        Converter.from(model(false)).format(raw).to(out);
        byte[] data = Files.readAllBytes(out);
        assertEquals(4 + 16, data.length);
        assertEquals(DType.F32, raw.declared.getFirst().dtype());
    }

    @Test
    void aBlockTypeIsRefusedAsCastTargetWithoutACodecAndIntegersAreNotADtype() {
        assertThrows(IllegalArgumentException.class, () -> Converter.from(model(true)).dtype(DType.I8));
    }

    @Test
    void floatsReadInRangesAndSlicesShareTheData() {
        Tensor w = model(true).tensor("w");
        float[] part = new float[2];
        w.readFloats(2, part, 0, 2);
        assertArrayEquals(new float[] {1f + 0x1p-8f, 65504f}, part);
        Tensor row = w.slice(1, 2);
        assertEquals(Shape.of(1, 2), row.shape());
        row.readFloats(0, part, 0, 2);
        assertArrayEquals(new float[] {1f + 0x1p-8f, 65504f}, part);
        assertThrows(IndexOutOfBoundsException.class, () -> w.readFloats(3, part, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> w.slice(1, 3));
        Tensor notView = model(false).tensor("w").slice(0, 1);
        notView.readFloats(0, part, 0, 2);
        assertArrayEquals(new float[] {1f, -2f}, part);
    }
}
