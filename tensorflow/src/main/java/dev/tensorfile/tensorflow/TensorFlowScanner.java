package dev.tensorfile.tensorflow;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.ScanFinding;
import dev.tensorfile.core.ScanReport;
import dev.tensorfile.core.UnsupportedFeatureException;
import dev.tensorfile.core.Verdict;
import dev.tensorfile.core.spi.ContentScanner;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The safety scan of SavedModels and checkpoints. Nothing in them is executed by loading, and a bundle holds data
 * only: {@code SAFE}, unless the graph calls back into Python ({@code PyFunc}, {@code PyFuncStateless},
 * {@code EagerPyFunc}): such an op runs a function of the process that built the model, which the file does not hold,
 * so what it does cannot be known: {@code UNKNOWN}, each op named.
 */
public final class TensorFlowScanner implements ContentScanner {
    /** Creates the scanner; found by {@link java.util.ServiceLoader}. */
    public TensorFlowScanner() {}

    /** A SavedModel directory, its {@code saved_model.pb}, a {@code .index} file or a checkpoint prefix. */
    @Override
    public boolean claims(Path path) {
        return Layout.of(path) != null && !(path.getFileName() != null && path.getFileName().toString().endsWith(Layout.INDEX)
                && !TensorFlowFormat.isIndexTable(path));
    }

    @Override public boolean general() { return false; }

    @Override
    public ScanReport scan(Path path, ReadLimits limits) {
        Layout layout = Layout.of(path);
        if (layout == null) throw new UnsupportedFeatureException(TensorFlowFile.FORMAT, path, "is not a SavedModel or a checkpoint");
        List<ScanFinding> findings = new ArrayList<>();
        if (layout.savedModel() != null) {
            SavedModel model = SavedModel.read(layout.savedModel(), limits);
            if (model != null) {
                String entry = model.file().getFileName().toString();
                for (int i = 0; i < model.metaGraphs().size(); i++) {
                    for (SavedModel.PythonOp op : model.metaGraphs().get(i).pythonOps()) {
                        findings.add(new ScanFinding(op.op(), Verdict.UNKNOWN, entry, op.offset(), "meta graph #" + i + ", " + op.where()
                                + ", node '" + op.node() + "': runs a Python function of the process that saved the model, which the file does not hold"));
                    }
                }
            }
        }
        return new ScanReport(path, findings.isEmpty() ? Verdict.SAFE : Verdict.UNKNOWN, findings);
    }

    @Override
    public void disassemble(Path path, Appendable out) {
        throw new UnsupportedFeatureException(TensorFlowFile.FORMAT, path, "a SavedModel or checkpoint holds no pickles to disassemble");
    }
}
