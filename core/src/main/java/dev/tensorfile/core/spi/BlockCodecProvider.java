package dev.tensorfile.core.spi;

import java.util.List;

/** Supplies block codecs to {@link BlockCodecs} through {@link java.util.ServiceLoader}. */
public interface BlockCodecProvider {
    /** The codecs this provider implements. */
    List<BlockCodec> codecs();
}
