#!/usr/bin/python3
"""Copies the GGUF quantization fixtures this module's quant tests use from ../shared/fixtures.

Run from this directory: /usr/bin/python3 prepare.py /work/shared/fixtures
Nothing here is computed by us: the GGUF files were written by llama-quantize / gguf-py, the manifests and the
.npy references are gguf-py 0.19.0's read-back (see the fixtures' README and _provenance.json). To keep the test
resources small, the F16 and BF16 files are cut down to two tensors (their bytes copied verbatim, the manifest
entries kept with data_offset rebased to the slice), and one .npy reference is kept per tensor type; every tensor
is still checked against its manifest's f32_sha256 (the SHA-256 of gguf-py's float32 dequantization).
"""
import json, os, shutil, sys

src = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/fixtures"
whole = ["F32", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K_M", "Q4_K_M", "Q5_K_M", "Q6_K", "IQ4_NL", "IQ4_XS"]
sliced = ["F16", "BF16"]
keep = {"token_embd.weight", "blk.0.attn_k.weight"}
npy_done = set()
os.makedirs("npy", exist_ok=True)

def want_npy(t):
    if "dequant_npy" not in t or t["dtype"] in npy_done or t["n_elements"] != 16384:
        return False
    npy_done.add(t["dtype"])
    return True

for q in whole + sliced:
    name = "dv-microllama-%s.gguf" % q
    m = json.load(open(os.path.join(src, "expected/gguf", name + ".json")))
    if q in whole:
        shutil.copyfile(os.path.join(src, "gguf", name), name)
    else:
        data = open(os.path.join(src, "gguf", name), "rb").read()
        out = bytearray()
        tensors = []
        for t in m["tensors"]:
            if t["name"] in keep:
                chunk = data[t["data_offset"]:t["data_offset"] + t["nbytes"]]
                t = dict(t, data_offset=len(out))
                out += chunk
                tensors.append(t)
        m = dict(m, tensors=tensors, file=m["file"] + " (slice: two tensors)")
        name = "dv-microllama-%s.slice" % q
        open(name, "wb").write(out)
    for t in m["tensors"]:
        if want_npy(t):
            base = os.path.basename(t["dequant_npy"])
            shutil.copyfile(os.path.join(src, "expected", t["dequant_npy"]), os.path.join("npy", base))
    json.dump(m, open(name + ".json", "w"), indent=1)
