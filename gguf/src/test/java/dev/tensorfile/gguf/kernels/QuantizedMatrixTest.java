package dev.tensorfile.gguf.kernels;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.RemoteOptions;
import dev.tensorfile.core.loopback.LoopbackServer;
import dev.tensorfile.core.spi.RemoteFile;
import dev.tensorfile.gguf.GgufFormat;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The row view over tensors of real GGUF files (written by llama.cpp's tools, see {@code gguf/expected}): geometry,
 * rows as slices of the mapping, remote and big-endian files, closed files; and matVec over every tensor of a supported type
 * against dequantize-then-dot.
 */
class QuantizedMatrixTest {
    static Path fixtures() {
        try {
            return Path.of(QuantizedMatrixTest.class.getResource("/gguf/dv-be.gguf").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Path> files() throws Exception {
        try (Stream<Path> s = Files.list(fixtures())) {
            return s.filter(p -> p.toString().endsWith(".gguf") && !p.getFileName().toString().startsWith("dv-sharded"))
                    .sorted().toList();
        }
    }

    @Test
    void geometryOfAQ4KMatrixAndRowsAreSlicesOfTheMapping() {
        try (TensorFile f = TensorFiles.open(fixtures().resolve("dv-microllama-Q4_K_M.gguf"))) {
            Tensor t = f.tensor("token_embd.weight");
            assertEquals(DType.Q4_K, t.dtype());
            QuantizedMatrix m = QuantizedMatrix.of(t);
            // manifest: shape [64, 256], 9216 bytes
            assertEquals(64, m.rows());
            assertEquals(256, m.columns());
            assertEquals(256, m.blockElements());
            assertEquals(144, m.blockBytes());
            assertEquals(1, m.blocksPerRow());
            assertEquals(144, m.bytesPerRow());
            MemorySegment whole = t.bytes();
            for (long r : new long[] {0, 1, 63}) {
                MemorySegment row = m.row(r);
                assertEquals(144, row.byteSize());
                assertEquals(whole.address() + r * 144, row.address(), "row " + r + " is the mapping itself, not a copy");
            }
            assertThrows(IndexOutOfBoundsException.class, () -> m.row(64));
            assertThrows(IndexOutOfBoundsException.class, () -> m.row(-1));
        }
    }

    @Test
    void matVecOfEveryFixtureTensorIsDequantizeThenDotWithinTheBound() throws Exception {
        int checked = 0;
        List<DType> seen = new ArrayList<>();
        Dots impl = DotChoice.get();
        for (Path file : files()) {
            try (TensorFile f = TensorFiles.open(file)) {
                for (Tensor t : f.tensors()) {
                    if (!QuantizedKernels.supports(t.dtype()) || t.shape().rank() == 0) continue;
                    QuantizedMatrix m = QuantizedMatrix.of(t);
                    Random rnd = new Random(t.name().hashCode());
                    float[] x = new float[m.columns()];
                    for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
                    float[] y = new float[(int) m.rows()];
                    QuantizedKernels.matVec(m, x, y, null);
                    float[] w = new float[m.columns()];
                    for (int r = 0; r < m.rows(); r++) {
                        t.readFloats((long) r * m.columns(), w, 0, m.columns());   // the ggml-identical dequantizer
                        Weights.assertWithinBound(w, x, 0, y[r], impl, file.getFileName() + " " + t.name() + " row " + r);
                    }
                    checked++;
                    if (!seen.contains(t.dtype())) seen.add(t.dtype());
                }
            }
        }
        assertTrue(checked > 50, "tensors checked: " + checked);
        assertTrue(seen.containsAll(QuantizedKernels.TYPES), "types seen: " + seen);
    }

    @Test
    void aBigEndianFileIsViewedThroughItsLittleEndianDecode() {
        try (TensorFile f = TensorFiles.open(fixtures().resolve("dv-be.gguf"))) {
            for (Tensor t : f.tensors()) {
                if (!QuantizedKernels.supports(t.dtype()) || t.shape().rank() == 0) continue;
                QuantizedMatrix m = QuantizedMatrix.of(t);
                float[] w = new float[m.columns()];
                t.readFloats(0, w, 0, w.length);
                float[] x = new float[m.columns()];
                java.util.Arrays.fill(x, 1f);
                Weights.assertWithinBound(w, x, 0, QuantizedKernels.dot(m, 0, x, 0), DotChoice.get(), "dv-be " + t.name());
            }
        }
    }

    @Test
    void rejectsTypesWithoutKernelsAndRowsOfPartialBlocks() {
        try (TensorFile f = TensorFiles.open(fixtures().resolve("dv-microllama-Q2_K.gguf"))) {
            Tensor q2 = f.tensors().stream().filter(t -> t.dtype() == DType.Q2_K).findFirst().orElseThrow();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QuantizedMatrix.of(q2));
            assertTrue(e.getMessage().contains("Q2_K"), e.getMessage());
        }
        MemorySegment s = MemorySegment.ofArray(new byte[34 * 3]);
        assertThrows(IllegalArgumentException.class, () -> QuantizedMatrix.of(DType.Q8_0, s, 3, 48));
        assertThrows(IllegalArgumentException.class, () -> QuantizedMatrix.of(DType.Q8_0, s, 2, 32));
        assertEquals(3, QuantizedMatrix.of(DType.Q8_0, s, 3, 32).rows());
        assertThrows(IllegalArgumentException.class, () -> QuantizedKernels.dot(DType.Q8_0, s.asSlice(0, 33), new float[32], 0));
        assertThrows(IndexOutOfBoundsException.class, () -> QuantizedKernels.dot(DType.Q8_0, s.asSlice(0, 34), new float[32], 1));
        assertThrows(IndexOutOfBoundsException.class,
                () -> QuantizedKernels.matVec(QuantizedMatrix.of(DType.Q8_0, s, 3, 32), new float[32], new float[2]));
    }

    @Test
    void aViewUsedAfterItsFileIsClosedFailsNamingTheTensor() {
        QuantizedMatrix m;
        try (TensorFile f = TensorFiles.open(fixtures().resolve("dv-microllama-Q8_0.gguf"))) {
            m = QuantizedMatrix.of(f.tensors().stream().filter(t -> t.dtype() == DType.Q8_0).findFirst().orElseThrow());
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.row(0));
        assertTrue(e.getMessage().contains(m.name()), e.getMessage());
        assertThrows(IllegalStateException.class, () -> QuantizedKernels.matVec(m, new float[m.columns()], new float[(int) m.rows()]));
    }

    @Test
    void aRemoteTensorFetchesTheRowsItReadsAndGivesTheLocalBits() {
        Path file = fixtures().resolve("dv-microllama-Q4_K_M.gguf");
        RemoteOptions options = RemoteOptions.DEFAULT.withToken(null).withTimeout(java.time.Duration.ofSeconds(20));
        try (LoopbackServer server = LoopbackServer.start(fixtures());
             TensorFile local = TensorFiles.open(file);
             TensorFile remote = new GgufFormat().open(RemoteFile.open(server.uri(file), options), ReadLimits.DEFAULT)) {
            int checked = 0;
            for (Tensor lt : local.tensors()) {
                if (!QuantizedKernels.supports(lt.dtype()) || lt.shape().rank() < 2) continue;
                QuantizedMatrix lm = QuantizedMatrix.of(lt);
                QuantizedMatrix rm = QuantizedMatrix.of(remote.tensor(lt.name()));
                // an unfetched remote row reads as zeros: equal bytes prove the view fetched before reading
                long last = lm.rows() - 1;
                assertArrayEquals(lm.row(last).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                        rm.row(last).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), lt.name());
                float[] x = new float[lm.columns()];
                for (int i = 0; i < x.length; i++) x[i] = (i % 7) - 3;
                float[] ly = new float[(int) lm.rows()];
                float[] ry = new float[(int) lm.rows()];
                QuantizedKernels.matVec(lm, x, ly);
                QuantizedKernels.matVec(rm, x, ry);
                assertArrayEquals(ly, ry, 0f, lt.name());
                checked++;
            }
            assertTrue(checked > 5, "tensors checked: " + checked);
        }
    }
}
