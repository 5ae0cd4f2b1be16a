package dev.tensorfile.hdf5;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.ValueType;
import dev.tensorfile.core.WriteOptions;
import dev.tensorfile.core.spi.AbstractTensorWriter;
import dev.tensorfile.core.spi.AtomicFileOutput;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
 */
class Hdf5Writer extends AbstractTensorWriter {
    private static final int ALIGN = 64;
    /** About 1 MiB of elements per chunk: h5py's guess aims at 10 KiB–1 MiB; larger chunks deflate faster. */
    static final long TARGET_CHUNK = 1 << 20;
    private static final int BTREE_K = 32; // libhdf5's default istore K: 2K entries per v1 B-tree node

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
                throw new TensorFileException(format, destination, "tensor '" + t.name() + "' of type " + t.dtype() + " cannot be stored in HDF5 here");
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
        GlobalHeapWriter heap = new GlobalHeapWriter(pos());
        encodeAttributes(root, "", heap);
        for (byte[] collection : heap.collections()) emit(collection);
        for (DatasetState s : datasets.values()) if (s.chunked() && !s.chunks.isEmpty()) s.dataAddress = writeBTree(s);
        long rootAddress = writeNode(root);
        long eof = pos();
        // superblock version 2 (spec II.A): signature, version, sizes of offsets and lengths, flags, base address,
        // superblock extension address (none), end-of-file address, root group object header address, checksum
        ByteBuffer sb = ByteBuffer.allocate(ALIGN).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        sb.put(Superblock.SIGNATURE).put((byte) 2).put((byte) 8).put((byte) 8).put((byte) 0);
        sb.putLong(0).putLong(-1L).putLong(eof).putLong(rootAddress);
        sb.putInt(Lookup3.hash(sb.array(), 0, 44));
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

    private void encodeAttributes(Node n, String path, GlobalHeapWriter heap) {
        for (Map.Entry<String, MetadataValue> a : n.pendingAttributes.entrySet()) {
            String name = a.getKey();
            MetadataValue v = a.getValue();
            String key = path.isEmpty() ? name : path + "@" + name;
            if (name.isEmpty()) {
                notes.add("metadata '" + key + "' has an empty name, which libhdf5 cannot open as an attribute; not written");
                continue;
            }
            byte[] msg = attribute(name, v, heap);
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

    private static byte[] attribute(String name, MetadataValue v, GlobalHeapWriter heap) {
        if (v instanceof MetadataValue.Array a) {
            if (a.elementType() == ValueType.ARRAY) return null;
            byte[] type = typeOf(a.elementType());
            MessageEncoder data = new MessageEncoder();
            for (MetadataValue e : a.values()) {
                if (!encode(e, data, heap)) return null;
            }
            return MessageEncoder.attribute(name, type, MessageEncoder.dataspace(new long[] {a.size()}), data.toBytes());
        }
        MessageEncoder data = new MessageEncoder();
        if (!encode(v, data, heap)) return null;
        return MessageEncoder.attribute(name, typeOf(v.type()), MessageEncoder.dataspace(new long[0]), data.toBytes());
    }

    private static byte[] typeOf(ValueType t) {
        return switch (t) {
            case STRING -> MessageEncoder.vlenUtf8();
            case BOOL -> MessageEncoder.datatype(DType.BOOL);
            case F32 -> MessageEncoder.datatype(DType.F32);
            case F64 -> MessageEncoder.datatype(DType.F64);
            case U8 -> MessageEncoder.datatype(DType.U8);
            case I8 -> MessageEncoder.datatype(DType.I8);
            case U16 -> MessageEncoder.datatype(DType.U16);
            case I16 -> MessageEncoder.datatype(DType.I16);
            case U32 -> MessageEncoder.datatype(DType.U32);
            case I32 -> MessageEncoder.datatype(DType.I32);
            case U64 -> MessageEncoder.datatype(DType.U64);
            case I64 -> MessageEncoder.datatype(DType.I64);
            case ARRAY -> throw new IllegalArgumentException("nested arrays");
        };
    }

    private static boolean encode(MetadataValue v, MessageEncoder e, GlobalHeapWriter heap) {
        switch (v) {
            case MetadataValue.Str s -> {
                byte[] b = s.value().getBytes(StandardCharsets.UTF_8);
                long[] ref = heap.add(b);
                e.u32(b.length).u64(ref[0]).u32(ref[1]);
            }
            case MetadataValue.Int i -> {
                int size = switch (i.type()) {
                    case U8, I8 -> 1;
                    case U16, I16 -> 2;
                    case U32, I32 -> 4;
                    default -> 8;
                };
                for (int k = 0; k < size; k++) e.u8((int) (i.value() >>> (8 * k)));
            }
            case MetadataValue.F32 f -> e.u32(Float.floatToRawIntBits(f.value()));
            case MetadataValue.F64 d -> e.u64(Double.doubleToRawLongBits(d.value()));
            case MetadataValue.Bool b -> e.u8(b.value() ? 1 : 0);
            case MetadataValue.Array a -> {
                return false;
            }
        }
        return true;
    }

    /** Writes the v1 B-tree (type 1) of a chunked dataset, leaves then parents; answers the root's address. */
    private long writeBTree(DatasetState s) {
        int rank = s.dims.length;
        int keySize = 8 + 8 * (rank + 1);
        int nodeSize = 8 + 16 + 2 * BTREE_K * 8 + (2 * BTREE_K + 1) * keySize;
        long cb = chunkBytes(s);
        // entries of the current level: key offsets (elements), first chunk size, child address; plus the right key
        List<long[]> level = new ArrayList<>();
        for (long[] c : s.chunks) {
            long[] e = new long[rank + 2];
            for (int d = 0; d < rank; d++) e[d] = c[d] * s.chunk[d];
            e[rank] = c[rank + 1];
            e[rank + 1] = c[rank];
            level.add(e);
        }
        long[] last = s.chunks.get(s.chunks.size() - 1);
        long[] rightKey = new long[rank];
        for (int d = 0; d < rank; d++) rightKey[d] = (last[d] + 1) * s.chunk[d];
        int depth = 0;
        while (true) {
            int nodes = (level.size() + 2 * BTREE_K - 1) / (2 * BTREE_K);
            long first = pos();
            List<long[]> parents = new ArrayList<>();
            for (int k = 0; k < nodes; k++) {
                int from = k * 2 * BTREE_K, to = Math.min(level.size(), from + 2 * BTREE_K);
                long address = first + (long) k * nodeSize;
                MessageEncoder e = new MessageEncoder();
                e.bytes("TREE".getBytes(StandardCharsets.US_ASCII)).u8(1).u8(depth).u16(to - from);
                e.u64(k == 0 ? -1L : address - nodeSize).u64(k == nodes - 1 ? -1L : address + nodeSize);
                for (int i = from; i < to; i++) {
                    long[] en = level.get(i);
                    e.u32(en[rank]).u32(0);
                    for (int d = 0; d < rank; d++) e.u64(en[d]);
                    e.u64(0);
                    e.u64(en[rank + 1]);
                }
                long[] rk = to < level.size() ? level.get(to) : null;
                e.u32(cb).u32(0);
                for (int d = 0; d < rank; d++) e.u64(rk != null ? rk[d] : rightKey[d]);
                e.u64(0);
                e.zeros(nodeSize - e.size());
                emit(e.toBytes());
                long[] p = level.get(from).clone();
                p[rank + 1] = address;
                parents.add(p);
            }
            if (nodes == 1) return first;
            level = parents;
            depth++;
        }
    }

    /** Writes the object headers of a subtree, children first; answers the node's address. */
    private long writeNode(Node n) {
        List<byte[]> types = new ArrayList<>();
        List<byte[]> bodies = new ArrayList<>();
        if (n.dataset != null) {
            DatasetState s = n.dataset;
            add(types, bodies, ObjectHeader.DATASPACE, MessageEncoder.dataspace(s.dims));
            add(types, bodies, ObjectHeader.DATATYPE, MessageEncoder.datatype(s.info.dtype()));
            add(types, bodies, ObjectHeader.FILL_VALUE, MessageEncoder.fillValue(s.chunked()));
            if (s.chunked()) {
                add(types, bodies, ObjectHeader.DATA_LAYOUT, MessageEncoder.chunked(s.dataAddress, s.chunk, s.elementSize));
                add(types, bodies, ObjectHeader.FILTER_PIPELINE, MessageEncoder.shuffleDeflate(s.elementSize, level));
            } else {
                long size = s.info.byteLength();
                add(types, bodies, ObjectHeader.DATA_LAYOUT, MessageEncoder.contiguous(size == 0 ? -1L : s.dataAddress, size));
            }
        } else {
            List<byte[]> links = new ArrayList<>();
            for (Node c : n.children.values()) links.add(MessageEncoder.hardLink(c.name, writeNode(c)));
            add(types, bodies, ObjectHeader.LINK_INFO, MessageEncoder.linkInfo());
            add(types, bodies, ObjectHeader.GROUP_INFO, MessageEncoder.groupInfo());
            for (byte[] l : links) add(types, bodies, ObjectHeader.LINK, l);
        }
        if (!n.attributes.isEmpty()) {
            // libhdf5 counts the attributes of a version 2 object header from its attribute info message
            // (H5O__attr_count_real): without one, H5Aget_num_attrs and h5py's len(attrs) answer 0
            add(types, bodies, ObjectHeader.ATTRIBUTE_INFO, MessageEncoder.attributeInfo());
        }
        for (byte[] a : n.attributes) add(types, bodies, ObjectHeader.ATTRIBUTE, a);
        MessageEncoder messages = new MessageEncoder();
        for (int i = 0; i < bodies.size(); i++) {
            messages.u8(types.get(i)[0]).u16(bodies.get(i).length).u8(0).bytes(bodies.get(i));
        }
        byte[] m = messages.toBytes();
        MessageEncoder h = new MessageEncoder();
        h.bytes("OHDR".getBytes(StandardCharsets.US_ASCII)).u8(2).u8(2).u32(m.length).bytes(m);
        byte[] header = h.toBytes();
        int sum = Lookup3.hash(header, 0, header.length);
        align(8);
        n.address = pos();
        emit(header);
        emit(new MessageEncoder().u32(sum & 0xFFFFFFFFL).toBytes());
        return n.address;
    }

    private static void add(List<byte[]> types, List<byte[]> bodies, int type, byte[] body) {
        types.add(new byte[] {(byte) type});
        bodies.add(body);
    }

    /**
     * Global heap collections (spec III.E) for variable-length strings, written as one run starting at a known
     * address, so each string's (collection address, index) is known when it is added. Collections are at least
     * 4 KiB (libhdf5's {@code H5HG_MINSIZE}), end with a free-space object, and hold at most 65535 objects.
     */
    private static final class GlobalHeapWriter {
        private static final int MAX_CONTENT = 1 << 20;
        private final long start;
        private final List<MessageEncoder> done = new ArrayList<>();
        private MessageEncoder current;
        private long currentAddress;
        private int count;

        GlobalHeapWriter(long start) {
            this.start = start;
            this.currentAddress = start;
        }

        long[] add(byte[] data) {
            long need = 16 + (data.length + 7L) / 8 * 8;
            if (current != null && (count == 65535 || current.size() + need > MAX_CONTENT)) close();
            if (current == null) {
                current = new MessageEncoder();
                current.bytes("GCOL".getBytes(StandardCharsets.US_ASCII)).u8(1).zeros(3).u64(0);
                count = 0;
            }
            count++;
            current.u16(count).u16(1).u32(0).u64(data.length).bytes(data).zeros((8 - data.length % 8) % 8);
            return new long[] {currentAddress, count};
        }

        private void close() {
            long size = Math.max(4096, (current.size() + 16 + 7) / 8 * 8);
            long free = size - current.size();
            current.u16(0).u16(0).u32(0).u64(free).zeros((int) free - 16);
            byte[] b = current.toBytes();
            for (int i = 0; i < 8; i++) b[8 + i] = (byte) (size >>> (8 * i));
            done.add(new MessageEncoder().bytes(b));
            currentAddress += size;
            current = null;
        }

        /** Every collection, to be written at {@code start}. */
        List<byte[]> collections() {
            if (current != null) close();
            return done.stream().map(MessageEncoder::toBytes).toList();
        }
    }
}
