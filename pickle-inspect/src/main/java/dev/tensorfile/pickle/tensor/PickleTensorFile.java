package dev.tensorfile.pickle.tensor;

import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.UnsupportedEntry;
import dev.tensorfile.core.spi.TensorIndex;
import dev.tensorfile.core.spi.MappedFile;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An opened pickle-based file: its tensors rebuilt from storages or arrays, never by running the pickle. */
final class PickleTensorFile implements TensorFile {
    private final Path path;
    private final String format;
    private final Metadata metadata;
    private final TensorIndex tensors;
    private final List<UnsupportedEntry> unsupported;
    private final List<String> details;
    private final List<MappedFile> mappings;
    private final Runnable verifier;
    private final Map<String, String> aliases;

    PickleTensorFile(Path path, String format, Metadata metadata, List<Tensor> tensors, List<UnsupportedEntry> unsupported,
            List<String> details, List<MappedFile> mappings, Runnable verifier, Map<String, String> aliases) {
        this.aliases = Map.copyOf(aliases);
        this.path = path;
        this.format = format;
        this.metadata = metadata;
        this.tensors = TensorIndex.of(tensors);
        this.unsupported = List.copyOf(unsupported);
        this.details = List.copyOf(details);
        this.mappings = List.copyOf(mappings);
        this.verifier = verifier;
    }

    @Override public Path path() { return path; }
    @Override public String format() { return format; }
    @Override public Metadata metadata() { return metadata; }
    @Override public List<Tensor> tensors() { return tensors.tensors(); }
    @Override public Optional<Tensor> find(String name) { return tensors.find(name); }
    @Override public List<UnsupportedEntry> unsupported() { return unsupported; }
    @Override public List<String> details() { return details; }
    @Override public Map<String, String> aliases() { return aliases; }

    @Override
    public Optional<dev.tensorfile.core.RemoteTransfer> remoteTransfer() {
        return mappings.getFirst().remote().map(dev.tensorfile.core.spi.RemoteFile::transferred);
    }

    @Override
    public void verify() {
        if (verifier != null) verifier.run();
        TensorFile.super.verify();
    }

    @Override
    public void close() {
        for (MappedFile m : mappings) m.close();
    }
}
