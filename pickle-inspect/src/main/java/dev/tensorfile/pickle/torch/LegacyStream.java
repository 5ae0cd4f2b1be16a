package dev.tensorfile.pickle.torch;

import java.math.BigInteger;

/**
 * The legacy {@code torch.save} stream (before 1.6, torch {@code serialization.py _legacy_save}): five pickles (the
 * magic number, the protocol version, sys_info, the object, the storage keys) and then each storage's raw bytes,
 * which torch never unpickles.
 */
public final class LegacyStream {
    private LegacyStream() {}

    /** PyTorch's legacy magic number 0x1950a86a20f9469cfc6c, as the first pickle writes it (LONG1 of 10 bytes). */
    public static final byte[] MAGIC = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46,
            (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};

    /** The magic number the first pickle holds. */
    public static final BigInteger MAGIC_NUMBER = new BigInteger("1950a86a20f9469cfc6c", 16);

    /** The protocol version the second pickle holds. */
    public static final long PROTOCOL_VERSION = 1001;

    /** How many pickles precede the storages' raw bytes. */
    public static final int PICKLES = 5;
}
