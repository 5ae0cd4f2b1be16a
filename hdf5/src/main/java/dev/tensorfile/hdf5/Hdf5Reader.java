package dev.tensorfile.hdf5;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.Shape;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.UnsupportedEntry;
import dev.tensorfile.core.spi.SegmentTensor;
import dev.tensorfile.hdf5.filter.Filters;
import dev.tensorfile.hdf5.format.AddressSpace;
import dev.tensorfile.hdf5.format.AttributeMessage;
import dev.tensorfile.hdf5.format.AttributeValues;
import dev.tensorfile.hdf5.format.BTreeV1;
import dev.tensorfile.hdf5.format.BTreeV2;
import dev.tensorfile.hdf5.format.ChunkIndex;
import dev.tensorfile.hdf5.format.DataLayoutMessage;
import dev.tensorfile.hdf5.format.DataspaceMessage;
import dev.tensorfile.hdf5.format.DatatypeMessage;
import dev.tensorfile.hdf5.format.ExtensibleArrayIndex;
import dev.tensorfile.hdf5.format.FillValueMessage;
import dev.tensorfile.hdf5.format.FilterPipelineMessage;
import dev.tensorfile.hdf5.format.FixedArrayIndex;
import dev.tensorfile.hdf5.format.GlobalHeap;
import dev.tensorfile.hdf5.format.Group;
import dev.tensorfile.hdf5.format.Link;
import dev.tensorfile.hdf5.format.ObjectHeader;
import dev.tensorfile.hdf5.format.SharedMessage;
import dev.tensorfile.hdf5.format.StringDecoder;
import dev.tensorfile.hdf5.format.Superblock;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Walks an HDF5 file from the root group: every object reached by hard links once (so cycles, which are legal,
 * end), soft links resolved against what was reached, external links listed and never followed. Datasets with a
 * tensor type become tensors, attributes become metadata, and everything else is listed.
 */
final class Hdf5Reader {
    private final AddressSpace space;
    private final Hdf5TensorFile owner;
    private final StringDecoder strings;
    final Metadata.Builder metadata = Metadata.builder();
    final List<Tensor> tensors = new ArrayList<>();
    /** Lines of the group tree: Strings, or for datasets a {@code Supplier<String>} built only if details are asked for. */
    final List<Object> details = new ArrayList<>();
    final List<UnsupportedEntry> unsupported = new ArrayList<>();
    private final Map<Long, String> reached = new HashMap<>();
    private final Map<String, Long> paths = new HashMap<>();
    private final List<String[]> softLinks = new ArrayList<>();

    Hdf5Reader(AddressSpace space, Hdf5TensorFile owner) {
        this.space = space;
        this.owner = owner;
        this.strings = new StringDecoder(space, new GlobalHeap(space));
    }

    StringDecoder strings() { return strings; }

    void read() {
        Superblock sb = Superblock.read(space);
        details.add("HDF5 superblock version " + sb.version() + (sb.location() > 0 ? ", user block of " + sb.location() + " bytes" : "")
                + ", " + sb.offsetSize() + "-byte addresses");
        record Pending(String path, long address, int depth, String label) {}
        Deque<Pending> stack = new ArrayDeque<>();
        stack.push(new Pending("", sb.rootObjectHeader(), 0, "/"));
        while (!stack.isEmpty()) {
            Pending p = stack.pop();
            String indent = "  ".repeat(p.depth());
            String seen = reached.get(p.address());
            if (seen != null) {
                details.add(indent + p.label() + " -> hard link to /" + seen + " (already listed)");
                continue;
            }
            if (p.depth() > space.limits.maxNestingDepth()) {
                throw space.malformed("object header", p.address(), "groups nest deeper than " + space.limits.maxNestingDepth());
            }
            reached.put(p.address(), p.path());
            paths.put(p.path(), p.address());
            ObjectHeader h = ObjectHeader.read(space, p.address());
            String object = p.path().isEmpty() ? "/" : p.path();
            String attrIndent = indent + "  ";
            List<AttributeMessage> attrs = Group.attributes(space, h, e -> {
                unsupported.add(new UnsupportedEntry(object, "attribute not read: " + e.detail()));
                details.add(attrIndent + "@? not read: " + e.detail());
            });
            if (Group.isGroup(h)) {
                details.add(indent + p.label() + (p.path().isEmpty() ? "" : "/") + describeAttrs(attrs));
                addAttributes(p.path(), attrs, indent + "  ");
                List<Link> links = Group.links(space, h);
                String childIndent = "  ".repeat(p.depth() + 1);
                for (int i = links.size() - 1; i >= 0; i--) {
                    Link l = links.get(i);
                    String child = p.path().isEmpty() ? l.name() : p.path() + "/" + l.name();
                    switch (l.kind()) {
                        case HARD -> stack.push(new Pending(child, l.address(), p.depth() + 1, l.name()));
                        case SOFT -> softLinks.add(new String[] {child, l.target(), p.path(), childIndent});
                        case EXTERNAL -> {
                            unsupported.add(new UnsupportedEntry(child, "external link to " + l.file() + ":" + l.target() + " (not followed)"));
                            details.add(childIndent + l.name() + " -> external link to " + l.file() + ":" + l.target() + " (not followed)");
                        }
                    }
                }
            } else if (h.first(ObjectHeader.DATA_LAYOUT) != null || h.first(ObjectHeader.DATASPACE) != null) {
                dataset(p.path(), h, attrs, indent + p.label());
                addAttributes(p.path(), attrs, indent + "  ");
            } else if (h.first(ObjectHeader.DATATYPE) != null) {
                details.add(indent + p.label() + "  committed datatype " + DatatypeMessage.of(space, h.first(ObjectHeader.DATATYPE)).describe());
                addAttributes(p.path(), attrs, indent + "  ");
            } else {
                details.add(indent + p.label() + "  object of unknown kind");
                addAttributes(p.path(), attrs, indent + "  ");
            }
        }
        for (String[] s : softLinks) {
            String target = s[1].startsWith("/") ? s[1].substring(1) : (s[2].isEmpty() ? s[1] : s[2] + "/" + s[1]);
            Long address = paths.get(target);
            details.add(s[3] + s[0].substring(s[0].lastIndexOf('/') + 1) + " -> soft link to " + s[1]
                    + (address == null ? " (dangling)" : ""));
        }
        mergeKerasChunkedNames();
    }

    private String describeAttrs(List<AttributeMessage> attrs) {
        return attrs.isEmpty() ? "" : "  (" + attrs.size() + " attribute" + (attrs.size() == 1 ? ")" : "s)");
    }

    private void addAttributes(String path, List<AttributeMessage> attrs, String indent) {
        for (AttributeMessage a : attrs) {
            String key = path.isEmpty() ? a.name() : path + "@" + a.name();
            MetadataValue v;
            try {
                v = AttributeValues.of(a, strings);
            } catch (TensorFileException e) {
                // An attribute whose value cannot be read (a string in a global heap that is not there) costs that
                // attribute, never the file: h5py opens such files and fails only when the attribute is read.
                unsupported.add(new UnsupportedEntry(key, "attribute not read: " + e.detail()));
                details.add(indent + "@" + a.name() + ": not read: " + e.detail());
                continue;
            }
            if (v == null) {
                unsupported.add(new UnsupportedEntry(key, "attribute of type " + a.type().describe()));
                details.add(indent + "@" + a.name() + ": " + a.type().describe() + " (not carried)");
            } else {
                metadata.put(key, v);
                details.add(indent + "@" + a.name() + " = " + show(v));
            }
        }
    }

    private static String show(MetadataValue v) {
        String s = switch (v) {
            case MetadataValue.Str x -> "\"" + x.value() + "\"";
            case MetadataValue.Array a -> a.size() > 8 ? a.size() + " " + a.elementType().jsonName() + " values"
                    : a.values().stream().map(Hdf5Reader::show).toList().toString();
            case MetadataValue.Int i -> i.type().isUnsigned() ? Long.toUnsignedString(i.value()) : Long.toString(i.value());
            case MetadataValue.F32 f -> Float.toString(f.value());
            case MetadataValue.F64 d -> Double.toString(d.value());
            case MetadataValue.Bool b -> Boolean.toString(b.value());
        };
        s = s.replace('\n', ' ');
        return s.length() > 120 ? s.substring(0, 117) + "..." : s;
    }

    /**
     * Keras splits a name list over 64 KiB into {@code layer_names0}, {@code layer_names1}, ... (keras
     * {@code save_attributes_to_hdf5_group}); the joined list is added under the plain name.
     */
    private void mergeKerasChunkedNames() {
        Metadata md = metadata.build();
        Map<String, List<MetadataValue>> joined = new LinkedHashMap<>();
        for (String key : md.keys()) {
            for (String base : List.of("layer_names", "weight_names")) {
                int at = key.lastIndexOf(base);
                if (at < 0 || (at > 0 && key.charAt(at - 1) != '@')) continue;
                String suffix = key.substring(at + base.length());
                if (!suffix.matches("\\d+")) continue;
                String whole = key.substring(0, at + base.length());
                if (md.get(whole).isPresent()) continue;
                joined.computeIfAbsent(whole, k -> new ArrayList<>());
            }
        }
        for (Map.Entry<String, List<MetadataValue>> e : joined.entrySet()) {
            for (int i = 0; ; i++) {
                var part = md.get(e.getKey() + i);
                if (part.isEmpty()) break;
                if (part.get() instanceof MetadataValue.Array a) e.getValue().addAll(a.values());
                else e.getValue().add(part.get());
            }
            metadata.put(e.getKey(), new MetadataValue.Array(dev.tensorfile.core.ValueType.STRING, e.getValue()));
        }
    }

    private void dataset(String name, ObjectHeader h, List<AttributeMessage> attrs, String label) {
        ObjectHeader.Message tm = h.first(ObjectHeader.DATATYPE);
        ObjectHeader.Message sm = h.first(ObjectHeader.DATASPACE);
        ObjectHeader.Message lm = h.first(ObjectHeader.DATA_LAYOUT);
        if (tm == null || sm == null || lm == null) {
            throw space.malformed("object header", h.address(), "dataset '" + name + "' lacks a datatype, dataspace or layout message");
        }
        DatatypeMessage type = tm.shared() ? SharedMessage.datatype(space, tm.cursor(space, "shared datatype message"))
                : DatatypeMessage.of(space, tm);
        DataspaceMessage ds = DataspaceMessage.of(space, sm);
        DataLayoutMessage layout = DataLayoutMessage.read(space, lm);
        ObjectHeader.Message fm = h.first(ObjectHeader.FILTER_PIPELINE);
        FilterPipelineMessage pipeline = fm == null ? FilterPipelineMessage.NONE : FilterPipelineMessage.read(space, fm);
        FillValueMessage fill = FillValueMessage.read(space, h);
        DType dtype = type.dtype();
        String kerasDtype = kerasDtype(attrs);
        if (type.typeClass() == DatatypeMessage.OPAQUE || type.typeClass() == DatatypeMessage.FIXED
                || type.typeClass() == DatatypeMessage.BITFIELD) {
            DType k = switch (kerasDtype == null ? "" : kerasDtype) {
                case "bfloat16" -> DType.BF16;
                case "float8_e4m3fn" -> DType.F8_E4M3;
                case "float8_e5m2" -> DType.F8_E5M2;
                case "float8_e4m3fnuz" -> DType.F8_E4M3FNUZ;
                case "float8_e5m2fnuz" -> DType.F8_E5M2FNUZ;
                default -> null;
            };
            if (k != null && k.blockBytes() == type.size()) dtype = k;
        }
        int attrCount = attrs.size();
        // built on demand: listing thousands of datasets should not format thousands of lines nobody reads
        details.add((java.util.function.Supplier<String>) () -> label + "  " + type.describe() + " "
                + (ds.kind() == DataspaceMessage.Kind.NULL ? "null dataspace" : java.util.Arrays.toString(ds.dims()))
                + "  " + describe(layout, pipeline) + (attrCount == 0 ? "" : "  (" + attrCount + " attributes)"));
        if (dtype == null) {
            unsupported.add(new UnsupportedEntry(name, "dataset of type " + type.describe()));
            return;
        }
        if (ds.kind() == DataspaceMessage.Kind.NULL) {
            unsupported.add(new UnsupportedEntry(name, "dataset with a null dataspace (no data)"));
            return;
        }
        if (h.first(ObjectHeader.EXTERNAL_FILES) != null) {
            unsupported.add(new UnsupportedEntry(name, "dataset stored in external files"));
            return;
        }
        if (layout instanceof DataLayoutMessage.Virtual) {
            unsupported.add(new UnsupportedEntry(name, "virtual dataset (not read)"));
            return;
        }
        if (dtype != DType.STRING && dtype.blockBytes() != type.size()) {
            unsupported.add(new UnsupportedEntry(name, "dataset of type " + type.describe()));
            return;
        }
        Shape shape = Shape.of(ds.dims());
        long elementSize = type.size();
        long byteLength;
        try {
            byteLength = Math.multiplyExact(shape.elementCount(), elementSize);
        } catch (ArithmeticException e) {
            throw space.malformed("dataspace message", sm.dataAddress(), "dataset '" + name + "' size overflows");
        }
        byte[] pattern = fill.value() != null && fill.value().length == elementSize ? fill.value() : null;
        DataStorage storage;
        try {
            storage = storage(name, h, ds, layout, pipeline, pattern, byteLength, elementSize, lm);
        } catch (dev.tensorfile.core.UnsupportedFeatureException e) {
            // A filter we do not decode (scale-offset, N-bit, a plugin's) costs that dataset only, not the file.
            // detail(), not getMessage(): the entry is printed after the file's path, which must not come twice
            unsupported.add(new UnsupportedEntry(name, e.detail()));
            details.add(label.substring(0, label.length() - label.stripLeading().length()) + "  not read: " + e.detail());
            return;
        }
        TensorInfo info = new TensorInfo(name, dtype, shape, byteLength);
        boolean bigEndian = type.bigEndian() && elementSize > 1;
        Tensor t;
        if (dtype == DType.STRING) {
            t = new DecodedDataset.Strings(info, storage, type, strings, owner);
        } else if (storage instanceof DataStorage.Block b && !bigEndian) {
            t = new ViewTensor(info, b.data(), owner);
        } else {
            t = new DecodedDataset(info, storage, bigEndian ? (int) elementSize : 0, owner);
        }
        tensors.add(t);
    }

    /** Keras 3 marks variables h5py cannot type (bfloat16, float8) with a {@code dtype} string attribute. */
    private String kerasDtype(List<AttributeMessage> attrs) {
        for (AttributeMessage a : attrs) {
            if (a.name().equals("dtype") && a.type().isString()) {
                try {
                    if (AttributeValues.of(a, strings) instanceof MetadataValue.Str s) return s.value();
                } catch (TensorFileException e) {
                    return null; // listed as unsupported with the dataset's other attributes
                }
            }
        }
        return null;
    }

    private static String describe(DataLayoutMessage layout, FilterPipelineMessage pipeline) {
        String s = switch (layout) {
            case DataLayoutMessage.Compact c -> "compact";
            case DataLayoutMessage.Contiguous c -> c.address() == AddressSpace.UNDEFINED ? "contiguous (never written)" : "contiguous";
            case DataLayoutMessage.Chunked c -> "chunked " + java.util.Arrays.toString(c.chunkDims()) + " ("
                    + switch (c.index()) {
                        case 0 -> "v1 B-tree";
                        case 1 -> "single chunk";
                        case 2 -> "implicit";
                        case 3 -> "fixed array";
                        case 4 -> "extensible array";
                        default -> "v2 B-tree";
                    } + " index)";
            case DataLayoutMessage.Virtual v -> "virtual";
        };
        if (!pipeline.filters().isEmpty()) {
            s += " filters " + pipeline.filters().stream().map(f -> f.describe()
                    + (f.clientData().length > 0 && f.id() == FilterPipelineMessage.DEFLATE ? " level " + f.clientData()[0] : "")).toList();
        }
        return s;
    }

    private DataStorage storage(String name, ObjectHeader h, DataspaceMessage ds, DataLayoutMessage layout,
            FilterPipelineMessage pipeline, byte[] fill, long byteLength, long elementSize, ObjectHeader.Message lm) {
        switch (layout) {
            case DataLayoutMessage.Compact c -> {
                if (c.size() < byteLength) {
                    throw space.malformed("data layout message", lm.dataAddress(), "dataset '" + name + "' needs " + byteLength
                            + " bytes but its compact storage holds " + c.size());
                }
                return new DataStorage.Block(space.slice(c.address(), byteLength, "compact data"), owner.mapped());
            }
            case DataLayoutMessage.Contiguous c -> {
                if (c.address() == AddressSpace.UNDEFINED) return new DataStorage.Fill(fill);
                if (c.size() < byteLength) {
                    throw space.malformed("data layout message", lm.dataAddress(), "dataset '" + name + "' needs " + byteLength
                            + " bytes but its contiguous storage holds " + c.size());
                }
                if (!space.contains(c.address(), byteLength)) {
                    throw space.malformed("data layout message", lm.dataAddress(), "dataset '" + name + "' data [" + c.address()
                            + ", +" + byteLength + ") lies past the end of the file (" + space.size() + " bytes)");
                }
                return new DataStorage.Block(space.dataSlice(c.address(), byteLength, "contiguous data"), owner.mapped());
            }
            case DataLayoutMessage.Chunked c -> {
                long[] dims = ds.dims();
                long[] chunk = c.chunkDims();
                if (chunk.length != dims.length) {
                    throw space.malformed("data layout message", lm.dataAddress(), "dataset '" + name + "' has rank " + dims.length
                            + " but chunks of rank " + chunk.length);
                }
                for (long d : chunk) {
                    if (d <= 0) throw space.malformed("data layout message", lm.dataAddress(), "chunk dimension " + d + " is not positive");
                }
                if (c.elementSize() != elementSize) {
                    throw space.malformed("data layout message", lm.dataAddress(), "chunk element size " + c.elementSize()
                            + " differs from the datatype's " + elementSize);
                }
                long chunkBytes;
                try {
                    chunkBytes = c.chunkBytes();
                } catch (ArithmeticException e) {
                    throw space.malformed("data layout message", lm.dataAddress(), "chunk size overflows");
                }
                if (chunkBytes > Integer.MAX_VALUE - 8) {
                    throw space.unsupported("dataset '" + name + "': chunks of " + chunkBytes + " bytes (2 GiB or more) are not supported");
                }
                Filters.check(space, name, pipeline);
                long[] grid = ChunkedStorage.gridOf(dims, chunk);
                long[] maxGrid = grid.clone();
                int unlimited = -1;
                long[] max = ds.maxDims();
                if (max != null) {
                    for (int d = 0; d < dims.length; d++) {
                        if (max[d] == -1) {
                            if (unlimited < 0) unlimited = d;
                        } else {
                            maxGrid[d] = (max[d] + chunk[d] - 1) / chunk[d];
                        }
                    }
                }
                int unlim = Math.max(0, unlimited);
                long rank = dims.length;
                java.util.function.Supplier<ChunkIndex> index = () -> switch (c.index()) {
                    case 0 -> {
                        ChunkIndex.Listed l = new ChunkIndex.Listed(grid);
                        if (c.address() != AddressSpace.UNDEFINED) {
                            BTreeV1.walkChunks(space, c.address(), (int) rank, r -> {
                                long[] s = new long[(int) rank];
                                for (int d = 0; d < rank; d++) {
                                    if (r.offsets()[d] % chunk[d] != 0) {
                                        throw space.malformed("v1 B-tree node", c.address(), "chunk offset " + r.offsets()[d] + " is not a multiple of the chunk size " + chunk[d]);
                                    }
                                    s[d] = r.offsets()[d] / chunk[d];
                                }
                                l.put(space, c.address(), s, new ChunkIndex.ChunkRef(r.address(), r.size(), r.filterMask()));
                            });
                        }
                        yield l;
                    }
                    case 1 -> new ChunkIndex.SingleChunk(c.address() == AddressSpace.UNDEFINED ? null
                            : new ChunkIndex.ChunkRef(c.address(), (c.flags() & 2) != 0 ? c.filteredSize() : chunkBytes, c.filterMask()));
                    case 2 -> new ChunkIndex.Implicit(c.address(), chunkBytes, maxGrid);
                    case 3 -> c.address() == AddressSpace.UNDEFINED ? s -> null : new FixedArrayIndex(space, c.address(), maxGrid, chunkBytes);
                    case 4 -> c.address() == AddressSpace.UNDEFINED ? s -> null : new ExtensibleArrayIndex(space, c.address(), maxGrid, unlim, chunkBytes);
                    default -> {
                        ChunkIndex.Listed l = new ChunkIndex.Listed(grid);
                        if (c.address() != AddressSpace.UNDEFINED) {
                            BTreeV2 tree = new BTreeV2(space, c.address());
                            if (tree.type != 10 && tree.type != 11) {
                                throw space.malformed("v2 B-tree header", c.address(), "type " + tree.type + " where a chunk index (10 or 11) was expected");
                            }
                            int sizeLength = Math.min(8, 1 + (AddressSpace.log2(chunkBytes) + 8) / 8);
                            tree.forEach(r -> {
                                long address = space.offset(r);
                                long size = chunkBytes;
                                int mask = 0;
                                if (tree.type == 11) {
                                    size = AddressSpace.unsigned(r, sizeLength);
                                    mask = AddressSpace.i32(r);
                                }
                                long[] s = new long[(int) rank];
                                for (int d = 0; d < rank; d++) s[d] = r.u64Size("scaled chunk offset");
                                l.put(space, c.address(), s, new ChunkIndex.ChunkRef(address, size, mask));
                            });
                        }
                        yield l;
                    }
                };
                return new ChunkedStorage(space, name, dims, c, pipeline, fill, index, owner::executor);
            }
            case DataLayoutMessage.Virtual v -> throw new IllegalStateException("virtual layouts are filtered out before");
        }
    }

    /** A contiguous little-endian dataset: a view of the mapping. */
    static final class ViewTensor extends SegmentTensor {
        ViewTensor(TensorInfo info, MemorySegment data, Hdf5TensorFile owner) {
            super(info, data, owner.mapped());
        }
    }
}
