package dev.tensorfile.cli;

import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;

import java.io.PrintStream;
import java.util.List;

/** {@code tensorfile verify FILE}: full structural validation, every tensor read end to end. */
final class VerifyCommand implements Main.Command {
    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err, Main.Failure onError) {
        Arguments args = Arguments.parse(argv, Sources.flags(), Sources.valued());
        if (args.operands().isEmpty()) throw new UsageException("verify takes FILE...");
        int status = 0;
        for (String file : args.operands()) {
            try (TensorFile f = Sources.open(file, args)) {
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
