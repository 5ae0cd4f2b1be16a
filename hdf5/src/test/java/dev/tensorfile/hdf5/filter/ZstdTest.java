package dev.tensorfile.hdf5.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.hdf5.format.AddressSpace;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our Zstandard decoder against frames the zstd tool wrote (hdf5/zstd/make_zstd_frames.py: raw and RLE blocks,
 * every literals and sequence table mode libzstd uses, several blocks, with and without checksums): each decodes to
 * the bytes the tool compressed. Blosc's zstd streams are covered by the HDF5 fixtures; these reach the rest.
 */
class ZstdTest {
    private static final Path DIR = Path.of("src/test/resources/hdf5/zstd");
    private static final AddressSpace SPACE = new AddressSpace(MemorySegment.ofArray(new byte[0]), 0, Path.of("frames.zst"),
            ReadLimits.DEFAULT);

    private static Map<String, JsonNode> frames() throws IOException {
        Map<String, JsonNode> m = new java.util.TreeMap<>();
        new ObjectMapper().readTree(DIR.resolve("frames.json").toFile()).properties().forEach(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }

    @TestFactory
    List<DynamicTest> everyFrameDecodesToWhatTheToolCompressed() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : frames().entrySet()) {
            tests.add(DynamicTest.dynamicTest(e.getKey(), () -> {
                byte[] in = Files.readAllBytes(DIR.resolve(e.getKey()));
                int length = e.getValue().get("length").asInt();
                byte[] out = new byte[length + 7];
                int n = Zstd.decompress(SPACE, in, 0, in.length, out, 3, length + 4, 1234);
                assertEquals(length, n);
                assertEquals(e.getValue().get("sha256").asText(), sha256(Arrays.copyOfRange(out, 3, 3 + n)));
            }));
        }
        return tests;
    }

    /** Output is bounded by the caller's room, whatever the frame declares: one byte less fails, naming the chunk. */
    @Test
    void rejectsFramesLargerThanTheirRoom() throws IOException {
        for (Map.Entry<String, JsonNode> e : frames().entrySet()) {
            byte[] in = Files.readAllBytes(DIR.resolve(e.getKey()));
            int length = e.getValue().get("length").asInt();
            MalformedFileException x = assertThrows(MalformedFileException.class,
                    () -> Zstd.decompress(SPACE, in, 0, in.length, new byte[length], 0, length - 1, 1234), e.getKey());
            assertTrue(x.getMessage().contains("chunk at byte 1234") && x.getMessage().contains("zstd"), x.getMessage());
        }
    }

    /** Every frame cut short, and with bytes flipped, fails typed (or decodes, for flips the format cannot see). */
    @Test
    void truncatedAndCorruptedFramesFailTyped() throws IOException {
        java.util.Random rng = new java.util.Random(8878);
        for (Map.Entry<String, JsonNode> e : frames().entrySet()) {
            byte[] in = Files.readAllBytes(DIR.resolve(e.getKey()));
            int length = e.getValue().get("length").asInt();
            for (int cut : new int[] {1, in.length / 2, in.length - 1}) {
                if (cut <= 0 || cut >= in.length) continue;
                assertThrows(MalformedFileException.class,
                        () -> Zstd.decompress(SPACE, in, 0, cut, new byte[length], 0, length, 0), e.getKey() + " cut at " + cut);
            }
            for (int round = 0; round < 30; round++) {
                byte[] b = in.clone();
                for (int k = 0; k < 3; k++) b[4 + rng.nextInt(b.length - 4)] ^= (byte) (1 << rng.nextInt(8));
                try {
                    Zstd.decompress(SPACE, b, 0, b.length, new byte[length], 0, length, 0);
                } catch (MalformedFileException | dev.tensorfile.core.UnsupportedFeatureException expected) {
                    // the contract: a typed error
                }
            }
        }
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
