package dev.tensorfile.benchmarks;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.Shape;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.TensorWriter;
import dev.tensorfile.core.ValueType;
import dev.tensorfile.core.WriteOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Open + list of a llama.cpp-style vocabulary GGUF (the target: ≤ 20 ms; gguf-py's GGUFReader takes
 * 1.4–6.8 s on llama.cpp's own vocab files): 150,000 {@code tokenizer.ggml.tokens} strings, their f32 scores and
 * i32 token types, 150,000 merges, written in {@code @Setup} by our own writer, plus a few small tensors. The
 * benchmark opens the file, lists its keys and tensors, reads one token, and closes it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class GgufOpenBenchmark {
    static final int VOCAB = 150_000;

    private Path file;

    @Setup(Level.Trial)
    public void write() throws IOException {
        file = Files.createTempFile("vocab-", ".gguf");
        List<MetadataValue> tokens = new ArrayList<>(VOCAB);
        List<MetadataValue> scores = new ArrayList<>(VOCAB);
        List<MetadataValue> types = new ArrayList<>(VOCAB);
        List<MetadataValue> merges = new ArrayList<>(VOCAB);
        for (int i = 0; i < VOCAB; i++) {
            tokens.add(new MetadataValue.Str("\u0120tok" + Integer.toString(i, 36) + "ing"));
            scores.add(new MetadataValue.F32(-i));
            types.add(new MetadataValue.Int(ValueType.I32, i < 256 ? 6 : 1));
            merges.add(new MetadataValue.Str("\u0120t ok" + Integer.toString(i, 36)));
        }
        Metadata md = Metadata.builder()
                .put("general.architecture", "llama")
                .put("general.name", "vocab")
                .put("llama.context_length", new MetadataValue.Int(ValueType.U32, 8192))
                .put("tokenizer.ggml.model", "gpt2")
                .put("tokenizer.ggml.pre", "llama-bpe")
                .put("tokenizer.ggml.tokens", new MetadataValue.Array(ValueType.STRING, tokens))
                .put("tokenizer.ggml.scores", new MetadataValue.Array(ValueType.F32, scores))
                .put("tokenizer.ggml.token_type", new MetadataValue.Array(ValueType.I32, types))
                .put("tokenizer.ggml.merges", new MetadataValue.Array(ValueType.STRING, merges))
                .put("tokenizer.ggml.bos_token_id", new MetadataValue.Int(ValueType.U32, 1))
                .put("tokenizer.ggml.eos_token_id", new MetadataValue.Int(ValueType.U32, 2))
                .put("tokenizer.chat_template", "{% for m in messages %}{{ m.content }}{% endfor %}")
                .build();
        List<TensorInfo> tensors = List.of(TensorInfo.of("output_norm.weight", DType.F32, Shape.of(64)),
                TensorInfo.of("token_embd.weight", DType.F16, Shape.of(16, 64)));
        try (TensorWriter w = TensorFiles.format("gguf").orElseThrow().newWriter(file, new WriteOptions(Map.of()))) {
            for (TensorInfo t : w.declare(md, tensors)) w.write(t.name(), MemorySegment.ofArray(new byte[(int) t.byteLength()]));
        }
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        Files.deleteIfExists(file);
    }

    @Benchmark
    public void openAndList(Blackhole bh) {
        try (TensorFile f = TensorFiles.open(file)) {
            for (String key : f.metadata().keys()) bh.consume(key);
            for (Tensor t : f.tensors()) bh.consume(t.info());
            MetadataValue.Array tokens = (MetadataValue.Array) f.metadata().get("tokenizer.ggml.tokens").orElseThrow();
            bh.consume(tokens.size());
            bh.consume(tokens.values().get(VOCAB - 1));
        }
    }
}
