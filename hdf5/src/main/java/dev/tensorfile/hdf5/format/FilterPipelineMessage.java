package dev.tensorfile.hdf5.format;

import dev.tensorfile.core.spi.ByteCursor;

import java.util.ArrayList;
import java.util.List;

/**
 * The filter pipeline message (spec IV.A.2.l), versions 1 and 2: the filters applied to each chunk on write, in
 * order; a reader undoes them in reverse.
 */
public record FilterPipelineMessage(List<Filter> filters) {
    public static final FilterPipelineMessage NONE = new FilterPipelineMessage(List.of());

    /** Filter identifiers: the spec's (IV.A.2.l) and the registered third-party ones this library knows. */
    public static final int DEFLATE = 1, SHUFFLE = 2, FLETCHER32 = 3, SZIP = 4, NBIT = 5, SCALEOFFSET = 6, LZF = 32000,
            BLOSC = 32001, LZ4 = 32004, BITSHUFFLE = 32008, ZSTD = 32015;

    /** The name of a filter this library knows by its identifier, or null. */
    static String knownName(int id) {
        return switch (id) {
            case DEFLATE -> "deflate";
            case SHUFFLE -> "shuffle";
            case FLETCHER32 -> "fletcher32";
            case SZIP -> "szip";
            case NBIT -> "nbit";
            case SCALEOFFSET -> "scaleoffset";
            case LZF -> "lzf";
            case BLOSC -> "blosc";
            case LZ4 -> "lz4";
            case BITSHUFFLE -> "bitshuffle";
            case ZSTD -> "zstd";
            default -> null;
        };
    }

    /**
     * One filter.
     *
     * @param id 1 deflate, 2 shuffle, 3 fletcher32, 4 szip, 5 nbit, 6 scale-offset, 32000+ registered third-party
     * @param name the name the file gives it (may be empty)
     * @param flags bit 0: optional (may be skipped for a chunk, which its filter mask says)
     * @param clientData the filter's parameters
     */
    public record Filter(int id, String name, int flags, int[] clientData) {
        public String describe() {
            String known = knownName(id);
            String n = name.isEmpty() ? known : name;
            return id + (n == null ? "" : " (" + n + ")");
        }
    }

    public static FilterPipelineMessage read(AddressSpace space, ObjectHeader.Message m) {
        ByteCursor c = m.cursor(space, "filter pipeline message");
        int version = c.u8();
        int count = c.u8();
        if (version == 1) c.skip(6);
        else if (version != 2) throw c.failAt(0, "filter pipeline version " + version + " is not 1 or 2");
        if (count > 32) throw c.failAt(1, count + " filters: HDF5 allows at most 32");
        List<Filter> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int id = AddressSpace.u16(c);
            int nameLength = version == 1 || id >= 256 ? AddressSpace.u16(c) : 0;
            int flags = AddressSpace.u16(c);
            int nvalues = AddressSpace.u16(c);
            String name = "";
            if (nameLength > 0) {
                byte[] b = c.bytes(version == 1 ? (nameLength + 7) / 8 * 8 : nameLength);
                int n = 0;
                while (n < b.length && b[n] != 0) n++;
                name = new String(b, 0, n, java.nio.charset.StandardCharsets.US_ASCII);
            }
            c.requireCount(nvalues, 4, "filter client data");
            int[] data = new int[nvalues];
            for (int k = 0; k < nvalues; k++) data[k] = AddressSpace.i32(c);
            if (version == 1 && nvalues % 2 == 1) c.skip(4);
            list.add(new Filter(id, name, flags, data));
        }
        return new FilterPipelineMessage(List.copyOf(list));
    }

    /**
     * Filter pipeline version 2 (what the writer emits): shuffle (with the element size) then deflate, both
     * optional, as h5py's {@code compression='gzip', shuffle=True}.
     */
    public static byte[] encodeShuffleDeflate(int elementSize, int level) {
        return new ByteEncoder().u8(2).u8(2)
                .u16(SHUFFLE).u16(1).u16(1).u32(elementSize)
                .u16(DEFLATE).u16(1).u16(1).u32(level).toBytes();
    }
}
