package dev.tensorfile.onnx.initializers;

import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.core.spi.RemoteFile;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The external data files of one model (onnx docs/ExternalData.md): each tensor's {@code external_data} resolved
 * under the rules of {@link ExternalData}, each file mapped once however many tensors lie in it (locally, or beside
 * a remote model's URL), their SHA-1 checksums checked, and all of them unmapped when the model closes.
 */
public final class ExternalFiles implements AutoCloseable {
    private final Path path;
    /** The model's remote file, against whose URL external data is resolved; null for a local model. */
    private final RemoteFile remote;
    private final Map<Path, MappedFile> external = new HashMap<>();

    public ExternalFiles(Path path, RemoteFile remote) {
        this.path = path;
        this.remote = remote;
    }

    Tensor tensor(TensorProto t, TensorInfo info, String label) {
        Path dir = remote != null ? null : path.toAbsolutePath().getParent();
        ExternalData x = ExternalData.resolve(t.externalData, dir, path, label + " external_data", t.offset);
        MappedFile file;
        synchronized (external) {
            file = external.get(x.file());
            if (file == null) {
                file = remote == null ? MappedFile.open(x.file(), InitializerTensors.FORMAT) : openRemote(t, x, label);
                external.put(x.file(), file);
            }
        }
        long size = file.size();
        long length = x.length() < 0 ? size - x.offset() : x.length();
        if (x.offset() > size || length < 0 || length > size - x.offset()) {
            throw new MalformedFileException(InitializerTensors.FORMAT, path, label, t.offset, "external data [" + x.offset() + ", " + (x.length() < 0 ? "end" : x.offset() + x.length())
                    + ") lies outside '" + x.location() + "' of " + size + " bytes");
        }
        if (length != info.byteLength()) {
            throw new MalformedFileException(InitializerTensors.FORMAT, path, label, t.offset, "external data length " + length + ", but dims " + info.shape() + " of " + info.dtype()
                    + " need " + info.byteLength());
        }
        return new ExternalTensor(info, file.dataSlice(x.offset(), length), file, x, t);
    }

    private MappedFile openRemote(TensorProto t, ExternalData x, String label) {
        try {
            // a file of tensor data only: one page tells its size; its bytes are fetched when a tensor is read
            return MappedFile.remote(remote.sibling(x.file().toString().replace('\\', '/'), 1));
        } catch (TensorFileException e) {
            throw new MalformedFileException(InitializerTensors.FORMAT, path, label + " external_data", t.offset, "external data file '"
                    + x.location() + "' does not exist or cannot be read", e); // the HTTP reason is the cause
        }
    }

    /**
     * Checks the SHA-1 {@code checksum} of each external file the tensors lie in (onnx docs/ExternalData.md: of the
     * whole file), where one is given; the tensors that share a file must give the same checksum.
     */
    public void verifyChecksums(List<Tensor> tensors) {
        Map<Path, String> checksums = new LinkedHashMap<>();
        for (Tensor t : tensors) {
            if (t instanceof ExternalTensor x && x.data.checksum() != null) {
                String want = checksums.put(x.data.file(), x.data.checksum());
                if (want != null && !want.equalsIgnoreCase(x.data.checksum())) {
                    throw new MalformedFileException(InitializerTensors.FORMAT, path, "initializer '" + x.proto.name + "'",
                            x.proto.offset, "external data checksums of '" + x.data.location() + "' disagree");
                }
            }
        }
        for (Map.Entry<Path, String> c : checksums.entrySet()) {
            MappedFile f;
            synchronized (external) { f = external.get(c.getKey()); }
            String got = sha1(f.segment());
            if (!got.equalsIgnoreCase(c.getValue().trim())) {
                throw new MalformedFileException(InitializerTensors.FORMAT, path, "external data file '" + c.getKey().getFileName() + "'", -1,
                        "SHA-1 " + got + " differs from the checksum " + c.getValue() + " the model records");
            }
        }
    }

    private static String sha1(MemorySegment data) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            for (long at = 0; at < data.byteSize(); at += 1 << 26) {
                md.update(data.asSlice(at, Math.min(1 << 26, data.byteSize() - at)).asByteBuffer());
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Unmaps every external file; idempotent. */
    @Override
    public void close() {
        synchronized (external) {
            for (MappedFile f : external.values()) f.close();
            external.clear();
        }
    }
}
