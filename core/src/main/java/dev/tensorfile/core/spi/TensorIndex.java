package dev.tensorfile.core.spi;

import dev.tensorfile.core.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tensors of an open file, in file order and by name: the bookkeeping every {@link dev.tensorfile.core.TensorFile}
 * keeps, in one place. {@link #find} is a map lookup; where a name repeats, the first tensor listed wins (as a
 * reader that walks the file in order would find it). A file that indexes lazily builds its index on first use.
 */
public final class TensorIndex {
    private final List<Tensor> tensors;
    private final Map<String, Tensor> byName;

    private TensorIndex(List<Tensor> tensors) {
        this.tensors = Collections.unmodifiableList(new ArrayList<>(tensors));
        Map<String, Tensor> m = HashMap.newHashMap(tensors.size());
        for (Tensor t : tensors) m.putIfAbsent(t.name(), t);
        this.byName = m;
    }

    /**
     * Indexes {@code tensors}.
     *
     * @param tensors the tensors in file order (copied)
     * @return the index
     */
    public static TensorIndex of(List<? extends Tensor> tensors) { return new TensorIndex(List.copyOf(tensors)); }

    /** The tensors in file order, unmodifiable: what {@link dev.tensorfile.core.TensorFile#tensors()} returns. */
    public List<Tensor> tensors() { return tensors; }

    /**
     * The tensor called {@code name}: what {@link dev.tensorfile.core.TensorFile#find} returns.
     *
     * @param name the tensor's name
     * @return the tensor, if there is one
     */
    public Optional<Tensor> find(String name) { return Optional.ofNullable(byName.get(name)); }
}
