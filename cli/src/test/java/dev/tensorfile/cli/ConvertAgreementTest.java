package dev.tensorfile.cli;

import dev.tensorfile.core.Converter;
import dev.tensorfile.core.DType;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.TensorFormat;
import dev.tensorfile.core.WriteOptions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library and the CLI convert alike: every source format into every writable format, with and without a
 * cast, through {@link Converter} and through {@code tensorfile convert}, gives the same files byte for byte, or the
 * same refusal.
 */
class ConvertAgreementTest {
    static final Path SOURCES = Path.of("src/test/resources/convert");
    static final List<String> SOURCE_FILES = List.of("dv-dtypes.safetensors", "dv-sharded-00001-of-00002.gguf",
            "dv-cnn-opset13.onnx", "dv-keras-weights.h5", "dv-state.pt");

    @TempDir Path dir;

    /** Every file under {@code root}, by relative name. */
    static Map<String, byte[]> files(Path root) {
        Map<String, byte[]> all = new TreeMap<>();
        if (!Files.isDirectory(root)) return all;
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) all.put(root.relativize(p).toString(), Files.readAllBytes(p));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all;
    }

    @Test
    void everyFormatPairConvertsTheSameThroughTheLibraryAndTheCli() throws IOException {
        int compared = 0, refused = 0;
        for (String name : SOURCE_FILES) {
            Path source = SOURCES.resolve(name);
            for (TensorFormat format : TensorFiles.formats()) {
                if (!format.canWrite()) continue;
                for (DType dtype : new DType[] {null, DType.F16}) {
                    String label = name + " -> " + format.name() + (dtype == null ? "" : " --dtype " + dtype);
                    String out = "out" + format.extensions().getFirst();
                    Path lib = Files.createDirectories(dir.resolve("lib-" + compared + "-" + refused));
                    Path cli = Files.createDirectories(dir.resolve("cli-" + compared + "-" + refused));
                    String libError = null;
                    try (TensorFile in = TensorFiles.open(source)) {
                        Converter.from(in).format(format).dtype(dtype).to(lib.resolve(out));
                    } catch (RuntimeException e) {
                        libError = e.getMessage();
                    }
                    List<String> argv = new ArrayList<>(List.of("convert", source.toString(), cli.resolve(out).toString(),
                            "--to", format.name()));
                    if (dtype != null) argv.addAll(List.of("--dtype", dtype.name()));
                    MainTest.Run r = MainTest.run(argv.toArray(String[]::new));
                    if (libError != null) {
                        assertNotEquals(0, r.status(), label + ": the library refused (" + libError + "), the CLI did not");
                        // the same words after the file's name (the CLI says "tensorfile: FILE: ...")
                        String same = libError.substring(Math.max(0, libError.indexOf(lib.toString())))
                                .replace(lib.toString(), cli.toString());
                        assertTrue(r.err().contains(same), label + ": " + r.err() + " does not say " + same);
                        assertEquals(Map.of(), files(lib), label);
                        assertEquals(Map.of(), files(cli), label);
                        refused++;
                        continue;
                    }
                    assertEquals(0, r.status(), label + ": " + r.err());
                    Map<String, byte[]> a = files(lib), b = files(cli);
                    assertEquals(a.keySet(), b.keySet(), label);
                    assertFalse(a.isEmpty(), label);
                    for (String f : a.keySet()) assertArrayEquals(a.get(f), b.get(f), label + ": " + f);
                    compared++;
                }
            }
        }
        // 5 sources x (safetensors gguf onnx hdf5 keras) x 2: the ONNX model refuses --dtype onto itself
        assertEquals(1, refused);
        assertEquals(49, compared);
    }

    @Test
    void theLibraryCopiesAnOnnxModelWholeAsTheCliDoes() throws IOException {
        Path source = SOURCES.resolve("dv-cnn-opset13.onnx");
        Path out = dir.resolve("copy.onnx");
        try (TensorFile in = TensorFiles.open(source)) {
            Converter.from(in).to(out);
        }
        assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(out), "the file torch.onnx.export wrote, graph and all");
    }

    @Test
    void writerOptionsReachTheWriterFromBoth() throws IOException {
        Path source = SOURCES.resolve("dv-cnn-opset13.onnx");
        Path lib = Files.createDirectories(dir.resolve("lib")), cli = Files.createDirectories(dir.resolve("cli"));
        try (TensorFile in = TensorFiles.open(source)) {
            Converter.from(in).options(new WriteOptions(Map.of(WriteOptions.EXTERNAL_DATA, "true"))).to(lib.resolve("m.onnx"));
        }
        assertEquals(0, MainTest.run("convert", source.toString(), cli.resolve("m.onnx").toString(), "--external-data").status());
        Map<String, byte[]> a = files(lib), b = files(cli);
        assertEquals(List.of("m.onnx", "m.onnx.data"), List.copyOf(a.keySet()));
        assertEquals(a.keySet(), b.keySet());
        for (String f : a.keySet()) assertArrayEquals(a.get(f), b.get(f), f);
    }
}
