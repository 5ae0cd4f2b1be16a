package dev.tensorfile.pickle;

import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.UnsupportedFeatureException;
import dev.tensorfile.core.spi.ZipArchive;
import dev.tensorfile.pickle.tensor.ByteSource;
import dev.tensorfile.pickle.tensor.Contents;
import dev.tensorfile.pickle.vm.PickleMachine;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * PyTorch's zip archives ({@code torch.save} since 1.6, caffe2 {@code serialize/inline_container.cc}) and
 * TorchScript archives: one top directory of any name holding {@code data.pkl} (and {@code constants.pkl}), whose
 * persistent ids name storage records {@code data/<key>}; {@code byteorder} says how those hold their elements.
 * TorchScript's {@code code/} is listed, never run.
 */
final class TorchZipReader {
    private final Contents out;
    private final Path path;
    private final String format;

    private TorchZipReader(Contents out) {
        this.out = out;
        this.path = out.path();
        this.format = out.format();
    }

    /** Reads the archive {@code zip} into {@code out}. */
    static void read(ZipArchive zip, Contents out) { new TorchZipReader(out).read(zip); }

    private void read(ZipArchive zip) {
        ZipContainer.refuseProblems(zip, out);
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
        out.metadata("pytorch.archive", prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1));
        // data.pkl first, as torch writes it: over HTTP its fetch brings the small records after it along
        if (zip.find(prefix + "data.pkl") != null && zip.find(prefix + "data.pkl").stored()) zip.raw(zip.find(prefix + "data.pkl"));
        String byteorder = text(zip, prefix + "byteorder");
        boolean big = false;
        if (byteorder != null) {
            out.metadata("pytorch.byteorder", byteorder);
            if (!byteorder.equals("little") && !byteorder.equals("big")) {
                throw new MalformedFileException(format, path, "zip entry '" + prefix + "byteorder'", -1,
                        "byteorder is '" + byteorder + "', neither 'little' nor 'big'");
            }
            big = byteorder.equals("big");
        }
        String version = text(zip, prefix + ".data/version");
        if (version == null) version = text(zip, prefix + "version");
        if (version != null) out.metadata("pytorch.version", version);
        String fv = text(zip, prefix + ".format_version");
        if (fv != null) out.metadata("pytorch.format_version", fv);
        List<String> code = new ArrayList<>();
        for (ZipArchive.Entry e : zip.entries()) {
            String rel = e.name().substring(prefix.length());
            if (rel.startsWith("code/") && !rel.endsWith(".debug_pkl")) code.add(rel);
        }
        if (!code.isEmpty()) out.detail("TorchScript code (listed, never run): " + String.join(", ", code));
        boolean bigEndian = big;
        ZipArchive.Entry dataPkl = zip.find(prefix + "data.pkl");
        if (dataPkl != null) {
            PickleMachine.Result r = out.runPickle(zip.content(dataPkl, out.pickleLimits().maxPickleBytes()),
                    dataPkl.stored() ? zip.dataOffset(dataPkl) : 0, dataPkl.name());
            out.collect(r.root(), "", key -> zipStorage(zip, prefix, "data/", key), bigEndian);
        }
        ZipArchive.Entry constants = zip.find(prefix + "constants.pkl");
        if (constants != null) {
            PickleMachine.Result r = out.runPickle(zip.content(constants, out.pickleLimits().maxPickleBytes()),
                    constants.stored() ? zip.dataOffset(constants) : 0, constants.name());
            String dir = zip.find(prefix + "constants/") != null || hasDir(zip, prefix + "constants/") ? "constants/" : "data/";
            out.collect(r.root(), "CONSTANTS.c", key -> zipStorage(zip, prefix, dir, key), bigEndian);
        }
        out.verifier(() -> {
            for (ZipArchive.Entry e : zip.entries()) {
                if (e.stored() && zip.crcOfStored(e) != e.crc()) {
                    throw new MalformedFileException(format, path, "zip entry '" + e.name() + "'", zip.dataOffset(e),
                            String.format("CRC-32 %08x does not match the directory's %08x", zip.crcOfStored(e), e.crc()));
                }
            }
        });
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
        if (e.stored() && !out.mapped().isRemote()) return new ByteSource.Mapped(zip.raw(e));
        if (e.stored()) {
            // its local header is read when the storage is first read: no request per storage at open
            return new ByteSource.Deferred(e.compressedSize(), true, () -> {
                MemorySegment raw = zip.rawUnfetched(e);
                ZipContainer.refuseProblems(zip, out);
                return new ByteSource.Fetching(raw, out.mapped());
            });
        }
        if (e.method() != 8) throw new UnsupportedFeatureException(format, path, "storage '" + e.name() + "' uses compression method " + e.method());
        return new ByteSource.Inflating(zip.inflating(e));
    }
}
