package dev.tensorfile.pickle;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.core.spi.ZipArchive;
import dev.tensorfile.pickle.archive.Compression;
import dev.tensorfile.pickle.archive.Magic;
import dev.tensorfile.pickle.numpy.NpyHeader;
import dev.tensorfile.pickle.tensor.Contents;
import dev.tensorfile.pickle.torch.LegacyStream;
import dev.tensorfile.pickle.vm.PickleStart;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The containers of the pickle family, recognised by their bytes (never by a file name), each claimed by the format of
 * its name and read by its own class.
 */
enum Container {
    /** A PyTorch zip archive ({@code data.pkl}) or the legacy torch.save stream (its magic number). */
    PYTORCH("pytorch"),
    /** A TorchScript archive ({@code constants.pkl}). */
    TORCHSCRIPT("torchscript"),
    /** A bare pickle. */
    PICKLE("pickle"),
    /** A joblib file: compressed, or a pickle with joblib's array wrappers. */
    JOBLIB("joblib"),
    /** A numpy {@code .npy} array. */
    NPY("npy"),
    /** A zip archive of {@code .npy} arrays only. */
    NPZ("npz");

    /** The name of the format that claims it. */
    final String format;

    Container(String format) { this.format = format; }

    /**
     * Reads the file, which is this container, into {@code out}: an archive through {@code out}'s mapping (a remote
     * one from its end), anything else from {@code s}, its bytes (null for an archive recognised from its end).
     */
    void read(MemorySegment s, Contents out) {
        switch (this) {
            case PYTORCH, TORCHSCRIPT -> {
                if (ZipArchive.startsWithLocalHeader(out.mapped())) TorchZipReader.read(ZipContainer.read(out), out);
                else TorchLegacyReader.read(s, out);
            }
            case NPY -> NpyReader.read(s, 0, "array", out);
            case NPZ -> NpzReader.read(ZipContainer.read(out), out);
            case JOBLIB -> JoblibReader.read(s, out);
            case PICKLE -> PlainPickleReader.read(s, 0, "pickle", out);
        }
    }

    /** The container a file's bytes say it is, or null. */
    static Container recognize(MemorySegment s) {
        try {
            if (Magic.isZipAt(s, 0)) {
                if (!ZipArchive.hasEndRecord(s)) return null;
                return ofZip(ZipArchive.read(s, null, "zip", 1_000_000));
            }
            if (Magic.startsWith(s, 0, LegacyStream.MAGIC)) return PYTORCH;
            if (Magic.startsWith(s, 0, NpyHeader.MAGIC)) return NPY;
            if (Compression.of(s).decompressible()) return JOBLIB;
            if (PickleStart.isProtoPickle(s, 0)) return looksJoblib(s) ? JOBLIB : PICKLE;
            return null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * The container of a file that starts like a ZIP, read through its windows (for a remote file: its tail and
     * central directory), or null when it is no archive of the family.
     */
    static Container recognizeZip(MappedFile file) {
        try {
            if (!ZipArchive.startsWithLocalHeader(file) || !ZipArchive.hasEndRecord(file)) return null;
            return ofZip(ZipArchive.read(file, "zip", 1_000_000, ReadLimits.DEFAULT.maxHeaderBytes()));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** {@link #TORCHSCRIPT} (a constants.pkl), {@link #PYTORCH} (a data.pkl), {@link #NPZ} (only .npy entries) or null. */
    private static Container ofZip(ZipArchive zip) {
        boolean data = false, constants = false, npyOnly = !zip.entries().isEmpty();
        for (ZipArchive.Entry e : zip.entries()) {
            String n = e.name().toLowerCase(Locale.ROOT);
            if (n.endsWith("/data.pkl") || n.equals("data.pkl")) data = true;
            if (n.endsWith("/constants.pkl") || n.equals("constants.pkl")) constants = true;
            if (!n.endsWith(".npy")) npyOnly = false;
        }
        return constants ? TORCHSCRIPT : data ? PYTORCH : npyOnly ? NPZ : null;
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
}
