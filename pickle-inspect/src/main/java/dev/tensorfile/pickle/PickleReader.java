package dev.tensorfile.pickle;

import dev.tensorfile.pickle.numpy.NumpyDType;
import dev.tensorfile.pickle.numpy.Siblings;
import dev.tensorfile.pickle.tensor.StridedTensor;
import dev.tensorfile.pickle.torch.TorchDTypes;
import dev.tensorfile.pickle.vm.PValue;
import dev.tensorfile.pickle.vm.Values;
import dev.tensorfile.pickle.archive.Containers;
import dev.tensorfile.core.spi.ZipArchive;
import dev.tensorfile.pickle.tensor.ByteSource;
import dev.tensorfile.pickle.tensor.PickleTensorFile;
import dev.tensorfile.pickle.tensor.TensorCollector;
import dev.tensorfile.pickle.vm.PickleLimits;
import dev.tensorfile.pickle.vm.PickleMachine;
import dev.tensorfile.core.DType;
import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.Shape;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.UnsupportedEntry;
import dev.tensorfile.core.UnsupportedFeatureException;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.MappedFile;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Opens the pickle family by content: PyTorch zip archives (torch.save ≥ 1.6, any archive prefix), TorchScript
 * archives, the legacy torch.save stream, plain pickles, joblib files (plain, zlib, gzip, bz2, xz, lzma), {@code .npy} and
 * {@code .npz}. Nothing is executed: the pickles run on {@link PickleMachine} and tensors are rebuilt from
 * storage records by {@link TensorCollector}.
 */
final class PickleReader {
    private PickleReader() {}

    /** The family a file's bytes say it is, or null: {@code pytorch torchscript pickle joblib npy npz}. */
    static String recognize(MemorySegment s) {
        try {
            if (Containers.isZipAt(s, 0)) {
                if (!ZipArchive.hasEndRecord(s)) return null;
                return family(ZipArchive.read(s, null, "zip", 1_000_000));
            }
            if (Containers.startsWith(s, 0, Containers.LEGACY_MAGIC)) return "pytorch";
            if (Containers.startsWith(s, 0, Containers.NPY_MAGIC)) return "npy";
            Containers.Compression c = Containers.compression(s);
            if (Containers.decompressible(c)) return "joblib";
            if (Containers.isProtoPickle(s, 0)) return looksJoblib(s) ? "joblib" : "pickle";
            return null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * The family of a file that starts like a ZIP, read through its windows (for a remote file: its tail and central
     * directory), or null when it is no archive of the family.
     */
    static String zipFamily(MappedFile file) {
        try {
            if (!ZipArchive.startsWithLocalHeader(file) || !ZipArchive.hasEndRecord(file)) return null;
            return family(ZipArchive.read(file, "zip", 1_000_000, ReadLimits.DEFAULT.maxHeaderBytes()));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** {@code torchscript} (a constants.pkl), {@code pytorch} (a data.pkl), {@code npz} (only .npy entries) or null. */
    private static String family(ZipArchive zip) {
        boolean data = false, constants = false, npyOnly = !zip.entries().isEmpty();
        for (ZipArchive.Entry e : zip.entries()) {
            String n = e.name().toLowerCase(Locale.ROOT);
            if (n.endsWith("/data.pkl") || n.equals("data.pkl")) data = true;
            if (n.endsWith("/constants.pkl") || n.equals("constants.pkl")) constants = true;
            if (!n.endsWith(".npy")) npyOnly = false;
        }
        return constants ? "torchscript" : data ? "pytorch" : npyOnly ? "npz" : null;
    }

    /** joblib's wrappers within the first 64 KiB: {@code NumpyArrayWrapper}, and before 0.10 {@code NDArrayWrapper}. */
    private static boolean looksJoblib(MemorySegment s) {
        return contains(s, "NumpyArrayWrapper") || contains(s, "NDArrayWrapper");
    }

    private static boolean contains(MemorySegment s, String text) {
        byte[] needle = text.getBytes(StandardCharsets.US_ASCII);
        long limit = Math.min(s.byteSize(), 1 << 16) - needle.length;
        outer:
        for (long i = 0; i <= limit; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (s.get(ValueLayout.JAVA_BYTE, i + k) != needle[k]) continue outer;
            }
            return true;
        }
        return false;
    }

    static PickleTensorFile open(Path path, ReadLimits limits) {
        return open(path, limits, file -> {
            Path sibling = path.toAbsolutePath().resolveSibling(file);
            return java.nio.file.Files.isRegularFile(sibling) ? sibling : null;
        });
    }

    /**
     * Opens {@code path}; {@code siblings} finds a file named beside it (joblib 0.9's array files): a local path, or
     * null when there is none. A remote file's siblings are fetched from beside its URL.
     */
    static PickleTensorFile open(Path path, ReadLimits limits, java.util.function.Function<String, Path> siblings) {
        return open(MappedFile.open(path, "pickle"), limits, siblings);
    }

    /**
     * Opens a mapped file, which the result owns (closed now if the open fails). A remote ZIP (PyTorch, TorchScript,
     * npz) costs its tail, central directory and the entries read at open; its storages are fetched when read. Any
     * other remote file is fetched whole ({@link MappedFile#segment()}).
     */
    static PickleTensorFile open(MappedFile mapped, ReadLimits limits, java.util.function.Function<String, Path> siblings) {
        Path path = mapped.path();
        List<MappedFile> mappings = new ArrayList<>();
        mappings.add(mapped);
        try {
            return new Build(path, limits, mapped, mappings, siblings).run();
        } catch (RuntimeException e) {
            for (MappedFile m : mappings) m.close();
            throw e;
        }
    }

    /** One open: collects tensors, metadata and refusals. */
    private static final class Build {
        private final Path path;
        private final ReadLimits limits;
        private final PickleLimits pickleLimits;
        private final MappedFile mapped;
        private final List<MappedFile> mappings;
        private final Metadata.Builder metadata = Metadata.builder();
        private final List<Tensor> tensors = new ArrayList<>();
        private final List<UnsupportedEntry> unsupported = new ArrayList<>();
        private final List<String> details = new ArrayList<>();
        private final Map<String, String> aliases = new LinkedHashMap<>();
        private final Map<String, String> viewKeys = new HashMap<>();
        private final java.util.function.Function<String, Path> siblings;
        private String format;
        private Runnable verifier;

        Build(Path path, ReadLimits limits, MappedFile mapped, List<MappedFile> mappings,
                java.util.function.Function<String, Path> siblings) {
            this.siblings = siblings;
            this.path = path;
            this.limits = limits;
            this.pickleLimits = PickleLimits.from(limits);
            this.mapped = mapped;
            this.mappings = mappings;
        }

        PickleTensorFile run() {
            // A remote file is recognised as an archive from its end, before anything fetches it whole.
            String family = mapped.isRemote() ? zipFamily(mapped) : null;
            MemorySegment s = family != null ? null : mapped.segment();
            if (family == null) family = recognize(s);
            if (family == null) {
                if (Containers.mayBePickle(s, 0)) family = "pickle";
                else throw new MalformedFileException("pickle", path, "file", 0,
                        "not a pickle, PyTorch, joblib or numpy file (no known magic bytes)");
            }
            format = family;
            switch (family) {
                case "pytorch", "torchscript" -> {
                    if (ZipArchive.startsWithLocalHeader(mapped)) torchZip(readZip());
                    else legacy(s);
                }
                case "npy" -> npy(s, 0, "array", 0);
                case "npz" -> npz(readZip());
                case "joblib" -> joblib(s);
                default -> plainPickle(s, 0, "pickle");
            }
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

        // ---- PyTorch zip (caffe2/serialize/inline_container.cc) ----

        private ZipArchive readZip() {
            return ZipArchive.read(mapped, format, limits.maxCollectionSize(), limits.maxHeaderBytes());
        }

        /** A file opened for its tensors refuses what a careful reader rejects (ZipArchive's problems). */
        private void refuseProblems(ZipArchive zip) {
            if (!zip.problems().isEmpty()) {
                ZipArchive.Problem p = zip.problems().getFirst();
                throw new MalformedFileException(format, path, "zip central directory entry '" + p.entry() + "'",
                        p.offset(), p.what());
            }
        }

        private void torchZip(ZipArchive zip) {
            refuseProblems(zip);
            if (zip.entries().isEmpty()) throw new MalformedFileException(format, path, "zip", 0, "archive has no entries");
            String first = zip.entries().getFirst().name();
            int slash = first.indexOf('/');
            String prefix = slash < 0 ? "" : first.substring(0, slash + 1);
            for (ZipArchive.Entry e : zip.entries()) {
                if (!e.name().startsWith(prefix)) {
                    throw new MalformedFileException(format, path, "zip entry '" + e.name() + "'", e.headerOffset(),
                            "outside the archive's top directory '" + prefix + "' (PyTorch refuses such archives)");
                }
            }
            metadata.put("pytorch.archive", prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1));
            // data.pkl first, as torch writes it: over HTTP its fetch brings the small records after it along
            if (zip.find(prefix + "data.pkl") != null && zip.find(prefix + "data.pkl").stored()) zip.raw(zip.find(prefix + "data.pkl"));
            String byteorder = text(zip, prefix + "byteorder");
            boolean big = false;
            if (byteorder != null) {
                metadata.put("pytorch.byteorder", byteorder);
                if (!byteorder.equals("little") && !byteorder.equals("big")) {
                    throw new MalformedFileException(format, path, "zip entry '" + prefix + "byteorder'", -1,
                            "byteorder is '" + byteorder + "', neither 'little' nor 'big'");
                }
                big = byteorder.equals("big");
            }
            String version = text(zip, prefix + ".data/version");
            if (version == null) version = text(zip, prefix + "version");
            if (version != null) metadata.put("pytorch.version", version);
            String fv = text(zip, prefix + ".format_version");
            if (fv != null) metadata.put("pytorch.format_version", fv);
            List<String> code = new ArrayList<>();
            for (ZipArchive.Entry e : zip.entries()) {
                String rel = e.name().substring(prefix.length());
                if (rel.startsWith("code/") && !rel.endsWith(".debug_pkl")) code.add(rel);
            }
            if (!code.isEmpty()) details.add("TorchScript code (listed, never run): " + String.join(", ", code));
            boolean bigEndian = big;
            ZipArchive.Entry dataPkl = zip.find(prefix + "data.pkl");
            if (dataPkl != null) {
                PickleMachine.Result r = runPickle(zip.content(dataPkl, pickleLimits.maxPickleBytes()),
                        dataPkl.stored() ? zip.dataOffset(dataPkl) : 0, dataPkl.name());
                collect(r.root(), "", key -> zipStorage(zip, prefix, "data/", key), bigEndian);
            }
            ZipArchive.Entry constants = zip.find(prefix + "constants.pkl");
            if (constants != null) {
                PickleMachine.Result r = runPickle(zip.content(constants, pickleLimits.maxPickleBytes()),
                        constants.stored() ? zip.dataOffset(constants) : 0, constants.name());
                String dir = zip.find(prefix + "constants/") != null || hasDir(zip, prefix + "constants/") ? "constants/" : "data/";
                collect(r.root(), "CONSTANTS.c", key -> zipStorage(zip, prefix, dir, key), bigEndian);
            }
            verifier = () -> {
                for (ZipArchive.Entry e : zip.entries()) {
                    if (e.stored() && zip.crcOfStored(e) != e.crc()) {
                        throw new MalformedFileException(format, path, "zip entry '" + e.name() + "'", zip.dataOffset(e),
                                String.format("CRC-32 %08x does not match the directory's %08x", zip.crcOfStored(e), e.crc()));
                    }
                }
            };
        }

        private static boolean hasDir(ZipArchive zip, String dir) {
            for (ZipArchive.Entry e : zip.entries()) if (e.name().startsWith(dir)) return true;
            return false;
        }

        private String text(ZipArchive zip, String name) {
            ZipArchive.Entry e = zip.find(name);
            if (e == null || e.size() > 4096) return null;
            return new String(zip.content(e, 4096).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8).strip();
        }

        private ByteSource zipStorage(ZipArchive zip, String prefix, String dir, String key) {
            if (key.contains("/") || key.contains("\\") || key.contains("..")) {
                throw new MalformedFileException(format, path, "storage record", -1, "storage key '" + key + "' is not a plain name");
            }
            ZipArchive.Entry e = zip.find(prefix + dir + key);
            if (e == null) {
                throw new MalformedFileException(format, path, "storage record", -1, "no record '" + prefix + dir + key + "' for storage " + key);
            }
            if (e.stored() && !mapped.isRemote()) return new ByteSource.Mapped(zip.raw(e));
            if (e.stored()) {
                // its local header is read when the storage is first read: no request per storage at open
                return new ByteSource.Deferred(e.compressedSize(), true, () -> {
                    MemorySegment raw = zip.rawUnfetched(e);
                    refuseProblems(zip);
                    return new ByteSource.Fetching(raw, mapped);
                });
            }
            if (e.method() != 8) throw new UnsupportedFeatureException(format, path, "storage '" + e.name() + "' uses compression method " + e.method());
            return new ByteSource.Inflating(zip.inflating(e));
        }

        // ---- legacy torch.save (torch/serialization.py _legacy_save) ----

        private void legacy(MemorySegment s) {
            ByteCursor c = new ByteCursor(s, 0, format, path).structure("legacy magic number pickle");
            Map<String, PValue.PPersistent> ids = new LinkedHashMap<>();
            PickleMachine.Listener collectIds = new PickleMachine.Listener() {
                @Override
                public void persistent(PValue.PPersistent p) {
                    List<PValue> id = Values.seq(p.id());
                    if (id != null && id.size() >= 3 && "storage".equals(Values.str(id.get(0))) && Values.str(id.get(2)) != null) {
                        ids.putIfAbsent(Values.str(id.get(2)), p);
                    }
                }
            };
            PValue magic = new PickleMachine(pickleLimits, collectIds).run(c).root();
            if (!(magic instanceof PValue.PBigInt b) || b.value() == null
                    || !b.value().equals(new java.math.BigInteger("1950a86a20f9469cfc6c", 16))) {
                throw c.failAt(0, "legacy magic number is not 0x1950a86a20f9469cfc6c");
            }
            c.structure("legacy protocol version pickle");
            Long protocol = Values.integer(new PickleMachine(pickleLimits, collectIds).run(c).root());
            if (protocol == null || protocol != 1001) throw c.fail("legacy protocol version is " + protocol + ", not 1001");
            metadata.put("pytorch.format", "legacy");
            metadata.put("pytorch.protocol_version", "1001");
            c.structure("legacy sys_info pickle");
            PValue sysInfo = new PickleMachine(pickleLimits, collectIds).run(c).root();
            if (sysInfo instanceof PValue.PDict d && Values.bool(d.get("little_endian")) != null) {
                metadata.put("pytorch.little_endian", Boolean.toString(Values.bool(d.get("little_endian"))));
            }
            c.structure("legacy object pickle");
            PickleMachine.Result object = new PickleMachine(pickleLimits, collectIds).resolvingTorchModules().run(c);
            c.structure("legacy storage keys pickle");
            List<PValue> keys = Values.seq(new PickleMachine(pickleLimits, collectIds).run(c).root());
            if (keys == null) throw c.fail("the storage keys pickle is not a list");
            Map<String, ByteSource> storages = new HashMap<>();
            c.structure("legacy storage data");
            for (PValue k : keys) {
                String key = Values.str(k);
                PValue.PPersistent p = key == null ? null : ids.get(key);
                if (p == null) throw c.fail("storage key " + Values.describe(k) + " is not used by the object pickle");
                DType dt = storageType(p);
                long at = c.position();
                long count = c.i64();
                if (count < 0) throw c.failAt(at, "storage " + key + " has negative element count " + count);
                c.requireCount(count, dt.blockBytes(), "storage " + key + " element");
                storages.put(key, new ByteSource.Mapped(c.slice(count * dt.blockBytes())));
            }
            if (c.remaining() > 0) details.add(c.remaining() + " bytes after the last storage (ignored)");
            collect(object.root(), "", key -> {
                ByteSource src = storages.get(key);
                if (src == null) throw new MalformedFileException(format, path, "legacy storage data", -1, "no data for storage " + key);
                return src;
            }, false);
        }

        private DType storageType(PValue.PPersistent p) {
            List<PValue> id = Values.seq(p.id());
            if (id != null && id.size() >= 2 && id.get(1) instanceof PValue.PGlobal g) {
                DType dt = TorchDTypes.ofStorage(g.name);
                if (dt != null) return dt;
                throw new UnsupportedFeatureException(format, path, "storage class " + g.qualified() + " is not supported");
            }
            throw new MalformedFileException(format, path, "legacy object pickle", p.offset(), "persistent id does not name a storage class");
        }

        // ---- numpy ----

        private void npy(MemorySegment s, long base, String name, int unused) {
            npy(s, base, name, dataOffset -> new ByteSource.Mapped(s.asSlice(dataOffset)));
        }

        /** An .npy whose header is in {@code s} and whose data from byte {@code dataOffset} on are {@code data}. */
        private void npy(MemorySegment s, long base, String name, java.util.function.LongFunction<ByteSource> data) {
            ByteCursor c = new ByteCursor(s, base, "npy", path);
            Containers.NpyHeader h = Containers.npyHeader(c);
            if (base == 0) {
                metadata.put("npy.descr", h.descr());
                metadata.put("npy.fortran_order", h.fortran() ? "True" : "False");
            }
            if (h.dtype().object()) {
                unsupported.add(new UnsupportedEntry(name, "numpy object array: Python objects, not numbers (scanned, never loaded)"));
                return;
            }
            if (h.dtype().type() == null) {
                unsupported.add(new UnsupportedEntry(name, "numpy dtype " + h.descr() + " has no element type here"));
                return;
            }
            c.seek(h.dataOffset());
            addArray(name, h.dtype(), h.shape(), h.fortran(), data.apply(h.dataOffset()), mapped);
        }

        private void npz(ZipArchive zip) {
            refuseProblems(zip);
            for (ZipArchive.Entry e : zip.entries()) {
                String name = e.name().substring(0, e.name().length() - 4);
                if (e.stored() && mapped.isRemote()) {
                    // the array's header is fetched now (a 1.0 header is under 64 KiB), its data when read
                    MemorySegment raw = zip.rawUnfetched(e);
                    long base = zip.dataOffset(e);
                    npy(mapped.window(base, Math.min(raw.byteSize(), 65_536 + 16)), base, name,
                            dataOffset -> new ByteSource.Fetching(raw.asSlice(dataOffset), mapped));
                } else if (e.stored()) {
                    npy(zip.raw(e), zip.dataOffset(e), name, 0);
                } else {
                    // The header is small; the data is inflated on read.
                    ByteSource.Inflating src = new ByteSource.Inflating(zip.inflating(e));
                    long headLength = Math.min(e.size(), 1 << 16);
                    MemorySegment head = MemorySegment.ofArray(new byte[(int) headLength]);
                    src.read(0, head);
                    ByteCursor c = new ByteCursor(head, 0, "npy", path);
                    Containers.NpyHeader h = Containers.npyHeader(c);
                    if (h.dtype().object() || h.dtype().type() == null) {
                        unsupported.add(new UnsupportedEntry(name, "numpy " + (h.dtype().object() ? "object array" : "dtype " + h.descr())
                                + " is not numeric data here"));
                        continue;
                    }
                    addArray(name, h.dtype(), h.shape(), h.fortran(), src.slice(h.dataOffset(), e.size() - h.dataOffset()), mapped);
                }
            }
        }

        // ---- pickles and joblib ----

        private void joblib(MemorySegment s) {
            Containers.Compression comp = Containers.compression(s);
            MemorySegment stream = s;
            if (comp != Containers.Compression.NONE) {
                MappedFile inflated = Containers.inflateToTemp(s, comp, path, format, limits.maxDecodedBytes());
                mappings.add(inflated);
                stream = inflated.segment();
                metadata.put("joblib.compression", comp.name().toLowerCase(Locale.ROOT));
            }
            plainPickle(stream, 0, "joblib pickle");
        }

        private void plainPickle(MemorySegment s, long base, String structure) {
            PickleMachine.Result r = runPickle(s, base, structure);
            metadata.put("pickle.protocol", Integer.toString(r.protocol()));
            collect(r.root(), "", key -> {
                throw new UnsupportedFeatureException(format, path, "torch tensor with persistent storage '" + key
                        + "' in a bare pickle: its storage records are not in this file");
            }, false);
        }

        private PickleMachine.Result runPickle(MemorySegment s, long base, String structure) {
            ByteCursor c = new ByteCursor(s, base, format, path).structure(structure);
            return new PickleMachine(pickleLimits, new PickleMachine.Listener() {}).run(c);
        }

        // ---- tensors ----

        private void collect(PValue root, String prefix, java.util.function.Function<String, ByteSource> storages, boolean bigEndian) {
            TensorCollector tc = new TensorCollector(pickleLimits.maxNesting(),
                    what -> new MalformedFileException(format, path, "pickle", -1, what));
            if (!prefix.isEmpty() && Values.seq(root) != null) {
                List<PValue> items = Values.seq(root);
                PValue.PDict d = new PValue.PDict("constants");
                for (int i = 0; i < items.size(); i++) {
                    d.keys.add(PValue.PStr.of(prefix + i));
                    d.values.add(items.get(i));
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
            if (!Containers.startsWith(s, 0, Containers.NPY_MAGIC)) {
                unsupported.add(new UnsupportedEntry(name, "joblib 0.9 array file '" + file + "' is not an .npy file"));
                return;
            }
            ByteCursor c = new ByteCursor(s, 0, "npy", sibling);
            Containers.NpyHeader h = Containers.npyHeader(c);
            if (h.dtype().object() || h.dtype().type() == null) {
                unsupported.add(new UnsupportedEntry(name, "joblib 0.9 array file '" + file + "' holds "
                        + (h.dtype().object() ? "a numpy object array (scanned, never loaded)" : "dtype " + h.descr())));
                return;
            }
            details.add("'" + name + "' is read from the sibling file " + file + " (joblib before 0.10)");
            addArray(name, h.dtype(), h.shape(), h.fortran(), new ByteSource.Mapped(s.asSlice(h.dataOffset())), m);
        }

        private ByteSource storageFor(java.util.function.Function<String, ByteSource> storages, String key, List<PValue> id,
                TensorCollector.TorchTensor t, long numel) {
            ByteSource root = storages.apply(key);
            DType storageType = id.get(1) instanceof PValue.PGlobal g && TorchDTypes.ofStorage(g.name) != null
                    ? TorchDTypes.ofStorage(g.name) : t.dtype();
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
        private void addArray(String name, NumpyDType dt, long[] shape, boolean fortran, ByteSource data, MappedFile file) {
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
                            throw new MalformedFileException(format, path, "array '" + name + "'", c.offset,
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

    /** Wraps any failure while reading into the library's exception family. */
    static TensorFileException wrap(Path path, String format, RuntimeException e) {
        return e instanceof TensorFileException t ? t : new TensorFileException(format, path, e.toString(), e);
    }
}
