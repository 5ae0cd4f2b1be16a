/**
 * The chunk filters a reader undoes (HDF5 specification IV.A.2.l and the registered third-party filters):
 * {@code Filters} runs a chunk's pipeline in reverse and implements deflate, shuffle and fletcher32 itself; LZF
 * ({@code Lzf}, 32000), Blosc ({@code Blosc}, 32001, with {@code BloscLz} and a Zstandard decoder {@code Zstd} after
 * RFC 8878), LZ4 ({@code Lz4}, 32004), bitshuffle ({@code Bitshuffle}, 32008) and szip ({@code Szip}, 4, as libaec
 * decodes it) each have their class. All pure Java.
 *
 * <p>Every decoder writes into a buffer of the size the chunk declares (plus 4 bytes per fletcher32 earlier in the
 * pipeline) and fails, with a {@link dev.tensorfile.core.MalformedFileException} naming the chunk's byte offset,
 * when a stream or a header would make more: a decompression bomb costs nothing. Internal to the module.
 */
package dev.tensorfile.hdf5.filter;
