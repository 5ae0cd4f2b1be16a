package dev.tensorfile.core.spi;

import java.util.List;

/** Supplies block codecs to core (for {@link dev.tensorfile.core.Tensor#readFloats} and casts) through {@link java.util.ServiceLoader}. */
public interface BlockCodecProvider {
    /** The codecs this provider implements. */
    List<BlockCodec> codecs();
}
