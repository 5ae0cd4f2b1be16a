package dev.tensorfile.core;

import dev.tensorfile.core.spi.BlockCodec;
import dev.tensorfile.core.spi.BlockCodecProvider;

import java.util.EnumMap;
import java.util.Map;
import java.util.ServiceLoader;

/** The registry of {@link BlockCodec}s, loaded once from every {@link BlockCodecProvider} on the path. */
final class BlockCodecs {
    private BlockCodecs() {}

    private static final class Holder {
        static final Map<DType, BlockCodec> CODECS = load();

        private static Map<DType, BlockCodec> load() {
            Map<DType, BlockCodec> m = new EnumMap<>(DType.class);
            for (BlockCodecProvider p : ServiceLoader.load(BlockCodecProvider.class, BlockCodecs.class.getClassLoader())) {
                for (BlockCodec c : p.codecs()) m.putIfAbsent(c.dtype(), c);
            }
            return m;
        }
    }

    /**
     * The codec for {@code type}.
     *
     * @throws UnsupportedOperationException if no module on the path provides one
     */
    public static BlockCodec forType(DType type) {
        BlockCodec c = Holder.CODECS.get(type);
        if (c == null) {
            throw new UnsupportedOperationException("no codec for " + type + " (is tensorfile-gguf on the path?)");
        }
        return c;
    }

    /** True if a codec for {@code type} is present. */
    public static boolean has(DType type) { return Holder.CODECS.containsKey(type); }
}
