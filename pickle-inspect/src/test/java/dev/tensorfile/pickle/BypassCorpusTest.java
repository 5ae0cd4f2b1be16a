package dev.tensorfile.pickle;

import dev.tensorfile.pickle.numpy.NpyHeader;
import dev.tensorfile.pickle.torch.LegacyStream;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.ScanReport;
import dev.tensorfile.core.Verdict;
import dev.tensorfile.testframework.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every bypass published against picklescan, modelscan, fickling and PyTorch's weights_only unpickler that we
 * found, rebuilt byte for byte: each must come out DANGEROUS. The comment on each case names its source.
 * Sources that list many gadgets: picklescan's advisory batches (github.com/mmaitre314/picklescan pull requests
 * #46, #48, #49, #50, #53, #54, #65), modelscan issue #263 (the table of picklescan's zip and extension
 * advisories), fickling issue #190, picklescan issue #66, JFrog's three picklescan zero-days (GHSA-gx77-x2pv-48v7:
 * CVE-2025-10155/10156/10157) and arXiv 2508.19774 ("The Art of Hide and Seek", gadget and loading-path survey).
 */
class BypassCorpusTest {
    private static final Fixtures FIXTURES = Fixtures.resources("fixtures");

    @TempDir Path dir;
    private int n;

    private ScanReport scan(byte[] bytes, String name) {
        try {
            Path p = dir.resolve((n++) + "-" + name);
            Files.write(p, bytes);
            return new PickleScanner().scan(p, ReadLimits.DEFAULT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void assertDangerous(byte[] bytes, String name) {
        ScanReport r = scan(bytes, name);
        assertEquals(Verdict.DANGEROUS, r.verdict(), name + ": " + r.findings());
    }

    private static byte[] evil() { return PickleBuilder.reduceCall(2, "os", "system"); }

    /**
     * One global called with one string argument, at protocols 0 (GLOBAL, text), 2 (GLOBAL) and 4 (STACK_GLOBAL).
     * module and name are each gadget's, from the advisory or issue named in the comment.
     */
    @ParameterizedTest(name = "{0}.{1}")
    @CsvSource({
            // the classics every scanner lists
            "os, system", "posix, system", "nt, system", "subprocess, Popen", "subprocess, check_output",
            "builtins, eval", "builtins, exec", "builtins, compile", "builtins, __import__", "builtins, open",
            "builtins, breakpoint", "builtins, getattr", "__builtin__, eval", "__builtin__, execfile",
            "runpy, _run_code", "runpy, run_path", "runpy, run_module", "sys, modules", "marshal, loads",
            "commands, getoutput", "popen2, popen2", "pty, spawn", "socket, create_connection", "shutil, rmtree",
            "webbrowser, open", "ctypes, CDLL", "code, interact", "importlib, import_module",
            // CVE-2025-1716: pip.main installs a package from anywhere (picklescan < 0.0.21)
            "pip, main", "pip._internal.cli.main, main",
            // CVE-2025-10157 (GHSA-gx77-x2pv-48v7): submodules of unsafe modules passed a prefix match
            "asyncio.subprocess, create_subprocess_exec", "asyncio.unix_events, _UnixSubprocessTransport",
            "_posixsubprocess, fork_exec",
            // GHSA-955r-x9j8-7rhh, GHSA-46h3-79wf-xr6c (picklescan #54): _operator and operator gadgets
            "_operator, attrgetter", "operator, attrgetter", "operator, methodcaller", "operator, itemgetter",
            "functools, partial", "functools, reduce", "__builtin__, reduce",
            // picklescan #48: trace, profile, lib2to3, idlelib, code gadgets
            "trace, Trace.run", "trace, Trace.runctx", "profile, Profile.run", "profile, Profile.runctx",
            "lib2to3.pgen2.grammar, Grammar.loads", "idlelib.debugobj, ObjectTreeItem",
            "idlelib.autocomplete, AutoComplete.get_entity", "idlelib.autocomplete, AutoComplete.fetch_completions",
            "code, InteractiveInterpreter.runsource", "code, InteractiveInterpreter.runcode",
            // picklescan #49: torch.utils.bottleneck, ensurepip, lib2to3, idlelib, doctest, cProfile, timeit
            "torch.utils.bottleneck.__main__, run_autograd_prof", "ensurepip, _run_pip",
            "lib2to3.pgen2.pgen, ParserGenerator.make_label", "idlelib.run, Executive.runcode",
            "idlelib.pyshell, ModifiedInterpreter.runcommand", "idlelib.pyshell, ModifiedInterpreter.runcode",
            "doctest, debug_script", "cProfile, runctx", "cProfile, run", "timeit, timeit", "pdb, run",
            "bdb, Bdb.run",
            // GHSA-vvpj-8cmc-gx39 (picklescan #65, #66): resolvers that turn a string into any callable
            "pkgutil, resolve_name", "pydoc, locate", "importlib.util, find_spec",
            // GHSA-7wx9-6375-f5wh (picklescan #65): profile
            "profile, run",
            // torch internals that compile or run code (fickling #190, arXiv 2508.19774)
            "torch._dynamo.guards, GuardBuilder.get", "torch._inductor.codecache, compile_file",
            "torch.jit, load", "torch.jit._script, RecursiveScriptModule", "torch.hub, load", "torch, load",
            "torch.serialization, load", "torch.distributed.rpc, rpc_sync", "torch.utils.cpp_extension, load",
            "torch.fx.experimental.symbolic_shapes, ShapeEnv.evaluate_guards_expression", "torch._C, _jit_script_compile",
            "torch.storage, _load_from_bytes", "torch.package, PackageImporter",
            // numpy.f2py evaluates Fortran expressions with eval (picklescan #53); numpy.load reads another pickle
            "numpy.f2py.crackfortran, getlincoef", "numpy.f2py.crackfortran, _eval_length", "numpy, load",
            "numpy.testing._private.utils, runstring", "numpy.lib.npyio, load",
            // modelscan #267: a nested pickle.loads
            "pickle, loads", "_pickle, loads", "cPickle, loads", "dill, loads", "cloudpickle, loads",
            // file and network reach (_io, urllib, requests, http, ssl)
            "_io, FileIO", "io, open", "urllib.request, urlopen", "requests, get", "http.client, HTTPConnection",
            "tempfile, NamedTemporaryFile", "zipfile, ZipFile", "tarfile, open", "glob, glob", "pathlib, Path",
            // threads and processes
            "multiprocessing, Process", "_thread, start_new_thread", "threading, Thread", "signal, signal",
            "concurrent.futures, ProcessPoolExecutor",
            // attribute walks through a safe-looking first component (protocol 4 dotted names)
            "pathlib, os.system", "collections, OrderedDict.__init__.__globals__", "torch, serialization.os.system",
            "numpy, f2py.crackfortran.getlincoef", "builtins, object.__subclasses__",
            // interpreter internals as module path
            "__main__, __builtins__", "builtins, __build_class__", "types, FunctionType", "types, CodeType",
            "gc, get_objects", "inspect, getmembers", "ctypes.util, find_library",
            // loaders of code by name in the ML stack
            "transformers.dynamic_module_utils, get_class_from_dynamic_module", "huggingface_hub, hf_hub_download",
            "joblib, load", "pandas.io.pickle, read_pickle", "pandas, read_pickle", "mlflow.pyfunc, load_model",
            "keras.models, load_model",
            // GHSA-655q-fx9r-782v, GHSA-97f8-7cmv-76j2 era and the eight torch-internal gadgets (picklescan 0.0.28)
            "pydoc, pipepager", "venv, create", "torch.utils.collect_env, run",
            "torch.utils._config_module, ConfigModule.load_config", "torch.utils.data.datapipes.utils.decoder, basichandlers",
            "torch.jit.unsupported_tensor_ops, execWrapper", "torch.utils.bottleneck.__main__, run_cprofile",
            // GHSA-g38g-8gr9-h9xp (CVE-2026-56315): uuid, _osx_support, _aix_support, _pyrepl, imaplib, test.support
            "uuid, _get_command_stdout", "_osx_support, _read_output", "_aix_support, _read_cmd_output",
            "_pyrepl.pager, pipe_pager", "imaplib, IMAP4_stream", "test.support.script_helper, assert_python_ok",
            // GHSA-m273/4675/84r2/vqmv/r8g5 (picklescan 0.0.33), GHSA-9726-w42j-3qjr, GHSA-9m3x-qqw2-h32h, GHSA-m7j5-r2p5-c39r
            "distutils.file_util, write_file", "logging, FileHandler", "types, CodeType", "cloudpickle.cloudpickle, _make_function",
            "numpy.f2py.crackfortran, myeval", "ssl, get_server_certificate", "aiohttp, ClientSession",
            // fickling advisories: GHSA-6ggj-6f2q-f7mx, GHSA-m6fh-58r7-x697 (CVE-2026-14534), GHSA-mxhj-88fx-4pcv
            "_interpreters, create", "_xxsubinterpreters, create", "site, execsitecustomize", "atexit, _run_exitfuncs",
            "smtplib, SMTP",
            // modelscan #338, #339, #346
            "multiprocessing.util, spawnv_passfds", "mlflow.projects.backend.local, _run_entry_point", "pandas, read_csv",
            "signal, raise_signal", "http.server, HTTPServer", "mailcap, findmatch",
            "transformers.models.auto.tokenization_auto, getattribute_from_module",
            // nested loaders (notes §8.7): torch.load(weights_only=False) on bytes
            "torch.storage, _load_from_bytes", "torch.serialization, _load",
            // fickling ScannerDeactivation: importing a scanner to switch it off
            "fickling, always_check_safety", "picklescan.scanner, scan_pickle_bytes", "modelscan.modelscan, ModelScan",
            // modelscan #89, #338: dotted walks through dunders and modules
            "numpy, __builtins__", "builtins, dict.get", "numpy, core._internal.sys.modules",
            "builtins, print.__class__.__base__.__subclasses__", "builtins, apply"})
    void everyPublishedGadgetIsDangerous(String module, String name) {
        for (int protocol : new int[] {0, 2, 4}) {
            assertDangerous(PickleBuilder.reduceCall(protocol, module, name), module + "." + name + "-p" + protocol + ".pkl");
        }
    }

    /** A caller's allow-list extension cannot make the hard-denied modules safe. */
    @Test
    void allowingCannotWhitelistProcesses() {
        PickleScanner s = new PickleScanner().allowing("os.system", "subprocess.Popen", "mypkg.Config");
        assertEquals(Verdict.DANGEROUS, s.classify("os", "system"));
        assertEquals(Verdict.DANGEROUS, s.classify("subprocess", "Popen"));
        assertEquals(Verdict.SAFE, s.classify("mypkg", "Config"));
        assertEquals(Verdict.UNKNOWN, new PickleScanner().classify("mypkg", "Config"), "not allow-listed is never safe");
    }

    // --- the machine: names that cannot be known without running ---

    /** STACK_GLOBAL on strings fetched from the memo (fickling and picklescan both missed memoized operands). */
    @Test
    void stackGlobalFromMemo() {
        byte[] b = new PickleBuilder().proto(4).str("os").op(0x94).str("system").op(0x94)
                .op('h', 0).op('h', 1).op(0x93).callWith("id").stop().bytes();
        assertDangerous(b, "memo.pkl");
    }

    /** STACK_GLOBAL whose module is the result of a call: cannot be resolved statically, so dangerous. */
    @Test
    void stackGlobalOnComputedString() {
        byte[] b = new PickleBuilder().proto(4).stackGlobal("builtins", "str").callWith("os").str("system").op(0x93)
                .callWith("id").stop().bytes();
        ScanReport r = scan(b, "computed.pkl");
        assertEquals(Verdict.DANGEROUS, r.verdict());
        assertTrue(r.findings().stream().anyMatch(f -> f.global().equals("(unresolvable)")), r.findings().toString());
    }

    /** picklescan #22: operands stored with PUT after a POP, fetched with GET (the scanner's memo tied the wrong value). */
    @Test
    void stackGlobalOperandsPutAfterPop() {
        byte[] b = new PickleBuilder().proto(4).str("os").op('q', 2, '0').str("system").op('q', 3, '0')
                .str("collections").str("OrderedDict").op('0', '0').op('h', 2, 'h', 3, 0x93).callWith("id").stop().bytes();
        assertDangerous(b, "put-pop.pkl");
    }

    /** picklescan #14: MEMOIZE and BINPUT index spaces mixed, so a naive memo names a safe string. */
    @Test
    void mixedMemoIndexSpaces() {
        byte[] b = new PickleBuilder().proto(4).str("collections").op('q', 1).str("os").op(0x94).str("OrderedDict").op('q', 5)
                .str("system").op(0x94).op('0', '0', '0', '0').op('h', 1, 'h', 2).op(0x93).callWith("id").stop().bytes();
        // BINPUT 1 = "collections"; MEMOIZE stores at len(memo) = 1, overwriting it with "os"; BINPUT 5 =
        // "OrderedDict"; MEMOIZE stores "system" at len(memo) = 2. GET 1, GET 2 is os.system.
        assertDangerous(b, "mixed-memo.pkl");
    }

    /** modelscan #338, picklescan PR #52: STACK_GLOBAL operands of type int, bytes, bytearray: never a crash, never safe. */
    @Test
    void stackGlobalOnNonStrings() {
        assertDangerous(new PickleBuilder().proto(4).int1(1).int1(2).op(0x93).stop().bytes(), "int-operands.pkl");
        assertDangerous(new PickleBuilder().proto(4).op('C', 2, 'o', 's').op('C', 6).raw("system".getBytes()).op(0x93)
                .callWith("id").stop().bytes(), "bytes-operands.pkl");
        assertDangerous(new PickleBuilder().proto(5).op(0x96).u64(2).raw("os".getBytes()).str("system").op(0x93)
                .callWith("id").stop().bytes(), "bytearray-operands.pkl");
    }

    /** GHSA-9gvj-pp9x-gcfr: STRING operands at byte 0, no PROTO, then STACK_GLOBAL (the scanner's loop skipped them). */
    @Test
    void stackGlobalOnProtocol0StringsWithoutProto() {
        byte[] b = new PickleBuilder().string0("os").string0("system").op(0x93).op('(').string0("id").op('t', 'R').stop().bytes();
        assertDangerous(b, "no-proto.pkl");
    }

    /** Operands duplicated with DUP (notes §8.3). */
    @Test
    void stackGlobalOnDup() {
        byte[] b = new PickleBuilder().proto(4).str("os").str("system").op('2', '0').op(0x93).callWith("id").stop().bytes();
        assertDangerous(b, "dup.pkl");
    }

    /** GHSA-mxhj-88fx-4pcv: an OBJ call whose result is POPped, then a harmless root. */
    @Test
    void objCallWhoseResultIsPopped() {
        byte[] b = new PickleBuilder().proto(4).op('(').stackGlobal("smtplib", "SMTP").str("evil.example").op('o', '0')
                .op('}').stop().bytes();
        assertDangerous(b, "obj-pop.pkl");
    }

    /** modelscan #85, #330: BUILD sets attributes on an allowed-looking global (numpy.prod.a = "os"). */
    @Test
    void buildOnAGlobal() {
        byte[] b = new PickleBuilder().proto(2).global("numpy", "dtype").op('}').str("a").str("os").op('s', 'b')
                .op('0', '}').stop().bytes();
        assertDangerous(b, "build-global.pkl");
        byte[] c = new PickleBuilder().proto(2).global("collections", "OrderedDict").op('}').str("__reduce__")
                .global("os", "system").op('s', 'b', '0', '}').stop().bytes();
        assertDangerous(c, "build-global2.pkl");
    }

    /** cpython#154848: a FRAME shorter than the opcode it contains; the C unpickler reads on past the frame. */
    @Test
    void frameShorterThanItsContents() {
        byte[] call = new PickleBuilder().stackGlobal("os", "system").callWith("id").stop().bytes();
        byte[] b = new PickleBuilder().proto(4).op(0x95).u64(3).raw(call).bytes();
        assertDangerous(b, "short-frame.pkl");
    }

    /** A PROTO opcode in the middle of the stream, and a second one claiming protocol 2 after 4. */
    @Test
    void misplacedProto() {
        byte[] b = new PickleBuilder().proto(4).op('}').proto(2).op('0').global("os", "system").callWith("id").stop().bytes();
        assertDangerous(b, "proto-twice.pkl");
    }

    /** GHSA-97f8-7cmv-76j2: a legacy file whose magic-number pickle is eval("0x1950…"), payload in a later pickle. */
    @Test
    void legacyMagicThatIsAnEval() {
        byte[] magic = new PickleBuilder().proto(2).global("builtins", "eval").op('(').str("0x1950a86a20f9469cfc6c").op('t', 'R')
                .stop().bytes();
        assertDangerous(magic, "eval-magic.pth");
        byte[] benignMagic = new PickleBuilder().proto(2).op('K', 1).stop().bytes();
        assertDangerous(concat(benignMagic, benignMagic, benignMagic, benignMagic, evil()), "fifth.pth");
    }

    /** A second stream after more than 4 KiB of padding bytes (modelaudit PR #585 review). */
    @Test
    void secondStreamAfterPadding() {
        byte[] benign = new PickleBuilder().proto(2).op('}').stop().bytes();
        byte[] pad = new byte[5000];
        java.util.Arrays.fill(pad, (byte) 'N'); // NONE opcodes: a stream of values without STOP
        assertDangerous(concat(benign, pad, evil()), "padded.pkl");
    }

    /** EXT1/EXT2/EXT4: the copyreg extension registry maps a code to any global (picklescan ignored them). */
    @Test
    void extensionRegistryCodes() {
        assertDangerous(new PickleBuilder().proto(2).op(0x82, 1).callWith("id").stop().bytes(), "ext1.pkl");
        assertDangerous(new PickleBuilder().proto(2).op(0x83, 1, 0).callWith("id").stop().bytes(), "ext2.pkl");
        assertDangerous(new PickleBuilder().proto(2).op(0x84).u32(1).callWith("id").stop().bytes(), "ext4.pkl");
    }

    /** NEWOBJ and NEWOBJ_EX instantiate a class: subprocess.Popen through cls.__new__ and BUILD. */
    @Test
    void newobjOfADangerousClass() {
        assertDangerous(new PickleBuilder().proto(2).global("subprocess", "Popen").op(')', 0x81).stop().bytes(), "newobj.pkl");
        assertDangerous(new PickleBuilder().proto(4).stackGlobal("subprocess", "Popen").op(')', '}', 0x92).stop().bytes(),
                "newobj-ex.pkl");
    }

    /** INST and OBJ (protocol 0/1 calls without REDUCE), fixtures dv-inst/dv-obj; here with a dangerous builtin. */
    @Test
    void instAndObj() {
        assertDangerous(new PickleBuilder().op('(').string0("print(1)").inst("__builtin__", "exec").stop().bytes(), "inst.pkl");
        assertDangerous(new PickleBuilder().op('(').global("builtins", "exec").string0("print(1)").op('o').stop().bytes(), "obj.pkl");
    }

    /**
     * A dangerous call then bytes that break the stream: Python runs the call before it meets the error
     * (CVE-2025-32434 write-ups; picklescan GHSA-9gvj-pp9x-gcfr, a parsing flaw that dropped the findings).
     */
    @Test
    void dangerousCallThenTruncation() {
        byte[] full = evil();
        assertDangerous(java.util.Arrays.copyOf(full, full.length - 1), "no-stop.pkl");
        assertDangerous(new PickleBuilder().raw(java.util.Arrays.copyOf(full, full.length - 1)).op(0xFF).bytes(), "bad-opcode.pkl");
        assertDangerous(new PickleBuilder().raw(java.util.Arrays.copyOf(full, full.length - 1)).op('0', '0', '0', '0').bytes(),
                "underflow.pkl");
        assertDangerous(new PickleBuilder().raw(java.util.Arrays.copyOf(full, full.length - 1)).op('h', 200).bytes(),
                "memo-miss.pkl");
    }

    /** A benign pickle, then a malicious one in the same stream (pickle.load called twice; fixture dv-benign-then-malicious). */
    @Test
    void secondPickleInTheStream() {
        byte[] benign = new PickleBuilder().proto(2).op('}').stop().bytes();
        assertDangerous(concat(benign, benign, evil()), "three.pkl");
        assertDangerous(concat(new PickleBuilder().op('N', '.').bytes(), PickleBuilder.reduceCall(0, "os", "system")),
                "p0-twice.pkl");
    }

    /** Protocol 0 text GLOBAL whose name has a dotted attribute walk (Python 3.4+ resolves dotted names at protocol 4 only, judged anyway). */
    @Test
    void protocol0DottedName() {
        assertDangerous(PickleBuilder.reduceCall(0, "builtins", "object.__subclasses__"), "p0-dotted.pkl");
    }

    /** A call whose callable is itself a call's result (getattr(x, 'system')(...)): never resolved, so dangerous. */
    @Test
    void callOfACallResult() {
        byte[] b = new PickleBuilder().proto(2).global("collections", "OrderedDict").op(')', 'R').callWith("id").stop().bytes();
        assertDangerous(b, "call-of-call.pkl");
    }

    // --- containers ---

    private static byte[] zip(String entry, byte[] data, boolean deflate) {
        ZipBuilder z = new ZipBuilder();
        z.add("archive/version", "3\n".getBytes()).deflate = false;
        z.add(entry, data).deflate = deflate;
        return z.bytes();
    }

    /** PyTorch zip with the payload in data.pkl, stored and deflated. */
    @Test
    void zipDataPkl() {
        assertDangerous(zip("archive/data.pkl", evil(), false), "stored.pt");
        assertDangerous(zip("archive/data.pkl", evil(), true), "deflated.pt");
    }

    /** CVE-2025-10155, GHSA-769v-p64c-89pr: the pickle entry has another extension (torch reads any name). */
    @Test
    void pickleEntryUnderAnyName() {
        for (String name : new String[] {"archive/data.txt", "archive/model.bin", "archive/data/0", "x", "archive/config.json",
                "archive/.data/serialization_id", "archive/byteorder"}) {
            assertDangerous(zip(name, evil(), false), "named-" + name.replace('/', '_') + ".pt");
        }
    }

    /** CVE-2025-10156 (JFrog): a bad CRC made picklescan's zipfile throw and skip the archive; torch ignores CRCs. */
    @Test
    void crcMismatch() {
        ZipBuilder z = new ZipBuilder();
        z.add("archive/data.pkl", evil()).crcOverride = 0xDEADBEEFL;
        assertDangerous(z.bytes(), "crc.pt");
        ZipBuilder d = new ZipBuilder();
        ZipBuilder.Entry e = d.add("archive/data.pkl", evil());
        e.deflate = true;
        e.crcOverride = 0L;
        assertDangerous(d.bytes(), "crc-deflated.pt");
    }

    /** GHSA-w8jq-xcqf-f792 (modelscan #263): the encryption flag bit set crashed picklescan's zipfile, not torch. */
    @Test
    void zipFlagBits() {
        for (int flags : new int[] {0x1, 0x8, 0x41, 0x800}) {
            ZipBuilder z = new ZipBuilder();
            z.add("archive/data.pkl", evil()).flags = flags;
            assertDangerous(z.bytes(), "flags-" + flags + ".pt");
        }
    }

    /** GHSA-7q5r-7gvp-wc82 (modelscan #263): local and central headers that disagree on the name. */
    @Test
    void localAndCentralNamesDisagree() {
        ZipBuilder z = new ZipBuilder();
        z.add("archive/data.pkl", evil()).localName = "archive/harmless.txt";
        assertDangerous(z.bytes(), "names.pt");
        ZipBuilder y = new ZipBuilder();
        y.add("archive/weights.txt", evil()).localName = "archive/data.pkl";
        assertDangerous(y.bytes(), "names2.pt");
    }

    /** Local header and central directory disagree on the size: the central size is what readers use. */
    @Test
    void lyingUncompressedSize() {
        ZipBuilder z = new ZipBuilder();
        z.add("archive/data.pkl", evil()).sizeOverride = 3L;
        ScanReport r = scan(z.bytes(), "size.pt");
        assertEquals(Verdict.DANGEROUS, r.verdict(), r.findings().toString());
    }

    /** Two entries of one name, the benign one first (Python's zipfile and torch read the last). */
    @Test
    void duplicateEntryNames() {
        ZipBuilder z = new ZipBuilder();
        z.add("archive/data.pkl", new PickleBuilder().proto(2).op('}').stop().bytes());
        z.add("archive/data.pkl", evil());
        assertDangerous(z.bytes(), "dup.pt");
    }

    /** HF PoC pauliquib/picklescan-zip-case-desync-poc: miniz finds 'poc/DATA.PKL' as data.pkl. */
    @Test
    void caseDesyncedEntryName() {
        assertDangerous(zip("poc/DATA.PKL", evil(), false), "case.pt");
    }

    /** modelaudit PR #1043: extra pickle members besides data.pkl. */
    @Test
    void extraPickleMembers() {
        ZipBuilder z = new ZipBuilder();
        z.add("archive/data.pkl", new PickleBuilder().proto(2).op('}').stop().bytes());
        z.add("archive/extra/state.pkl", evil()).deflate = true;
        assertDangerous(z.bytes(), "extra.pt");
    }

    /** Entry names with traversal: still scanned (and never extracted). */
    @Test
    void traversingEntryName() {
        assertDangerous(zip("../../archive/data.pkl", evil(), false), "dotdot.pt");
        assertDangerous(zip("/abs/data.pkl", evil(), true), "abs.pt");
    }

    /** An archive inside an archive (torch.package, nested checkpoints). */
    @Test
    void nestedZip() {
        byte[] inner = zip("inner/data.pkl", evil(), true);
        assertDangerous(zip("outer/inner.pt", inner, false), "nested.pt");
        assertDangerous(zip("outer/inner.zip", inner, true), "nested-deflated.pt");
    }

    /** Any prefix before the archive (PyTorch reads archives by their end record), and a pickle before a zip. */
    @Test
    void prefixedAndPolyglotArchives() {
        byte[] benignZip = zip("archive/data.pkl", new PickleBuilder().proto(2).op('}').stop().bytes(), false);
        assertDangerous(new ZipBuilder().prefix(evil()).bytes(), "pickle-then-empty-zip.pt");
        assertDangerous(concat(evil(), benignZip), "pickle-then-zip.pt");
        ZipBuilder z = new ZipBuilder().prefix("#!/bin/sh junk before the archive\n".getBytes());
        z.add("archive/data.pkl", evil());
        assertDangerous(z.bytes(), "prefixed.pt");
    }

    /** The file's name says safetensors or json: content decides, not the extension (CVE-2025-10155). */
    @Test
    void extensionMismatch() {
        for (String name : new String[] {"model.safetensors", "config.json", "weights.h5", "model.onnx", "README"}) {
            assertDangerous(evil(), name);
            assertDangerous(zip("archive/data.pkl", evil(), true), "zip-" + name);
        }
    }

    /** PyTorch's legacy format: the payload in the data pickle after magic, protocol and sys_info. */
    @Test
    void legacyFormat() {
        byte[] magic = concat(LegacyStream.MAGIC, new byte[] {'.'});
        byte[] protocol = new PickleBuilder().proto(2).op('M', 0xe9, 0x03).stop().bytes();
        byte[] sysInfo = new PickleBuilder().proto(2).op('}').stop().bytes();
        assertDangerous(concat(magic, protocol, sysInfo, evil()), "legacy.pth");
        assertDangerous(concat(magic, protocol, evil()), "legacy-sysinfo.pth");
    }

    /**
     * CVE-2025-32434 (GHSA-53q9-r3pm-6pq6, fixed by PyTorch PR #145020): the pre-0.1.10 tar checkpoint, whose
     * {@code pickle}, {@code storages} and {@code tensors} members torch.load unpickled even with weights_only=True.
     */
    @Test
    void legacyTarCheckpoint() {
        byte[] benign = new PickleBuilder().proto(2).op('}').stop().bytes();
        byte[] tar = concat(tarMember("sys_info", benign), tarMember("pickle", benign), tarMember("storages", evil()),
                tarMember("tensors", benign), new byte[1024]);
        assertDangerous(tar, "old.tar");
        assertDangerous(zip("archive/data.pkl", tar, true), "tar-in-zip.pt");
    }

    /** One ustar member: a 512-byte header (name, octal size, checksum, magic) and the data padded to 512. */
    static byte[] tarMember(String name, byte[] data) {
        byte[] h = new byte[512];
        byte[] n = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, h, 0, n.length);
        put(h, 100, "0000644\0");
        put(h, 108, "0000000\0");
        put(h, 116, "0000000\0");
        put(h, 124, String.format("%011o\0", data.length));
        put(h, 136, "00000000000\0");
        put(h, 148, "        ");
        h[156] = '0';
        put(h, 257, "ustar\0");
        put(h, 263, "00");
        int sum = 0;
        for (byte b : h) sum += b & 0xFF;
        put(h, 148, String.format("%06o\0 ", sum));
        byte[] padded = new byte[(data.length + 511) / 512 * 512];
        System.arraycopy(data, 0, padded, 0, data.length);
        return concat(h, padded);
    }

    private static void put(byte[] h, int at, String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, at, b.length);
    }

    /** TorchScript: constants.pkl and any extra pickle entries. */
    @Test
    void torchScriptConstants() {
        ZipBuilder z = new ZipBuilder();
        z.add("m/data.pkl", new PickleBuilder().proto(2).op('}').stop().bytes());
        z.add("m/code/__torch__.py", "def forward(self):\n  pass\n".getBytes());
        z.add("m/constants.pkl", evil());
        assertDangerous(z.bytes(), "ts.pt");
    }

    /** joblib's zlib and gzip files (the pickle is compressed whole), and a compressed entry in a zip. */
    @Test
    void compressedPickles() throws IOException {
        assertDangerous(deflate(evil()), "model.joblib");
        assertDangerous(gzip(evil()), "model.gz");
        assertDangerous(zip("archive/blob", gzip(evil()), false), "gz-in-zip.pt");
    }

    /** An npy object array is a pickle after the header (numpy.load(allow_pickle=True) runs it). */
    @Test
    void npyObjectArray() {
        String header = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }";
        StringBuilder h = new StringBuilder(header);
        while ((10 + h.length() + 1) % 64 != 0) h.append(' ');
        h.append('\n');
        byte[] hb = h.toString().getBytes();
        byte[] pre = new byte[10];
        System.arraycopy(NpyHeader.MAGIC, 0, pre, 0, 6);
        pre[6] = 1;
        pre[8] = (byte) hb.length;
        pre[9] = (byte) (hb.length >> 8);
        byte[] npy = concat(pre, hb, evil());
        assertDangerous(npy, "obj.npy");
        ZipBuilder z = new ZipBuilder();
        z.add("arr.npy", npy).deflate = true;
        assertDangerous(z.bytes(), "obj.npz");
    }

    /**
     * Benign files stay benign: state dicts of every layout torch writes are SAFE; a whole pickled module
     * (torch.nn classes: loading it imports their code) is UNKNOWN, never DANGEROUS.
     */
    @Test
    void benignFixturesAreNotDangerous() {
        for (Path p : FIXTURES.folder("pytorch").files()) {
            Verdict v = new PickleScanner().scan(p, ReadLimits.DEFAULT).verdict();
            String name = p.getFileName().toString();
            if (name.equals("dv-module.pt")) assertEquals(Verdict.UNKNOWN, v, name);
            else if (!name.equals("dv-torchscript.pt")) assertEquals(Verdict.SAFE, v, name);
            else assertTrue(v != Verdict.DANGEROUS, name);
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.write(p, 0, p.length);
        return out.toByteArray();
    }

    private static byte[] deflate(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream d = new DeflaterOutputStream(out, new Deflater(Deflater.BEST_COMPRESSION))) {
            d.write(b);
        }
        return out.toByteArray();
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(b);
        }
        return out.toByteArray();
    }
}
