package dev.tensorfile.pickle.tensor;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.Shape;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.UnsupportedEntry;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.pickle.archive.Magic;
import dev.tensorfile.pickle.numpy.NpyHeader;
import dev.tensorfile.pickle.numpy.NumpyDType;
import dev.tensorfile.pickle.numpy.Siblings;
import dev.tensorfile.pickle.torch.TorchDTypes;
import dev.tensorfile.pickle.vm.PValue;
import dev.tensorfile.pickle.vm.PickleLimits;
import dev.tensorfile.pickle.vm.PickleMachine;
import dev.tensorfile.pickle.vm.Values;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What one open of a pickle-family file has found so far — tensors, metadata, refusals, details, tied weights and
 * the mappings that hold their bytes — and the one place a pickle's tree becomes tensors ({@link #collect}). Every
 * container reader fills one; {@link #build} makes the opened file, which then owns the mappings.
 */
public final class Contents {
    private final Path path;
    private final String format;
    private final ReadLimits limits;
    private final PickleLimits pickleLimits;
    private final MappedFile mapped;
    private final List<MappedFile> mappings;
    private final Metadata.Builder metadata = Metadata.builder();
    private final List<Tensor> tensors = new ArrayList<>();
    private final List<UnsupportedEntry> unsupported = new ArrayList<>();
    private final List<String> details = new ArrayList<>();
    private final Map<String, String> aliases = new LinkedHashMap<>();
    private final Function<String, Path> siblings;
    private Runnable verifier;

    /**
     * @param format the format the file's bytes name, as errors and the opened file report it
     * @param mapped the file's own mapping
     * @param mappings every mapping the open makes (the file's own first); closed by the opened file, or by the caller
     *     when the open fails
     * @param siblings finds a file named beside this one (joblib 0.9's array files): a local path, or null
     */
    public Contents(Path path, String format, ReadLimits limits, MappedFile mapped, List<MappedFile> mappings,
            Function<String, Path> siblings) {
        this.path = path;
        this.format = format;
        this.limits = limits;
        this.pickleLimits = PickleLimits.from(limits);
        this.mapped = mapped;
        this.mappings = mappings;
        this.siblings = siblings;
    }

    /** The file being opened. */
    public Path path() { return path; }

    /** The format its bytes name. */
    public String format() { return format; }

    /** The caller's limits. */
    public ReadLimits limits() { return limits; }

    /** The pickle machine's bounds under those limits. */
    public PickleLimits pickleLimits() { return pickleLimits; }

    /** The file's own mapping: tensors whose bytes lie in it as they are become regions of the file. */
    public MappedFile mapped() { return mapped; }

    /** Adds a metadata entry. */
    public void metadata(String key, String value) { metadata.put(key, value); }

    /** Adds a line to the opened file's details. */
    public void detail(String line) { details.add(line); }

    /** Records something tensor-like that is not rebuilt, with why. */
    public void unsupported(String name, String why) { unsupported.add(new UnsupportedEntry(name, why)); }

    /** Keeps a further mapping (a decompressed temporary file) open for as long as the opened file. */
    public void keep(MappedFile mapping) { mappings.add(mapping); }

    /** What {@code verify()} checks beyond reading every tensor (a zip's CRCs). */
    public void verifier(Runnable verifier) { this.verifier = verifier; }

    /** Runs one pickle from {@code base} of {@code s}, with errors naming {@code structure}. */
    public PickleMachine.Result runPickle(MemorySegment s, long base, String structure) {
        ByteCursor c = new ByteCursor(s, base, format, path).structure(structure);
        return new PickleMachine(pickleLimits, new PickleMachine.Listener() {}).run(c);
    }

    /** The opened file: tied weights named in the metadata and details, each refusal listed in the details. */
    public TensorFile build() {
        if (!aliases.isEmpty()) {
            StringBuilder json = new StringBuilder("{");
            for (var e : aliases.entrySet()) {
                if (json.length() > 1) json.append(", ");
                json.append(quote(e.getKey())).append(": ").append(quote(e.getValue()));
            }
            metadata.put("tensorfile.aliases", json.append('}').toString());
            details.add("tied weights (same storage, offset, shape and stride): " + aliases);
        }
        for (UnsupportedEntry u : unsupported) details.add("not rebuilt: " + u.name() + ": " + u.description());
        return new PickleTensorFile(path, format, metadata.build(), tensors, unsupported, details, mappings, verifier, aliases);
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /**
     * Finds the tensors and arrays in a pickle's tree and adds them, each over its bytes.
     *
     * @param prefix names the items when the root is a list (TorchScript's constants), else empty
     * @param storages the bytes of a torch storage by its key
     * @param bigEndian true when the storages hold big-endian elements
     */
    public void collect(PValue root, String prefix, Function<String, ByteSource> storages, boolean bigEndian) {
        TensorCollector tc = new TensorCollector(pickleLimits.maxNesting(),
                what -> new MalformedFileException(format, path, "pickle", -1, what));
        if (!prefix.isEmpty() && Values.seq(root) != null) {
            List<PValue> items = Values.seq(root);
            PValue.PDict d = new PValue.PDict("constants");
            for (int i = 0; i < items.size(); i++) {
                d.keys().add(PValue.PStr.of(prefix + i));
                d.values().add(items.get(i));
            }
            root = d;
        }
        tc.walk(root);
        Map<String, String> firstByView = new HashMap<>();
        Map<PValue.PPersistent, ByteSource> resolved = new java.util.IdentityHashMap<>();
        for (Object o : tc.found) {
            switch (o) {
                case TensorCollector.Refused r -> unsupported.add(new UnsupportedEntry(r.name(), r.why()));
                case TensorCollector.SiblingArray a -> sibling(nameOf(a.name()), a.file());
                case TensorCollector.NumpyArray a -> {
                    ByteSource data = arrayBytes(a.data(), a.name());
                    if (data == null) {
                        unsupported.add(new UnsupportedEntry(a.name(), "numpy array whose data is not bytes in the file"));
                        continue;
                    }
                    addArray(nameOf(a.name()), a.dtype(), a.shape(), a.fortran(), data, mapped);
                }
                case TensorCollector.TorchTensor t -> {
                    List<PValue> id = Values.seq(t.storage().id());
                    String key = id != null && id.size() >= 3 ? Values.str(id.get(2)) : null;
                    Long numel = id != null && id.size() >= 5 ? Values.integer(id.get(4)) : null;
                    if (id == null || id.isEmpty() || !"storage".equals(Values.str(id.get(0))) || key == null || numel == null) {
                        unsupported.add(new UnsupportedEntry(t.name(), "persistent id is not ('storage', class, key, location, numel)"));
                        continue;
                    }
                    String name = nameOf(t.name());
                    ByteSource storage = resolved.get(t.storage());
                    if (storage == null) {
                        storage = storageFor(storages, key, id, t, numel);
                        resolved.put(t.storage(), storage);
                    }
                    long storageElements = storage.size() / t.dtype().blockBytes();
                    String bad = StridedTensor.checkExtent(storageElements, t.offset(), t.shape(), t.stride());
                    if (bad != null) {
                        throw new MalformedFileException(format, path, "tensor '" + name + "'", t.storage().offset(), bad);
                    }
                    TensorInfo info = info(name, t.dtype(), t.shape());
                    String view = key + "|" + t.dtype() + "|" + t.offset() + "|" + java.util.Arrays.toString(t.shape())
                            + "|" + java.util.Arrays.toString(t.stride());
                    String firstName = firstByView.putIfAbsent(view, name);
                    if (firstName != null) aliases.put(name, firstName);
                    tensors.add(StridedTensor.of(info, storage, t.offset(), t.shape(), t.stride(), bigEndian, mapped,
                            format, limits));
                }
                default -> throw new IllegalStateException(o.toString());
            }
        }
    }

    /**
     * joblib before 0.10 ({@code numpy_pickle_compat.NDArrayWrapper.read}): the array is {@code np.load} of the
     * named file in this file's directory. Only a plain name there is followed; a missing file is reported.
     */
    private void sibling(String name, String file) {
        String bad = Siblings.problem(file);
        if (bad != null) {
            unsupported.add(new UnsupportedEntry(name, "joblib 0.9 array file '" + file + "' " + bad));
            return;
        }
        Path sibling = siblings.apply(file);
        if (sibling == null) {
            unsupported.add(new UnsupportedEntry(name, "joblib 0.9 array file '" + file + "' is missing beside the pickle"));
            return;
        }
        MappedFile m = MappedFile.open(sibling, "npy");
        mappings.add(m);
        MemorySegment s = m.segment();
        if (!Magic.startsWith(s, 0, NpyHeader.MAGIC)) {
            unsupported.add(new UnsupportedEntry(name, "joblib 0.9 array file '" + file + "' is not an .npy file"));
            return;
        }
        ByteCursor c = new ByteCursor(s, 0, "npy", sibling);
        NpyHeader h = NpyHeader.read(c);
        if (h.dtype().object() || h.dtype().type() == null) {
            unsupported.add(new UnsupportedEntry(name, "joblib 0.9 array file '" + file + "' holds "
                    + (h.dtype().object() ? "a numpy object array (scanned, never loaded)" : "dtype " + h.descr())));
            return;
        }
        details.add("'" + name + "' is read from the sibling file " + file + " (joblib before 0.10)");
        addArray(name, h.dtype(), h.shape(), h.fortran(), new ByteSource.Mapped(s.asSlice(h.dataOffset())), m);
    }

    private ByteSource storageFor(Function<String, ByteSource> storages, String key, List<PValue> id,
            TensorCollector.TorchTensor t, long numel) {
        ByteSource root = storages.apply(key);
        DType storageType = id.get(1) instanceof PValue.PGlobal g && TorchDTypes.ofStorage(g.name()) != null
                ? TorchDTypes.ofStorage(g.name()) : t.dtype();
        long need;
        try {
            need = Math.multiplyExact(numel, (long) storageType.blockBytes());
        } catch (ArithmeticException e) {
            need = Long.MAX_VALUE;
        }
        if (numel < 0 || need > root.size()) {
            throw new MalformedFileException(format, path, "storage " + key, t.storage().offset(),
                    "claims " + numel + " elements of " + storageType + " but its record holds " + root.size() + " bytes");
        }
        // Legacy view storages: ('storage', cls, root_key, location, root_size, (view_key, offset, size)).
        if (id.size() >= 6 && Values.seq(id.get(5)) != null) {
            List<PValue> vm = Values.seq(id.get(5));
            Long off = vm.size() == 3 ? Values.integer(vm.get(1)) : null;
            Long size = vm.size() == 3 ? Values.integer(vm.get(2)) : null;
            if (off == null || size == null || off < 0 || size < 0
                    || off > root.size() / storageType.blockBytes() - size) {
                throw new MalformedFileException(format, path, "storage " + key, t.storage().offset(), "storage view outside its root storage");
            }
            return root.slice(off * storageType.blockBytes(), size * storageType.blockBytes());
        }
        return root.slice(0, need);
    }

    private String nameOf(String name) { return name.isEmpty() ? "tensor" : name; }

    private TensorInfo info(String name, DType dt, long[] shape) {
        try {
            return TensorInfo.of(name, dt, Shape.of(shape));
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw new MalformedFileException(format, path, "tensor '" + name + "'", -1, "shape " + java.util.Arrays.toString(shape)
                    + " is not valid: " + e.getMessage());
        }
    }

    /** @param file the mapping {@code data} may be a view of (so the tensor can be a region of that file) */
    public void addArray(String name, NumpyDType dt, long[] shape, boolean fortran, ByteSource data, MappedFile file) {
        TensorInfo info = info(name, dt.type(), shape);
        if (data.size() < info.byteLength()) {
            throw new MalformedFileException(format, path, "array '" + name + "'", -1, "needs " + info.byteLength()
                    + " bytes of data but " + data.size() + " are there");
        }
        long[] stride = new long[shape.length];
        long acc = 1;
        if (fortran) {
            for (int i = 0; i < shape.length; i++) {
                stride[i] = acc;
                acc *= Math.max(1, shape[i]);
            }
        } else {
            for (int i = shape.length - 1; i >= 0; i--) {
                stride[i] = acc;
                acc *= Math.max(1, shape[i]);
            }
        }
        tensors.add(StridedTensor.of(info, data, 0, shape, stride, dt.bigEndian(), file, format, limits));
    }

    /** The bytes of a pickled array's data: bytes, a Python 2 str, or {@code _codecs.encode(str, 'latin1')}. */
    private ByteSource arrayBytes(Object data, String name) {
        return switch (data) {
            case MemorySegment m -> new ByteSource.Mapped(m);
            case PValue.PBytes b -> new ByteSource.Mapped(b.data());
            case PValue.PLegacyStr s -> new ByteSource.Mapped(s.data());
            case PValue.PCall c when "_codecs.encode".equals(c.target()) && !c.argList().isEmpty()
                    && c.argList().getFirst() instanceof PValue.PStr str -> {
                String v = str.value() != null ? str.value()
                        : new String(str.utf8().toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
                byte[] out = new byte[v.length()];
                for (int i = 0; i < out.length; i++) {
                    char ch = v.charAt(i);
                    if (ch > 0xFF) {
                        throw new MalformedFileException(format, path, "array '" + name + "'", c.offset(),
                                "latin-1 data holds a character above U+00FF");
                    }
                    out[i] = (byte) ch;
                }
                yield new ByteSource.Mapped(MemorySegment.ofArray(out));
            }
            case null, default -> null;
        };
    }
}
