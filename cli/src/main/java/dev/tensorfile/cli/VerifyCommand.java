package dev.tensorfile.cli;

import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** {@code tensorfile verify FILE}: full structural validation, every tensor read end to end. */
final class VerifyCommand implements Main.Command {
    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err, Main.Failure onError) {
        Arguments args = Arguments.parse(argv, Set.of(), Set.of());
        if (args.operands().isEmpty()) throw new UsageException("verify takes FILE...");
        int status = 0;
        for (String file : args.operands()) {
            try (TensorFile f = TensorFiles.open(Path.of(file))) {
                f.verify();
                long bytes = 0;
                for (Tensor t : f.tensors()) bytes += t.info().byteLength();
                out.println(file + ": ok (" + f.format() + ", " + f.tensors().size() + " tensors, "
                        + Bytes.human(bytes) + ")");
            } catch (RuntimeException | Error e) {
                status = onError.report(file, e);
            }
        }
        return status;
    }
}
