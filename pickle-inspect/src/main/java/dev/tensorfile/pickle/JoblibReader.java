package dev.tensorfile.pickle;

import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.pickle.archive.Compression;
import dev.tensorfile.pickle.archive.Decompressor;
import dev.tensorfile.pickle.tensor.Contents;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A joblib file ({@code joblib.dump}): a pickle whose array wrappers are followed by the arrays' bytes, the whole
 * file plain or compressed (zlib, gzip, bz2, xz, lzma, and joblib 0.9's 'ZF'); a compressed file is decompressed to
 * a temporary file first, bounded by {@code maxDecodedBytes}.
 */
final class JoblibReader {
    private final Contents out;
    private final Path path;
    private final String format;

    private JoblibReader(Contents out) {
        this.out = out;
        this.path = out.path();
        this.format = out.format();
    }

    /** Reads the file {@code s} into {@code out}. */
    static void read(MemorySegment s, Contents out) { new JoblibReader(out).read(s); }

    private void read(MemorySegment s) {
        Compression comp = Compression.of(s);
        MemorySegment stream = s;
        if (comp != Compression.NONE) {
            MappedFile inflated = Decompressor.inflateToTemp(s, comp, path, format, out.limits().maxDecodedBytes());
            out.keep(inflated);
            stream = inflated.segment();
            out.metadata("joblib.compression", comp.name().toLowerCase(Locale.ROOT));
        }
        PlainPickleReader.read(stream, 0, "joblib pickle", out);
    }
}
