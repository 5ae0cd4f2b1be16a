package dev.tensorfile.gguf.quant;

import dev.tensorfile.core.spi.LittleEndian;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tensorfile.core.DType;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Test-only access to the copied GGUF fixtures (src/test/resources/quant, see prepare.py there). The GGUF reader is
 * written elsewhere, so tensors are sliced out of the raw file with the {@code data_offset}/{@code nbytes} that
 * gguf-py wrote into each manifest; the truth (expected floats, hashes) also comes only from the manifests and npys.
 */
final class QuantFixtures {
    private static final ObjectMapper JSON = new ObjectMapper();

    private QuantFixtures() {}

    /** One tensor of a fixture file, as its manifest describes it. */
    record FixtureTensor(String file, String name, DType dtype, long[] shape, int elements, long dataOffset,
                         long nbytes, String f32Sha256, String dequantNpy, MemorySegment data) {
        /** The tensor's bytes. */
        MemorySegment bytes() {
            return data.asSlice(dataOffset, nbytes);
        }
    }

    private static final java.util.Map<String, byte[]> CACHE = new java.util.concurrent.ConcurrentHashMap<>();

    static byte[] resource(String name) {
        return CACHE.computeIfAbsent(name, QuantFixtures::load);
    }

    private static byte[] load(String name) {
        try (InputStream in = QuantFixtures.class.getResourceAsStream("/quant/" + name)) {
            if (in == null) throw new IllegalStateException("missing test resource quant/" + name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The tensors of fixture {@code file} (e.g. {@code dv-microllama-Q4_0.gguf}), in manifest order. */
    static List<FixtureTensor> tensors(String file) {
        MemorySegment data = MemorySegment.ofArray(resource(file));
        JsonNode m;
        try {
            m = JSON.readTree(new String(resource(file + ".json"), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<FixtureTensor> out = new ArrayList<>();
        for (JsonNode t : m.get("tensors")) {
            JsonNode shapeNode = t.get("shape");
            long[] shape = new long[shapeNode.size()];
            for (int i = 0; i < shape.length; i++) shape[i] = shapeNode.get(i).asLong();
            out.add(new FixtureTensor(file, t.get("name").asText(), DType.valueOf(t.get("dtype").asText()), shape,
                    t.get("n_elements").asInt(), t.get("data_offset").asLong(), t.get("nbytes").asLong(),
                    t.get("f32_sha256").asText(), t.has("dequant_npy") ? t.get("dequant_npy").asText() : null, data));
        }
        return out;
    }

    static FixtureTensor tensor(String file, String name) {
        return tensors(file).stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    /** The float32 values of a tensor of {@code dv-microllama-F32.gguf}: the quantizers' source. */
    static float[] f32Source(String name) {
        FixtureTensor t = tensor("dv-microllama-F32.gguf", name);
        float[] f = new float[t.elements()];
        MemorySegment.copy(t.bytes(), LittleEndian.FLOAT, 0, f, 0, f.length);
        return f;
    }

    /** True if the npy reference of this manifest path was copied (one per type is). */
    static boolean hasNpy(String dequantNpy) {
        return dequantNpy != null
                && QuantFixtures.class.getResource("/quant/npy/" + dequantNpy.substring(dequantNpy.lastIndexOf('/') + 1)) != null;
    }

    /** Reads a little-endian float32 C-order .npy (format 1.0/2.0) into a flat array; checks the header says so. */
    static float[] npy(String dequantNpy) {
        byte[] b = resource("npy/" + dequantNpy.substring(dequantNpy.lastIndexOf('/') + 1));
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        if (b[0] != (byte) 0x93 || !new String(b, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")) {
            throw new IllegalStateException("not an npy file: " + dequantNpy);
        }
        int major = b[6];
        int headerLen = major == 1 ? bb.getShort(8) & 0xFFFF : bb.getInt(8);
        int headerStart = major == 1 ? 10 : 12;
        String header = new String(b, headerStart, headerLen, StandardCharsets.ISO_8859_1);
        if (!header.contains("'descr': '<f4'") || !header.contains("'fortran_order': False")) {
            throw new IllegalStateException("unexpected npy header " + header);
        }
        int dataStart = headerStart + headerLen;
        float[] f = new float[(b.length - dataStart) / 4];
        bb.position(dataStart);
        bb.asFloatBuffer().get(f);
        return f;
    }

    /** SHA-256 of the floats as little-endian float32 bytes, as the manifests' {@code f32_sha256}. */
    static String sha256(float[] f) {
        ByteBuffer bb = ByteBuffer.allocate(f.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bb.asFloatBuffer().put(f);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bb.array()));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The codec for {@code type} among those every {@link dev.tensorfile.core.spi.BlockCodecProvider} on the path
     * registers through {@link java.util.ServiceLoader}, as core finds them; null if none does.
     */
    static dev.tensorfile.core.spi.BlockCodec registered(DType type) {
        for (var p : java.util.ServiceLoader.load(dev.tensorfile.core.spi.BlockCodecProvider.class)) {
            for (var c : p.codecs()) if (c.dtype() == type) return c;
        }
        return null;
    }

    /** {@link #registered}, required. */
    static dev.tensorfile.core.spi.BlockCodec codec(DType type) {
        var c = registered(type);
        if (c == null) throw new AssertionError("no codec registered for " + type);
        return c;
    }
}
