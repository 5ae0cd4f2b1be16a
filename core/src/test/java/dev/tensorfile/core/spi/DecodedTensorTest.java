package dev.tensorfile.core.spi;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.LimitExceededException;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.Shape;
import dev.tensorfile.core.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DecodedTensorTest {
    @TempDir Path dir;

    /** Decodes byte i as the value 3 * i, and records every range it was asked for. */
    static final class Counting extends DecodedTensor {
        final List<long[]> ranges = new ArrayList<>();

        Counting(TensorInfo info, MappedFile owner) { super(info, owner); }

        Counting(TensorInfo info, MappedFile owner, ReadLimits limits) { super(info, owner, "test", limits); }

        @Override
        protected void decode(long byteOffset, MemorySegment dst) {
            ranges.add(new long[] {byteOffset, dst.byteSize()});
            for (long i = 0; i < dst.byteSize(); i++) dst.set(ValueLayout.JAVA_BYTE, i, (byte) (3 * (byteOffset + i)));
        }
    }

    private MappedFile file() throws IOException {
        return MappedFile.open(Files.write(dir.resolve("f.bin"), new byte[] {1}), "test");
    }

    @Test
    void rangeReadsDecodeOnlyTheirRangeUntilTheWholeTensorIsDecoded() throws IOException {
        try (MappedFile f = file()) {
            Counting t = new Counting(TensorInfo.of("t", DType.U8, Shape.of(10)), f);
            assertFalse(t.isView());
            byte[] part = new byte[3];
            t.readBytes(4, MemorySegment.ofArray(part));
            assertArrayEquals(new byte[] {12, 15, 18}, part);
            assertEquals(1, t.ranges.size());
            assertArrayEquals(new long[] {4, 3}, t.ranges.get(0));
            t.readBytes(10, MemorySegment.ofArray(new byte[0]));
            assertEquals(1, t.ranges.size(), "an empty range decodes nothing");

            MemorySegment whole = t.bytes();
            assertSame(whole, t.bytes(), "decoded once");
            assertEquals(27, whole.get(ValueLayout.JAVA_BYTE, 9));
            assertEquals(2, t.ranges.size());
            t.readBytes(1, MemorySegment.ofArray(part));
            assertArrayEquals(new byte[] {3, 6, 9}, part);
            assertEquals(2, t.ranges.size(), "later range reads copy from the whole");
        }
    }

    @Test
    void rangesOutsideTheTensorAndUseAfterCloseAreRefusedByName() throws IOException {
        MappedFile f = file();
        Counting t = new Counting(TensorInfo.of("w", DType.U8, Shape.of(4)), f);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> t.readBytes(3, MemorySegment.ofArray(new byte[2])));
        assertEquals("w: bytes [3, 5) outside 4", e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> t.readBytes(-1, MemorySegment.ofArray(new byte[1])));
        f.close();
        IllegalStateException closed = assertThrows(IllegalStateException.class, t::bytes);
        assertEquals("tensor 'w' used after " + f.path() + " was closed", closed.getMessage());
        assertThrows(IllegalStateException.class, () -> t.readBytes(0, MemorySegment.ofArray(new byte[1])));
        assertEquals(0, t.ranges.size());
    }

    @Test
    void aWholeDecodeOverTheLimitIsRefusedTypedBeforeAnythingIsAllocatedAndRangesStillRead() throws IOException {
        try (MappedFile f = file()) {
            Counting t = new Counting(TensorInfo.of("t", DType.U8, Shape.of(10)), f,
                    ReadLimits.DEFAULT.withMaxWholeDecodeBytes(8));
            LimitExceededException e = assertThrows(LimitExceededException.class, t::bytes);
            assertEquals("test: " + f.path() + ": tensor 't': a whole decode needs 10 bytes, over the limit of 8 bytes"
                    + " (ReadLimits.maxWholeDecodeBytes); read it in ranges", e.getMessage());
            assertEquals("t", e.tensor());
            assertEquals(10, e.requestedBytes());
            assertEquals(0, t.ranges.size(), "nothing decoded");
            byte[] part = new byte[2];
            t.readBytes(8, MemorySegment.ofArray(part));
            assertArrayEquals(new byte[] {24, 27}, part);
        }
    }

    @Test
    void aWholeDecodeTheJvmCannotReserveIsTheTypedErrorNotAnOutOfMemoryError() throws IOException {
        try (MappedFile f = file()) {
            // 1 PiB under a limit that allows it: the arena's reservation fails (direct memory, or the machine)
            Counting t = new Counting(TensorInfo.of("petabyte", DType.U8, Shape.of(1L << 50)), f,
                    ReadLimits.DEFAULT.withMaxWholeDecodeBytes(Long.MAX_VALUE));
            LimitExceededException e = assertThrows(LimitExceededException.class, t::bytes);
            String m = e.getMessage();
            assertTrue(m.startsWith("test: " + f.path() + ": tensor 'petabyte': a whole decode needs 1125899906842624"
                    + " bytes, more than the JVM can allocate ("), m);
            assertTrue(m.endsWith("); read it in ranges") && !m.contains("\n"), m);
            assertEquals(0, t.ranges.size(), "nothing decoded");
        }
    }

    @Test
    void aSliceOfADecodedTensorTooLargeToReserveIsTheTypedError() throws IOException {
        try (MappedFile f = file()) {
            Counting t = new Counting(TensorInfo.of("rows", DType.U8, Shape.of(1L << 20, 1L << 30)), f);
            LimitExceededException e = assertThrows(LimitExceededException.class, () -> t.slice(0, 1L << 19).bytes());
            assertEquals("rows", e.tensor());
            assertEquals(1L << 49, e.requestedBytes());
            assertEquals(0, t.ranges.size(), "nothing decoded");
        }
    }
}
