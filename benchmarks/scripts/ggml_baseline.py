#!/usr/bin/env python3
"""Builds the ggml dequantization baseline (shared/bench/ggml-dequant) in the variant docs/benchmarks.md quotes.

Three changes to the shared harness, made on a copy in OUTDIR (the shared files stay as they are):
  * timing in thread CPU time (CLOCK_THREAD_CPUTIME_ID) instead of wall time, as GgufDequantCpuTime does on the Java
    side: on a machine shared with other builds wall-clock GB/s swing with the load, CPU time much less;
  * every type gguf-py dequantizes, not only the five of the shared harness. Types ggml has no reference quantizer
    for (the grid types IQ2_XXS ... IQ1_M) decode random bytes with moderate fp16 scales, as the Java side does
    (the speed of a table decoder does not depend on the codes);
  * --out-offset BYTES: decode into the 64-byte-aligned output buffer plus BYTES. A Java float[] body starts 16
    bytes past a 64-byte line (a large array is a G1 humongous object at a region start, after a 16-byte header),
    so every 64-byte store into it straddles two lines; --out-offset 16 gives ggml the same destination.

    benchmarks/scripts/ggml_baseline.py [OUTDIR]     # prints the binary's path; default /tmp/ggml-dequant-cpu
    OUTDIR/ggml_dequant_bench -wi 3 -i 5 -r 1 --only resident [--out-offset 16] Q4_K Q8_0
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, '..', '..', '..', 'shared', 'bench', 'ggml-dequant'))
OUT = sys.argv[1] if len(sys.argv) > 1 else '/tmp/ggml-dequant-cpu'

# name, block elements, block struct, dequantizer, reference quantizer or NULL, byte offsets of fp16 scales
EXTRA = [
    ('Q4_1', 'QK4_1', 'block_q4_1', 'q4_1', 'q4_1', [0, 2]),
    ('Q5_0', 'QK5_0', 'block_q5_0', 'q5_0', 'q5_0', [0]),
    ('Q5_1', 'QK5_1', 'block_q5_1', 'q5_1', 'q5_1', [0, 2]),
    ('Q2_K', 'QK_K', 'block_q2_K', 'q2_K', 'q2_K', [80, 82]),
    ('Q3_K', 'QK_K', 'block_q3_K', 'q3_K', 'q3_K', [108]),
    ('IQ4_NL', 'QK4_NL', 'block_iq4_nl', 'iq4_nl', 'iq4_nl', [0]),
    ('IQ4_XS', 'QK_K', 'block_iq4_xs', 'iq4_xs', 'iq4_xs', [0]),
    ('TQ1_0', 'QK_K', 'block_tq1_0', 'tq1_0', 'tq1_0', [52]),
    ('TQ2_0', 'QK_K', 'block_tq2_0', 'tq2_0', 'tq2_0', [64]),
    ('MXFP4', 'QK_MXFP4', 'block_mxfp4', 'mxfp4', 'mxfp4', []),
    ('IQ2_XXS', 'QK_K', 'block_iq2_xxs', 'iq2_xxs', None, [0]),
    ('IQ2_XS', 'QK_K', 'block_iq2_xs', 'iq2_xs', None, [0]),
    ('IQ2_S', 'QK_K', 'block_iq2_s', 'iq2_s', None, [0]),
    ('IQ3_XXS', 'QK_K', 'block_iq3_xxs', 'iq3_xxs', None, [0]),
    ('IQ3_S', 'QK_K', 'block_iq3_s', 'iq3_s', None, [0]),
    ('IQ1_S', 'QK_K', 'block_iq1_s', 'iq1_s', None, [0]),
    ('IQ1_M', 'QK_K', 'block_iq1_m', 'iq1_m', None, []),
]


def sub1(pattern, repl, src):
    """re.sub exactly once; fails loudly when the shared harness no longer has the line this script patches."""
    out, n = re.subn(pattern, repl, src, count=1)
    if n != 1:
        sys.exit(f'ggml_baseline.py: pattern not found in the shared harness: {pattern}')
    return out


def main():
    src = open(os.path.join(SHARED, 'ggml_dequant_bench.c')).read()
    src = src.replace('CLOCK_MONOTONIC', 'CLOCK_THREAD_CPUTIME_ID')
    src = sub1(r'static float \* g_out;.*', r'\g<0>\nstatic float * g_dst;          // g_out + --out-offset bytes', src)
    src = sub1(r'c->t->dequant\(c->in, g_out, FLOATS\);', 'c->t->dequant(c->in, g_dst, FLOATS);', src)
    src = sub1(r'g_out = aligned_alloc\(64, OUT_BYTES\);',
               'g_out = aligned_alloc(64, OUT_BYTES + 64);\n    g_dst = (float *) ((char *) g_out + g_out_off);', src)
    src = sub1(r'(else if \(!strcmp\(argv\[a\], "--mapped"\)\) g_mapped = 1;)',
               r'\1\n        else if (!strcmp(argv[a], "--out-offset") && a + 1 < argc) g_out_off = atoi(argv[++a]) & ~3 & 63;', src)
    src = sub1(r'static int g_mapped = 0;', 'static int g_mapped = 0;\nstatic int g_out_off = 0;', src)
    src = sub1(r'(printf\("# ggml_dequant_bench: -wi %d -i %d -r %.2fs, )', r'printf("# output at +%d bytes from 64\\n", g_out_off);\n    \1', src)
    rows = []
    fills = []
    for name, qk, block, deq, quant, scales in EXTRA:
        q = f'(quant_fn) quantize_row_{quant}_ref' if quant else f'(quant_fn) fill_random_{deq}'
        rows.append(f'    {{ "{name}", {qk}, sizeof({block}), (dequant_fn) dequantize_row_{deq}, {q} }},')
        if not quant:
            sets = ''.join(f' uint16_t h{o} = (uint16_t) (0x2000 + (rand() & 0x0fff)); memcpy(b + {o}, &h{o}, 2);'
                           for o in scales)
            fills.append(f'static void fill_random_{deq}(const float * x, void * y, int64_t k) {{ (void) x;\n'
                         f'    unsigned char * p = y; size_t n = (size_t) k / {qk};\n'
                         f'    for (size_t i = 0; i < n * sizeof({block}); i++) p[i] = (unsigned char) rand();\n'
                         f'    for (size_t i = 0; i < n; i++) {{ unsigned char * b = p + i * sizeof({block});{sets} }}\n}}\n')
    src = re.sub(r'(static const qtype TYPES\[\] = \{\n(?:.*\n)*?)(\};)', lambda m: m.group(1) + '\n'.join(rows) + '\n' + m.group(2), src, count=1)
    src = src.replace('static const qtype TYPES[] = {', '\n'.join(fills) + 'static const qtype TYPES[] = {', 1)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, 'bench.c'), 'w') as f:
        f.write(src)
    g = os.path.join(SHARED, 'ggml')
    cc = ['gcc', '-O3', '-march=native', '-std=gnu11', f'-I{g}/include', f'-I{g}/src']
    subprocess.run(cc + [f'-I{g}/src/ggml-cpu', '-c', f'{g}/src/ggml-quants.c', '-o', f'{OUT}/ggml-quants.o'], check=True)
    subprocess.run(cc + ['-c', f'{OUT}/bench.c', '-o', f'{OUT}/bench.o'], check=True)
    subprocess.run(['gcc', '-O3', '-march=native', f'{OUT}/bench.o', f'{OUT}/ggml-quants.o', '-lm',
                    '-o', f'{OUT}/ggml_dequant_bench'], check=True)
    print(f'{OUT}/ggml_dequant_bench')


if __name__ == '__main__':
    main()
