package dev.tensorfile.onnx;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.spi.RemoteFile;
import dev.tensorfile.core.spi.WireReader;

/**
 * Fetches the parts of a remote model that the protobuf walk reads — keys, lengths, names, dims — and not the tensor
 * data it skips by length, reading ahead where the structure is dense.
 *
 * <p>Why read ahead: the walk learns where the next field lies only from the length of the one before, so fetching
 * exactly what it reads costs a round trip per initializer. Where the data between two reads is small, fetching it
 * with the structure costs less than the round trip it saves; where it is large, fetching it would make the bytes
 * fetched grow with the data. The rule: a read that misses the cache less than {@value #DENSE_GAP} bytes after the
 * previous fetch ended (the cache's own coalescing distance) doubles the read-ahead, from {@value #FIRST_AHEAD} bytes
 * up to {@value #MAX_AHEAD}; a read that misses further on fetches {@value #SPARSE_AHEAD} bytes (about one
 * TensorProto header). A model of 2,000 initializers of 4 KiB opens in a handful of requests; one of 2,000
 * initializers of 512 KiB in one request per initializer, a page or two each.
 *
 * <p>The walk's own reads at cache misses are bounded by {@link ReadLimits#maxHeaderBytes()}: a field that claims
 * more (a packed run of dims as long as the file) is refused before it is fetched. Read-ahead is not counted: it is
 * bounded by the doubling rule, not by what the file claims.
 *
 * <p>Thread-safe: a model's subgraphs and value infos may be indexed from any thread.
 */
final class StructureFetch implements WireReader.Fetch {
    /** Where the gap since the last fetch is shorter than this, the data in between is fetched with the structure. */
    static final long DENSE_GAP = 64 * 1024;
    static final long FIRST_AHEAD = 64 * 1024;
    static final long MAX_AHEAD = 8L << 20;
    static final long SPARSE_AHEAD = 1024;

    private final RemoteFile remote;
    private final long maxAsked;
    /** A range known to be fetched: checked without asking the cache. */
    private long lo;
    private long hi;
    /** Where the last fetch made here ended. */
    private long lastEnd;
    private long ahead;
    /** Bytes the walk asked for at cache misses (not read-ahead), against {@link #maxAsked}. */
    private long asked;

    StructureFetch(RemoteFile remote, ReadLimits limits) {
        this.remote = remote;
        this.maxAsked = limits.maxHeaderBytes();
        this.hi = remote.fetchedFrom(0); // the open's first request
        this.lastEnd = hi;
    }

    @Override
    public synchronized void fetch(long offset, long length) {
        if (offset >= lo && length <= hi - offset) return;
        long have = remote.fetchedFrom(offset);
        if (have >= length) {
            lo = offset;
            hi = offset + have;
            return;
        }
        if (length > maxAsked - asked) {
            throw new TensorFileException(OnnxFile.FORMAT, remote.path(), "reading the model's structure at byte "
                    + offset + " needs " + length + " more bytes, beyond the " + maxAsked
                    + " a remote header may fetch (ReadLimits.maxHeaderBytes)");
        }
        asked += length;
        long gap = offset - lastEnd;
        ahead = gap >= 0 && gap < DENSE_GAP ? Math.min(MAX_AHEAD, Math.max(FIRST_AHEAD, ahead * 2)) : SPARSE_AHEAD;
        long n = Math.min(remote.size() - offset, Math.max(length, ahead));
        remote.require(offset, n);
        lo = offset;
        hi = offset + remote.fetchedFrom(offset);
        lastEnd = hi;
    }
}
