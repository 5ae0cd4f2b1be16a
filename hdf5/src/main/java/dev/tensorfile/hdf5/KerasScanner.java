package dev.tensorfile.hdf5;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.ScanFinding;
import dev.tensorfile.core.ScanReport;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorFormat;
import dev.tensorfile.core.UnsupportedEntry;
import dev.tensorfile.core.UnsupportedFeatureException;
import dev.tensorfile.core.Verdict;
import dev.tensorfile.core.spi.ContentScanner;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.core.spi.ZipArchive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The safety scan of HDF5 files and {@code .keras} archives. Their tensors are data, but a Keras model config (the
 * {@code model_config} root attribute of a Keras 2 full-model {@code .h5}, the {@code config.json} of a
 * {@code .keras} archive) may hold a {@code Lambda} layer whose function is marshaled Python bytecode that
 * {@code keras.models.load_model} runs (CVE-2024-3660): each such layer is {@code DANGEROUS}, named with where it is.
 * A config that does not parse is {@code UNKNOWN}: only what was read to the end and judged is called safe. The
 * general scanners (pickle-inspect's) also scan the file, and the worse verdict wins, so that claiming a file here
 * never hides a pickle a general scanner would find in it.
 */
public final class KerasScanner implements ContentScanner {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL_CONFIG = "model_config";
    private static final String CONFIG_JSON = "config.json";

    /** Creates the scanner; found by {@link java.util.ServiceLoader}. */
    public KerasScanner() {}

    /** An HDF5 file (its superblock found) or a zip with a {@code model.weights.h5} member, by content. */
    @Override
    public boolean claims(Path path) {
        if (!Files.isRegularFile(path)) return false;
        try (MappedFile mapped = MappedFile.open(path, "hdf5")) {
            return new Hdf5Format().recognize(path, mapped.segment()) == TensorFormat.Recognition.CONTENT
                    || (ZipArchive.startsWithLocalHeader(mapped.segment())
                        && new KerasFormat().recognize(path, mapped.segment()) == TensorFormat.Recognition.CONTENT);
        }
    }

    @Override public boolean general() { return false; }

    @Override
    public ScanReport scan(Path path, ReadLimits limits) {
        List<ScanFinding> findings = new ArrayList<>();
        try {
            judgeConfig(path, limits, findings);
        } catch (TensorFileException e) {
            // h5py or Keras may still read the config of a file our reader rejects: never safe, and the
            // general scanners below still scan its bytes
            findings.add(new ScanFinding("(malformed)", Verdict.UNKNOWN, "", 0, "its model config was not judged: " + e.getMessage()));
        }
        for (ContentScanner general : generalScanners()) {
            for (ScanFinding f : general.scan(path, limits).findings()) if (f.severity() != Verdict.SAFE) findings.add(f);
        }
        Verdict verdict = Verdict.SAFE;
        for (ScanFinding f : findings) if (f.severity().compareTo(verdict) > 0) verdict = f.severity();
        return new ScanReport(path, verdict, findings);
    }

    /** Judges the Keras model config {@code path} holds, if any. */
    private static void judgeConfig(Path path, ReadLimits limits, List<ScanFinding> findings) {
        boolean zip;
        try (MappedFile mapped = MappedFile.open(path, "keras")) {
            zip = mapped.size() >= 22 && ZipArchive.startsWithLocalHeader(mapped);
            if (zip) {
                ZipArchive archive = ZipArchive.read(mapped, "keras", limits.maxCollectionSize(), limits.maxHeaderBytes());
                ZipArchive.Entry config = null;
                for (ZipArchive.Entry e : archive.entries()) if (e.name().equals(CONFIG_JSON)) config = e;
                if (config == null) {
                    findings.add(new ScanFinding("(keras archive)", Verdict.SAFE, "", 0, "no config.json: weights only, nothing in it is run"));
                } else {
                    judge(KerasFormat.text(archive, config, limits, path), CONFIG_JSON, findings);
                }
            }
        }
        if (!zip) {
            try (TensorFile f = new Hdf5Format().open(path, limits)) {
                MetadataValue config = f.metadata().get(MODEL_CONFIG).orElse(null);
                UnsupportedEntry unread = f.unsupported().stream().filter(u -> u.name().equals(MODEL_CONFIG)).findFirst().orElse(null);
                if (unread != null) {
                    findings.add(new ScanFinding("(model config)", Verdict.UNKNOWN, "@" + MODEL_CONFIG, 0,
                            "the model_config attribute was not read (" + unread.description() + "), so its layers were not judged"));
                } else if (config == null) {
                    findings.add(new ScanFinding("(data-only format)", Verdict.SAFE, "", 0, "HDF5 file without a Keras model_config: weights only, nothing in it is run"));
                } else if (config instanceof MetadataValue.Str s) {
                    judge(s.value(), "@" + MODEL_CONFIG, findings);
                } else {
                    findings.add(new ScanFinding("(model config)", Verdict.UNKNOWN, "@" + MODEL_CONFIG, 0,
                            "the model_config attribute is not a string, so its layers were not judged"));
                }
            }
        }
    }

    private static List<ContentScanner> generalScanners() {
        return ServiceLoader.load(ContentScanner.class, KerasScanner.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get).filter(s -> !(s instanceof KerasScanner) && s.general()).toList();
    }

    /**
     * Judges one model config: every JSON node is visited with an explicit stack (nested Sequential and Functional
     * models, wrappers such as {@code TimeDistributed}), so nesting costs heap, not Java stack; Jackson's own
     * nesting limit bounds the parse.
     */
    static void judge(String json, String where, List<ScanFinding> findings) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            findings.add(new ScanFinding("(model config)", Verdict.UNKNOWN, where, 0,
                    "the Keras model config does not parse as JSON (" + e.getOriginalMessage().lines().findFirst().orElse("")
                            + "), so its layers were not judged"));
            return;
        }
        int before = findings.size();
        Deque<Map.Entry<String, JsonNode>> stack = new ArrayDeque<>();
        stack.push(Map.entry("", root));
        while (!stack.isEmpty()) {
            Map.Entry<String, JsonNode> top = stack.pop();
            String at = top.getKey();
            JsonNode n = top.getValue();
            if (n.isObject()) {
                String reason = marshaledFunction(n);
                if (reason != null) {
                    JsonNode name = n.path("config").path("name");
                    findings.add(new ScanFinding(n.path("class_name").asText("(function)"), Verdict.DANGEROUS, where, 0,
                            "layer '" + (name.isTextual() ? name.textValue() : "?") + "' at " + (at.isEmpty() ? "(root)" : at)
                                    + ": " + reason + ", which keras.models.load_model runs"));
                    continue; // its function is judged; a Keras 3 Lambda's '__lambda__' inside would only repeat it
                }
                List<Map.Entry<String, JsonNode>> children = new ArrayList<>();
                n.properties().forEach(p -> children.add(Map.entry(at.isEmpty() ? p.getKey() : at + "." + p.getKey(), p.getValue())));
                for (int i = children.size() - 1; i >= 0; i--) stack.push(children.get(i));
            } else if (n.isArray()) {
                for (int i = n.size() - 1; i >= 0; i--) stack.push(Map.entry(at + "[" + i + "]", n.get(i)));
            }
        }
        if (findings.size() == before) {
            findings.add(new ScanFinding("(model config)", Verdict.SAFE, where, 0, "Keras model config read to the end: no Lambda layer, no marshaled function"));
        }
    }

    /** Why the layer object {@code n} carries code, or null: a Lambda, or any layer config with a marshaled function. */
    private static String marshaledFunction(JsonNode n) {
        if ("Lambda".equals(n.path("class_name").asText(null))) return "a Lambda layer, whose function is Python bytecode";
        JsonNode config = n.path("config");
        if (config.isObject() && "lambda".equals(config.path("function_type").asText(null))) {
            return "a layer config with a marshaled function (function_type 'lambda')";
        }
        if ("__lambda__".equals(n.path("class_name").asText(null))) return "a serialized lambda (Keras 3 '__lambda__'), Python bytecode";
        return null;
    }

    @Override
    public void disassemble(Path path, Appendable out) throws IOException {
        throw new UnsupportedFeatureException("keras", path, "an HDF5 file or Keras archive holds no pickles to disassemble");
    }
}
