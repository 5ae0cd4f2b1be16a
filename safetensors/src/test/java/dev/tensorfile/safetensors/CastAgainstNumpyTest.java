package dev.tensorfile.safetensors;

import dev.tensorfile.core.spi.LittleEndian;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tensorfile.core.Converter;
import dev.tensorfile.core.DType;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.testframework.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Core's element conversions checked against numpy ({@code src/test/resources/cast/make_cast_vectors.py}):
 * LittleEndian.FLOAT → F16 and LittleEndian.FLOAT → BF16 round to nearest even with NaN and infinities kept, at the 65504/65520 boundary, on
 * ties, subnormals and random values; F16 → LittleEndian.FLOAT and BF16 → LittleEndian.FLOAT widen every one of the 65536 patterns exactly
 * (F16 NaNs: the JDK quiets a signaling NaN where numpy keeps it signaling; checked as NaN with sign and payload).
 * Through the public API: {@link Converter} casting to safetensors, and {@link Tensor#readFloats} on a file that
 * holds every 16-bit pattern.
 */
class CastAgainstNumpyTest {

    @TempDir Path dir;

    private static Path vectors() { return Fixtures.resources("cast").file("cast-vectors.safetensors"); }

    private static float[] inputs(TensorFile f) {
        Tensor t = f.tensor("f32");
        float[] x = new float[(int) t.elementCount()];
        t.readFloats(0, x, 0, x.length);
        return x;
    }

    @Test
    void narrowingMatchesNumpyBitForBit() {
        for (DType type : new DType[] {DType.F16, DType.BF16}) {
            Path out = dir.resolve(type + "-narrowed.safetensors");
            try (TensorFile in = TensorFiles.open(vectors())) {
                Converter.from(in).dtype(type).to(out);
            }
            try (TensorFile f = TensorFiles.open(vectors()); TensorFile cast = TensorFiles.open(out)) {
                float[] x = inputs(f);
                MemorySegment want = f.tensor(type == DType.F16 ? "f16" : "bf16").bytes();
                MemorySegment got = cast.tensor("f32").bytes();
                for (int i = 0; i < x.length; i++) {
                    short w = want.get(LittleEndian.SHORT, 2L * i), g = got.get(LittleEndian.SHORT, 2L * i);
                    int index = i;
                    assertEquals(w, g, () -> type + " of " + x[index] + " (0x" + Integer.toHexString(Float.floatToRawIntBits(x[index]))
                            + "): numpy 0x" + Integer.toHexString(w & 0xFFFF) + ", ours 0x" + Integer.toHexString(g & 0xFFFF));
                }
            }
        }
    }

    /** A safetensors file holding one tensor {@code p} of every 16-bit pattern in {@code type}, written by hand. */
    private Path everyPattern(DType type) throws java.io.IOException {
        byte[] header = ("{\"p\":{\"dtype\":\"" + type.name() + "\",\"shape\":[65536],\"data_offsets\":[0,131072]}}")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int padded = (header.length + 7) & ~7;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + padded + 2 * 65536).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(header);
        for (int i = header.length; i < padded; i++) b.put((byte) ' ');
        for (int i = 0; i < 65536; i++) b.putShort((short) i);
        Path file = dir.resolve(type + "-patterns.safetensors");
        java.nio.file.Files.write(file, b.array());
        return file;
    }

    @Test
    void boundariesAreAmongTheVectors() {
        // The vectors hold what the issue names: NaN, ±inf, subnormals, ties, 65504 and 65520.
        try (TensorFile f = TensorFiles.open(vectors())) {
            float[] x = inputs(f);
            java.util.Set<Float> s = new java.util.HashSet<>();
            for (float v : x) s.add(v);
            for (float v : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 65504f, 65520f,
                    -65520f, Float.MIN_VALUE, 0x1p-25f, 1f + 0x1p-11f}) {
                assertEquals(true, s.contains(v), "vector " + v);
            }
        }
    }

    @Test
    void wideningEveryPatternMatchesNumpy() throws java.io.IOException {
        JsonNode want = Fixtures.readJson(Fixtures.resources("cast").file("cast-widening.json"));
        try (Arena arena = Arena.ofConfined();
             TensorFile f16 = TensorFiles.open(everyPattern(DType.F16));
             TensorFile bf16 = TensorFiles.open(everyPattern(DType.BF16))) {
            for (DType type : new DType[] {DType.F16, DType.BF16}) {
                String key = type == DType.F16 ? "f16" : "bf16";
                Tensor all = (type == DType.F16 ? f16 : bf16).tensor("p");
                float[] floats = new float[65536];
                all.readFloats(0, floats, 0, 65536);
                MemorySegment direct = arena.allocate(4 * 65536 + 1).asSlice(1, 4 * 65536); // unaligned on purpose
                all.readFloats(0, direct, 0, 65536);
                for (int i = 0; i < 65536; i++) {
                    assertEquals(Float.floatToRawIntBits(floats[i]), direct.get(LittleEndian.INT, 4L * i), type + " float[] and segment agree at " + i);
                }
                // Finite and infinite patterns: bit for bit what numpy gives.
                int expBits = type == DType.F16 ? 0x7C00 : 0x7F80, sigBits = type == DType.F16 ? 0x03FF : 0x007F;
                MemorySegment nonNaN = arena.allocate(4 * 65536);
                int n = 0, nans = 0;
                for (int i = 0; i < 65536; i++) {
                    if ((i & expBits) == expBits && (i & sigBits) != 0) {
                        nans++;
                        // NaN patterns: still NaN, same sign, payload kept in the high significand bits.
                        int bits = Float.floatToRawIntBits(floats[i]);
                        int shift = type == DType.F16 ? 13 : 16;
                        assertTrue(Float.isNaN(floats[i]), type + " " + Integer.toHexString(i));
                        assertEquals(i >>> 15, bits >>> 31, type + " NaN sign " + Integer.toHexString(i));
                        assertEquals((i & sigBits) << shift | 0x00400000, (bits & 0x007FFFFF) | 0x00400000,
                                type + " NaN payload " + Integer.toHexString(i));
                        continue;
                    }
                    nonNaN.set(LittleEndian.FLOAT, 4L * n++, floats[i]);
                }
                assertEquals(want.path(key + "_nan_patterns").asInt(), nans);
                assertEquals(want.path(key + "_non_nan_patterns_to_f32_sha256").asText(),
                        Fixtures.sha256(nonNaN.asSlice(0, 4L * n)), type + " widening");
            }
            // bfloat16 widening is a shift: every pattern, NaNs included, is bit for bit numpy's.
            MemorySegment bf = arena.allocate(4 * 65536);
            bf16.tensor("p").readFloats(0, bf, 0, 65536);
            assertEquals(want.path("bf16_all_patterns_to_f32_sha256").asText(), Fixtures.sha256(bf));
        }
    }

    @Test
    void converterCastsAsNumpyDoes() {
        for (DType type : new DType[] {DType.F16, DType.BF16}) {
            Path out = dir.resolve(type + ".safetensors");
            try (TensorFile in = TensorFiles.open(vectors())) {
                Converter.from(in).dtype(type).to(out);
            }
            try (TensorFile in = TensorFiles.open(vectors()); TensorFile cast = TensorFiles.open(out)) {
                Tensor t = cast.tensor("f32");
                assertEquals(type, t.dtype());
                MemorySegment want = in.tensor(type == DType.F16 ? "f16" : "bf16").bytes();
                assertEquals(-1, want.mismatch(t.bytes()), type + " cast through Converter");
            }
        }
    }
}
