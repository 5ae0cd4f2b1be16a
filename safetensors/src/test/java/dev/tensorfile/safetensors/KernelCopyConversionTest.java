package dev.tensorfile.safetensors;

import dev.tensorfile.core.Converter;
import dev.tensorfile.core.DType;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.Shape;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.TensorWriter;
import dev.tensorfile.core.WriteOptions;
import dev.tensorfile.core.spi.SegmentTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * Tensors of 1 MiB and more that are views of a mapped file are copied by the kernel when converting
 * ({@code TensorSink.transferFrom}); the bytes must be exactly the source's, at unaligned source offsets too, with
 * the small tensors around them still copied through the mapping.
 */
class KernelCopyConversionTest {
    @TempDir Path dir;

    @Test
    void largeViewsAreCopiedExactlyBetweenSmallOnes() throws IOException {
        byte[] big = new byte[3 * (1 << 20) + 1];       // U8: odd length, so the next tensor starts unaligned
        byte[] big2 = new byte[(1 << 20) + 16];
        byte[] small = new byte[7];
        SplittableRandom random = new SplittableRandom(3);
        for (byte[] b : List.of(big, big2, small)) for (int i = 0; i < b.length; i++) b[i] = (byte) random.nextInt();
        Path source = dir.resolve("in.safetensors");
        List<TensorInfo> infos = List.of(TensorInfo.of("a.big", DType.U8, Shape.of(big.length)),
                TensorInfo.of("b.big2", DType.U8, Shape.of(big2.length)), TensorInfo.of("c.small", DType.U8, Shape.of(small.length)));
        try (TensorWriter w = TensorFiles.format("safetensors").orElseThrow().newWriter(source, WriteOptions.NONE)) {
            for (TensorInfo t : w.declare(Metadata.empty(), infos)) {
                w.write(t.name(), MemorySegment.ofArray(switch (t.name()) {
                    case "a.big" -> big;
                    case "b.big2" -> big2;
                    default -> small;
                }));
            }
        }
        Path out = dir.resolve("out.safetensors");
        try (TensorFile in = TensorFiles.open(source)) {
            assertInstanceOf(SegmentTensor.class, in.tensor("a.big"));
            Converter.from(in).to(out);
        }
        assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(out), "same tensors, same order: same bytes");
        try (TensorFile f = TensorFiles.open(out)) {
            for (Tensor t : f.tensors()) {
                byte[] want = switch (t.name()) {
                    case "a.big" -> big;
                    case "b.big2" -> big2;
                    default -> small;
                };
                assertArrayEquals(want, t.bytes().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), t.name());
            }
            assertEquals(3, f.tensors().size());
        }
    }
}
