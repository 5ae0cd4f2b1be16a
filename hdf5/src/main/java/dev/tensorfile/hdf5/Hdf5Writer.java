package dev.tensorfile.hdf5;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.UnsupportedFeatureException;
import dev.tensorfile.core.WriteOptions;
import dev.tensorfile.core.spi.AbstractTensorWriter;
import dev.tensorfile.core.spi.AtomicFileOutput;
import dev.tensorfile.hdf5.format.AddressSpace;
import dev.tensorfile.hdf5.format.AttributeValues;
import dev.tensorfile.hdf5.format.BTreeV1;
import dev.tensorfile.hdf5.format.DataLayoutMessage;
import dev.tensorfile.hdf5.format.DataspaceMessage;
import dev.tensorfile.hdf5.format.DatatypeMessage;
import dev.tensorfile.hdf5.format.FillValueMessage;
import dev.tensorfile.hdf5.format.FilterPipelineMessage;
import dev.tensorfile.hdf5.format.GlobalHeap;
import dev.tensorfile.hdf5.format.Group;
import dev.tensorfile.hdf5.format.LinkMessage;
import dev.tensorfile.hdf5.format.ObjectHeader;
import dev.tensorfile.hdf5.format.Superblock;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Writes an HDF5 file by streaming: the data of each dataset goes to the file as it is fed (contiguous, or cut into
 * row-block chunks that are shuffled and deflated), and the metadata — global heap for strings, chunk B-trees,
 * object headers, groups — follows the data; the superblock at offset 0 is written last. The structure versions:
 * superblock 2, object headers 2, new-style compact groups with link info and group info messages, compact
 * attributes behind an attribute info message, layout message 3 (contiguous, or chunked with a version 1 B-tree),
 * all of which libhdf5 reads since 1.8 (1.10 and later included) and none of which needs the shared message table or
 * the superblock extension ({@code docs/hdf5-writer.md} says why). A subclass may wrap the HDF5 bytes in a container
 * (the {@code .keras} zip): addresses are then relative to where the HDF5 bytes start.
 *
 * <p>This class decides what goes where; each structure is encoded by the class that parses it
 * ({@link Superblock#encodeV2}, {@link ObjectHeader#encodeV2}, {@link BTreeV1#encodeChunks}, {@link GlobalHeap.Writer},
 * {@link DatatypeMessage#encode}, {@link AttributeValues#encode}, ...), so a reader and its writer cannot drift apart.
 */
class Hdf5Writer extends AbstractTensorWriter {
    private static final int ALIGN = 64;
    /** About 1 MiB of elements per chunk: h5py's guess aims at 10 KiB–1 MiB; larger chunks deflate faster. */
    static final long TARGET_CHUNK = 1 << 20;

    private final int level;
    private final boolean compress;
    private final long targetChunk;
    final List<String> notes = new ArrayList<>();
    private AtomicFileOutput out;
    /** Where the HDF5 bytes start in the output (non-zero inside a container such as a {@code .keras} zip). */
    private long base;
    /** CRC-32 of the HDF5 bytes after the superblock's 64-byte slot, when a container needs it. */
    private CRC32 crc;
    private final ChunkCompressor compressor;
    private Node root;
    private final Map<String, DatasetState> datasets = new LinkedHashMap<>();
    private DatasetState current;

    Hdf5Writer(Path destination, WriteOptions options) {
        this(destination, options, "hdf5", TARGET_CHUNK);
    }

    /** For containers and tests: another format name for messages, another chunk size target. */
    Hdf5Writer(Path destination, WriteOptions options, String format, long targetChunk) {
        super(destination, format);
        this.targetChunk = targetChunk;
        String c = options.get("compress").orElse(null);
        if (c == null || c.equalsIgnoreCase("false") || c.equalsIgnoreCase("none")) {
            compress = false;
            level = 0;
        } else {
            String[] p = c.split(":");
            if (!p[0].equalsIgnoreCase("gzip") && !p[0].equalsIgnoreCase("true")) {
                throw new TensorFileException(format, destination, "compress '" + c + "': only gzip[:LEVEL] is supported");
            }
            compress = true;
            try {
                level = p.length > 1 ? Integer.parseInt(p[1]) : 4; // h5py's default gzip level
            } catch (NumberFormatException e) {
                throw new TensorFileException(format, destination, "compress '" + c + "': level is not a number");
            }
            if (level < 0 || level > 9) throw new TensorFileException(format, destination, "gzip level " + level + " is not 0 to 9");
        }
        // a few threads deflate while the writer reads its source: a 2-core machine gets 2
        compressor = compress ? new ChunkCompressor(level, Math.min(8, Runtime.getRuntime().availableProcessors()), format, destination) : null;
    }

    // ---- container hooks: a format that embeds the HDF5 bytes (the .keras zip) overrides these ----

    /** Takes the metadata the container carries itself; the rest becomes HDF5 attributes. */
    Metadata containerMetadata(Metadata metadata) { return metadata; }

    /** Writes what precedes the HDF5 bytes. */
    void beginContainer(AtomicFileOutput out) {}

    /** True if {@link #endContainer} needs the CRC-32 of the HDF5 bytes. */
    boolean needsCrc() { return false; }

    /**
     * Writes what follows the HDF5 bytes.
     *
     * @param start where the HDF5 bytes start in the output
     * @param length their length
     * @param crc32 their CRC-32, if {@link #needsCrc()}
     */
    void endContainer(AtomicFileOutput out, long start, long length, int crc32) {}

    /** A group or dataset of the tree to be written. */
    private static final class Node {
        final String name;
        final Map<String, Node> children = new LinkedHashMap<>();
        final List<byte[]> attributes = new ArrayList<>();
        final Map<String, MetadataValue> pendingAttributes = new LinkedHashMap<>();
        DatasetState dataset;
        long address;

        Node(String name) { this.name = name; }
    }

    /** What is known of one dataset while its data is written. */
    private static final class DatasetState {
        final TensorInfo info;
        final long[] dims;
        final long[] chunk;
        final int elementSize;
        long dataAddress = AddressSpace.UNDEFINED;
        final List<long[]> chunks = new ArrayList<>(); // scaled..., address, size
        byte[] buffer;
        int filled;
        long chunkIndex;
        long written;

        DatasetState(TensorInfo info, long[] chunk) {
            this.info = info;
            this.dims = info.shape().dims();
            this.chunk = chunk;
            this.elementSize = info.dtype().blockBytes();
        }

        boolean chunked() { return chunk != null; }
    }

    @Override
    public List<String> notes() { return List.copyOf(notes); }

    @Override
    protected List<TensorInfo> plan(Metadata metadata, List<TensorInfo> tensors) {
        root = new Node("");
        for (TensorInfo t : tensors) {
            if (!new Hdf5Format().canStore(t.dtype())) {
                throw new UnsupportedFeatureException(format, destination, "tensor '" + t.name() + "' of type " + t.dtype() + " cannot be stored in HDF5 here");
            }
            if (t.shape().rank() > 32) { // H5S_MAX_RANK
                throw new TensorFileException(format, destination, "tensor '" + t.name() + "' has rank " + t.shape().rank() + "; HDF5 allows 32");
            }
            Node n = path(t.name(), true);
            if (n.dataset != null || !n.children.isEmpty()) {
                throw new TensorFileException(format, destination, "'" + t.name() + "' is both a dataset and a group");
            }
            long[] chunk = compress ? chunkShape(t) : null;
            n.dataset = new DatasetState(t, chunk);
            datasets.put(t.name(), n.dataset);
            if (kerasName(t.dtype()) != null) {
                n.pendingAttributes.put(DTYPE_ATTRIBUTE, new MetadataValue.Str(kerasName(t.dtype())));
            }
        }
        for (Map.Entry<String, MetadataValue> e : containerMetadata(metadata).asMap().entrySet()) {
            String key = e.getKey();
            int at = key.lastIndexOf('@');
            Node target = root;
            String name = key;
            if (at > 0 && at < key.length() - 1) {
                try {
                    target = path(key.substring(0, at), false);
                    name = key.substring(at + 1);
                } catch (TensorFileException bad) {
                    target = root;
                }
            }
            if (target.dataset != null && name.equals(DTYPE_ATTRIBUTE)) {
                // the writer owns a dataset's "dtype": it must name the type the dataset now holds (a cast may
                // have changed it), else a reader would take the stored bytes for another type
                MetadataValue own = target.pendingAttributes.get(DTYPE_ATTRIBUTE);
                if (!e.getValue().equals(own) && (own != null || isKerasName(e.getValue()))) {
                    notes.add("metadata '" + key + "' does not match the dataset's type " + target.dataset.info.dtype() + "; not written");
                    continue;
                }
            }
            target.pendingAttributes.put(name, e.getValue());
        }
        out = AtomicFileOutput.create(destination, format);
        try {
            beginContainer(out);
            base = out.position();
            out.pad(ALIGN); // the superblock goes here at commit
            if (needsCrc()) crc = new CRC32();
        } catch (RuntimeException e) {
            out.discard();
            throw e;
        }
        return tensors;
    }

    /** The attribute by which Keras 3 marks variables that h5py cannot type (keras saving_lib H5IOStore). */
    static final String DTYPE_ATTRIBUTE = "dtype";

    /** Keras's name of a type stored as opaque elements, or null for a type HDF5 has. */
    static String kerasName(DType t) {
        return switch (t) {
            case BF16 -> "bfloat16";
            case F8_E4M3 -> "float8_e4m3fn";
            case F8_E5M2 -> "float8_e5m2";
            case F8_E4M3FNUZ -> "float8_e4m3fnuz";
            case F8_E5M2FNUZ -> "float8_e5m2fnuz";
            default -> null;
        };
    }

    private static boolean isKerasName(MetadataValue v) {
        if (!(v instanceof MetadataValue.Str s)) return false;
        for (DType t : DType.values()) if (s.value().equals(kerasName(t))) return true;
        return false;
    }

    // ---- output: positions are HDF5 addresses, relative to where the HDF5 bytes start ----

    private long pos() { return out.position() - base; }

    private void emit(MemorySegment data) {
        if (data.heapBase().isPresent() && !(data.heapBase().get() instanceof byte[])) {
            // a segment over a float[] (or any non-byte array) has no ByteBuffer view, which the channel and the
            // CRC need: go through a byte[] in pieces
            byte[] piece = new byte[(int) Math.min(data.byteSize(), 1 << 20)];
            for (long at = 0; at < data.byteSize(); at += piece.length) {
                int n = (int) Math.min(piece.length, data.byteSize() - at);
                MemorySegment.copy(data, ValueLayout.JAVA_BYTE, at, piece, 0, n);
                emit(n == piece.length ? piece : java.util.Arrays.copyOf(piece, n));
            }
            return;
        }
        if (crc != null) {
            for (long at = 0; at < data.byteSize(); at += 1L << 30) {
                crc.update(data.asSlice(at, Math.min(1L << 30, data.byteSize() - at)).asByteBuffer());
            }
        }
        out.write(data);
    }

    private void emit(byte[] bytes) {
        if (crc != null) crc.update(bytes);
        out.write(bytes);
    }

    private void align(int alignment) {
        int n = (int) ((alignment - pos() % alignment) % alignment);
        if (n > 0) emit(new byte[n]);
    }

    /** The node at a slash-separated path, creating groups on the way. */
    private Node path(String name, boolean forDataset) {
        String[] parts = name.split("/", -1);
        Node n = root;
        int start = parts.length > 1 && parts[0].isEmpty() ? 1 : 0;
        for (int i = start; i < parts.length; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.equals(".")) {
                throw new TensorFileException(format, destination, "'" + name + "' has an empty path component");
            }
            if (n.dataset != null) throw new TensorFileException(format, destination, "'" + name + "' is inside a dataset");
            n = n.children.computeIfAbsent(p, Node::new);
        }
        if (n == root && forDataset) throw new TensorFileException(format, destination, "a dataset needs a name");
        return n;
    }

    /**
     * Chunks of whole trailing dimensions and a block of the first dimension that needs splitting, about 1 MiB:
     * each chunk is a run of the row-major stream, so data is compressed as it arrives.
     */
    private long[] chunkShape(TensorInfo t) {
        long[] dims = t.shape().dims();
        if (dims.length == 0 || t.elementCount() == 0) return null;
        long es = t.dtype().blockBytes();
        long[] chunk = new long[dims.length];
        long inner = es;
        int d = dims.length - 1;
        while (d > 0 && dims[d] <= targetChunk / inner) {
            inner *= dims[d];
            chunk[d] = dims[d];
            d--;
        }
        chunk[d] = Math.max(1, Math.min(dims[d], targetChunk / inner));
        for (int i = 0; i < d; i++) chunk[i] = 1;
        for (long c : chunk) if (c > 0xFFFFFFFFL) return null;
        return chunk;
    }

    @Override
    protected void writeData(TensorInfo tensor, MemorySegment data) {
        DatasetState s = datasets.get(tensor.name());
        if (current != s) {
            current = s;
            if (!s.chunked()) {
                align(ALIGN);
                s.dataAddress = pos();
            } else {
                s.buffer = new byte[(int) chunkBytes(s)];
            }
        }
        if (!s.chunked()) {
            emit(data);
            s.written += data.byteSize();
            return;
        }
        long at = 0;
        while (at < data.byteSize()) {
            int valid = (int) validBytes(s, s.chunkIndex);
            int n = (int) Math.min(valid - s.filled, data.byteSize() - at);
            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, at, s.buffer, s.filled, n);
            s.filled += n;
            at += n;
            if (s.filled == valid) flushChunk(s);
        }
        s.written += data.byteSize();
    }

    private static long chunkBytes(DatasetState s) {
        long n = s.elementSize;
        for (long c : s.chunk) n *= c;
        return n;
    }

    /** Bytes of the data stream that fall in chunk {@code k} (in grid order): less at the end of a dimension. */
    private static long validBytes(DatasetState s, long k) {
        long[] scaled = scaled(s, k);
        long n = s.elementSize;
        for (int d = 0; d < s.dims.length; d++) n *= Math.min(s.chunk[d], s.dims[d] - scaled[d] * s.chunk[d]);
        return n;
    }

    private static long[] scaled(DatasetState s, long k) {
        long[] grid = ChunkedStorage.gridOf(s.dims, s.chunk);
        long[] sc = new long[grid.length];
        for (int d = grid.length - 1; d >= 0; d--) {
            sc[d] = k % grid[d];
            k /= grid[d];
        }
        return sc;
    }

    private void flushChunk(DatasetState s) {
        // an edge chunk's stream bytes are its leading rows; the rest is the fill value (zeros)
        java.util.Arrays.fill(s.buffer, s.filled, s.buffer.length, (byte) 0);
        byte[] chunk = s.buffer;
        s.buffer = new byte[chunk.length]; // the compressor owns the full one now
        long[] sc = scaled(s, s.chunkIndex);
        compressor.submit(chunk, s.elementSize, compressed -> {
            long address = pos();
            emit(compressed);
            long[] rec = java.util.Arrays.copyOf(sc, sc.length + 2);
            rec[sc.length] = address;
            rec[sc.length + 1] = compressed.length;
            s.chunks.add(rec);
        });
        s.chunkIndex++;
        s.filled = 0;
    }

    @Override
    protected void commit() {
        for (DatasetState s : datasets.values()) {
            if (s.written != s.info.byteLength()) throw new IllegalStateException(s.info.name() + " incomplete");
        }
        if (compressor != null) {
            compressor.drain();
            compressor.close();
        }
        align(8);
        GlobalHeap.Writer heap = new GlobalHeap.Writer(pos());
        encodeAttributes(root, "", heap);
        for (byte[] collection : heap.collections()) emit(collection);
        for (DatasetState s : datasets.values()) if (s.chunked() && !s.chunks.isEmpty()) s.dataAddress = writeBTree(s);
        long rootAddress = writeNode(root);
        long eof = pos();
        ByteBuffer sb = ByteBuffer.allocate(ALIGN); // the superblock's slot at the start, zero-padded
        sb.put(Superblock.encodeV2(eof, rootAddress));
        sb.clear();
        int total = 0;
        if (crc != null) {
            CRC32 head = new CRC32();
            head.update(sb.array());
            total = StoredZip.crc32Combine((int) head.getValue(), (int) crc.getValue(), eof - ALIGN);
        }
        out.writeAt(base, sb);
        endContainer(out, base, eof, total);
        out.commit();
    }

    @Override
    protected void discard() {
        if (compressor != null) compressor.close();
        if (out != null) out.discard();
    }

    private void encodeAttributes(Node n, String path, GlobalHeap.Writer heap) {
        for (Map.Entry<String, MetadataValue> a : n.pendingAttributes.entrySet()) {
            String name = a.getKey();
            MetadataValue v = a.getValue();
            String key = path.isEmpty() ? name : path + "@" + name;
            if (name.isEmpty()) {
                notes.add("metadata '" + key + "' has an empty name, which libhdf5 cannot open as an attribute; not written");
                continue;
            }
            byte[] msg = AttributeValues.encode(name, v, heap);
            if (msg == null) {
                notes.add("metadata '" + key + "' (" + v.type().jsonName() + ") has no HDF5 attribute form here; not written");
            } else if (msg.length > 65535) {
                notes.add("metadata '" + key + "' needs an attribute message of " + msg.length + " bytes, above HDF5's 64 KiB for compact attributes; not written");
            } else {
                n.attributes.add(msg);
            }
        }
        for (Node c : n.children.values()) encodeAttributes(c, path.isEmpty() ? c.name : path + "/" + c.name, heap);
    }

    /** Writes the v1 B-tree (type 1) of a chunked dataset; answers the root's address. */
    private long writeBTree(DatasetState s) {
        int rank = s.dims.length;
        List<BTreeV1.ChunkEntry> entries = new ArrayList<>(s.chunks.size());
        for (long[] c : s.chunks) {
            long[] offsets = new long[rank];
            for (int d = 0; d < rank; d++) offsets[d] = c[d] * s.chunk[d];
            entries.add(new BTreeV1.ChunkEntry(offsets, c[rank + 1], c[rank]));
        }
        long[] last = s.chunks.get(s.chunks.size() - 1);
        long[] rightKey = new long[rank];
        for (int d = 0; d < rank; d++) rightKey[d] = (last[d] + 1) * s.chunk[d];
        BTreeV1.Encoded tree = BTreeV1.encodeChunks(pos(), entries, rightKey, chunkBytes(s));
        emit(tree.bytes());
        return tree.root();
    }

    /** Writes the object headers of a subtree, children first; answers the node's address. */
    private long writeNode(Node n) {
        List<ObjectHeader.Body> messages = new ArrayList<>();
        if (n.dataset != null) {
            DatasetState s = n.dataset;
            messages.add(new ObjectHeader.Body(ObjectHeader.DATASPACE, DataspaceMessage.encode(s.dims)));
            messages.add(new ObjectHeader.Body(ObjectHeader.DATATYPE, DatatypeMessage.encode(s.info.dtype())));
            messages.add(new ObjectHeader.Body(ObjectHeader.FILL_VALUE, FillValueMessage.encode(s.chunked())));
            if (s.chunked()) {
                messages.add(new ObjectHeader.Body(ObjectHeader.DATA_LAYOUT, DataLayoutMessage.encodeChunked(s.dataAddress, s.chunk, s.elementSize)));
                messages.add(new ObjectHeader.Body(ObjectHeader.FILTER_PIPELINE, FilterPipelineMessage.encodeShuffleDeflate(s.elementSize, level)));
            } else {
                long size = s.info.byteLength();
                messages.add(new ObjectHeader.Body(ObjectHeader.DATA_LAYOUT, DataLayoutMessage.encodeContiguous(size == 0 ? AddressSpace.UNDEFINED : s.dataAddress, size)));
            }
        } else {
            List<byte[]> links = new ArrayList<>();
            for (Node c : n.children.values()) links.add(LinkMessage.encodeHard(c.name, writeNode(c)));
            messages.add(new ObjectHeader.Body(ObjectHeader.LINK_INFO, Group.encodeLinkInfo()));
            messages.add(new ObjectHeader.Body(ObjectHeader.GROUP_INFO, Group.encodeGroupInfo()));
            for (byte[] l : links) messages.add(new ObjectHeader.Body(ObjectHeader.LINK, l));
        }
        if (!n.attributes.isEmpty()) messages.add(new ObjectHeader.Body(ObjectHeader.ATTRIBUTE_INFO, Group.encodeAttributeInfo()));
        for (byte[] a : n.attributes) messages.add(new ObjectHeader.Body(ObjectHeader.ATTRIBUTE, a));
        byte[] header = ObjectHeader.encodeV2(messages);
        align(8);
        n.address = pos();
        emit(header);
        return n.address;
    }
}
