#!/usr/bin/python3
"""Reference values for float32 -> float16 / bfloat16 narrowing and float16 / bfloat16 -> float32 widening,
computed with Debian's numpy (python3-numpy 1.24.2), for CastAgainstNumpyTest.

Writes cast-vectors.safetensors (a plain spec-following safetensors file: u64 header length, JSON header padded
with spaces to a multiple of 8, little-endian data) holding
  f32   F32 [N]   inputs: specials (±0, ±inf, NaNs), float16/bfloat16 boundaries (65504, 65519.99…, 65520,
                  subnormal limits), exact ties, values one ulp either side of ties, float32 subnormals, and
                  random float32 values across the whole exponent range
  f16   F16 [N]   numpy: f32.astype(np.float16) (IEEE round to nearest even; NaN stays NaN)
  bf16  BF16 [N]  round to nearest even on the bit pattern, NaN kept quiet with its sign: the formula of
                  check_safetensors.py, cross-checked below against float64 arithmetic done by numpy
and cast-widening.json with the sha256 of all 65536 float16 patterns widened by numpy (astype(np.float32)) and
of all 65536 bfloat16 patterns widened (bits << 16, numpy uint32 ops).
Run: /usr/bin/python3 make_cast_vectors.py  (from this directory)
"""
import hashlib, json, struct
import numpy as np

rng = np.random.default_rng(20261125)
vals = []
def f(x): vals.append(np.float32(x))
def bits(b): vals.append(np.array([b], dtype=np.uint32).view(np.float32)[0])

for x in [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 3.0, 0.1, -0.1, 1/3, 65504.0, -65504.0, 65519.0, 65519.996, 65520.0,
          -65520.0, 65536.0, 1e5, -1e5, 3.4028235e38, -3.4028235e38, 1e-8, 2.0**-24, 2.0**-25, 2.0**-26,
          3 * 2.0**-26, 2.0**-25 + 2.0**-40, 2.0**-14, 2.0**-14 - 2.0**-24, 6.1e-5, 5.96e-8, 2.98e-8]:
    f(x)
for b in [0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000, 0x00000001, 0x80000001, 0x007FFFFF, 0x00800000,
          0x80800000, 0x3F808000, 0x3F818000, 0x3F808001, 0x3F807FFF, 0x3F7F8000, 0x477FE000, 0x477FEFFF,
          0x477FF000, 0x7F7F8000, 0x7F7FFFFF, 0xFF7F8000, 0x38800000, 0x33800000, 0x33000000, 0x33000001]:
    bits(b)
# float16 ties: 1 + k*2^-11 for odd k (halfway between two halves), and one ulp (2^-23) either side
for k in range(1, 64, 2):
    t = 1.0 + k * 2.0**-11
    for d in (-2.0**-23, 0.0, 2.0**-23):
        f(t + d)
# float16 subnormal ties: (k + 0.5) * 2^-24
for k in range(0, 16):
    f((k + 0.5) * 2.0**-24)
# bfloat16 ties: low 16 bits exactly 0x8000 with even and odd kept parts
for hi in [0x3F80, 0x3F81, 0x4000, 0x4001, 0xC2C8, 0xC2C9, 0x0001, 0x0002, 0x7F7E, 0x7F7F]:
    for lo in (0x7FFF, 0x8000, 0x8001):
        bits((hi << 16) | lo)
# random float32 across all exponents, and normal-distributed weights
r = rng.integers(0, 2**32, size=600, dtype=np.uint64).astype(np.uint32)
r = r[(r & 0x7F800000) != 0x7F800000]  # NaNs and infinities are covered above, with their exact payloads
vals.extend(r.view(np.float32))
vals.extend(rng.standard_normal(300).astype(np.float32))
vals.extend((rng.standard_normal(100) * 30000).astype(np.float32))

f32 = np.array(vals, dtype=np.float32)
with np.errstate(over='ignore', invalid='ignore'):
    f16 = f32.astype(np.float16)

u = f32.view(np.uint32).astype(np.uint64)
nan = ((u & 0x7F800000) == 0x7F800000) & ((u & 0x7FFFFF) != 0)
bf = np.where(nan, (u >> 16) | 0x40, ((u + 0x7FFF + ((u >> 16) & 1)) >> 16) & 0xFFFF).astype(np.uint16)

# Cross-check the bfloat16 formula with arithmetic: each finite result is a nearest bfloat16, ties to even.
for x, b in zip(f32, bf):
    if np.isnan(x):
        assert np.isnan(np.array([int(b) << 16], dtype=np.uint32).view(np.float32)[0])
        continue
    xb = int(np.array([x], dtype=np.float32).view(np.uint32)[0])
    lo = xb & 0xFFFF0000
    cands = [lo, lo + 0x10000]
    def val(c):
        return float(np.array([c & 0xFFFFFFFF], dtype=np.uint32).view(np.float32)[0]) if (c & 0x7F800000) != 0x7F800000 or (c & 0x7FFFFF) == 0 else float('nan')
    got = val(int(b) << 16)
    if np.isinf(x):
        assert got == float(x)
        continue
    # candidate values in float64; the next one up may be infinity (beyond max bfloat16)
    dl = abs(float(x) - val(cands[0]))
    up = val(cands[1])
    du = abs(float(x) - up) if not np.isinf(up) else (2.0**128 - abs(float(x)) if abs(float(x)) >= 0 else 0)
    want = cands[0] if (dl < du or (dl == du and ((cands[0] >> 16) & 1) == 0)) else cands[1]
    assert (want >> 16) & 0xFFFF == int(b), (hex(xb), hex(want >> 16), hex(int(b)))

n = len(f32)
tensors = [('f32', 'F32', f32.tobytes()), ('f16', 'F16', f16.tobytes()), ('bf16', 'BF16', bf.tobytes())]
header, off, data = {}, 0, b''
for name, dt, b in tensors:
    header[name] = {'dtype': dt, 'shape': [n], 'data_offsets': [off, off + len(b)]}
    off += len(b); data += b
h = json.dumps(header, separators=(',', ':')).encode()
h += b' ' * ((8 - len(h) % 8) % 8)
with open('cast-vectors.safetensors', 'wb') as out:
    out.write(struct.pack('<Q', len(h)) + h + data)

all16 = np.arange(65536, dtype=np.uint32).astype(np.uint16)
wide16 = all16.view(np.float16).astype(np.float32)
wide_bf = (all16.astype(np.uint32) << 16).view(np.float32)
# NaN patterns apart: numpy keeps a signaling NaN signaling (payload << 13), while the JDK's
# Float.float16ToFloat (like x86's vcvtph2ps and torch) returns it quieted. The test checks the finite and
# infinite patterns against these hashes bit for bit, and every NaN pattern by rule (NaN, sign and payload kept).
nan16 = ((all16 & 0x7C00) == 0x7C00) & ((all16 & 0x03FF) != 0)
nanbf = ((all16 & 0x7F80) == 0x7F80) & ((all16 & 0x007F) != 0)
with open('cast-widening.json', 'w') as out:
    json.dump({'f16_all_patterns_to_f32_sha256': hashlib.sha256(wide16.tobytes()).hexdigest(),
               'f16_non_nan_patterns_to_f32_sha256': hashlib.sha256(wide16[~nan16].tobytes()).hexdigest(),
               'f16_nan_patterns': int(nan16.sum()),
               'bf16_all_patterns_to_f32_sha256': hashlib.sha256(wide_bf.tobytes()).hexdigest(),
               'bf16_non_nan_patterns_to_f32_sha256': hashlib.sha256(wide_bf[~nanbf].tobytes()).hexdigest(),
               'bf16_nan_patterns': int(nanbf.sum()),
               'count': n, 'numpy': np.__version__}, out, indent=1)
print(n, 'vectors')
