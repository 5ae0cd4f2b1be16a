#!/usr/bin/env python3
"""Turns GgufMatVecBenchmark's JMH JSON into the markdown table of docs/kernels.md.

    benchmarks/scripts/matvec_table.py benchmarks/results/matvec.json

Each score is microseconds per 4096 x 4096 matrix-vector product; GFLOP/s counts 2 * 4096 * 4096 flops per product
and GB/s the weight bytes read (Q4_K 144 bytes per 256 weights, Q8_0 34 per 32). The error columns carry JMH's
99.9% confidence half-interval through the same division.
"""
import json
import sys

N = 4096
BYTES = {'Q4_K': N * (N // 256) * 144, 'Q8_0': N * (N // 32) * 34}


def main(path):
    rows = {}
    for r in json.load(open(path)):
        name = r['benchmark'].split('.')
        kind, bench = name[-2], name[-1]
        typ = r['params']['type']
        m = r['primaryMetric']
        rows[(typ, kind, bench)] = (m['score'], m['scoreError'])
    print('| type | path | method | µs per product | GFLOP/s | GB/s of weights | × copy ceiling |')
    print('|---|---|---|---|---|---|---|')
    for typ in ('Q4_K', 'Q8_0'):
        ceiling = rows.get((typ, 'Ceiling', 'copy'))
        for kind in ('Scalar', 'Panama', 'Ceiling'):
            for bench in ('fused', 'fusedParallel', 'dequantizeThenDot', 'copy'):
                if (typ, kind, bench) not in rows:
                    continue
                us, err = rows[(typ, kind, bench)]
                flops = 2.0 * N * N / us / 1e3
                gbs = BYTES[typ] / us / 1e3
                rel = lambda v: v * err / us
                ratio = ceiling[0] / us if ceiling else float('nan')
                path_name = {'Scalar': 'plain Java', 'Panama': 'Vector API', 'Ceiling': '—'}[kind]
                method = {'fused': 'fused matVec, 1 thread', 'fusedParallel': 'fused matVec, 2 threads',
                          'dequantizeThenDot': 'dequantize row, then dot', 'copy': 'MemorySegment.copy'}[bench]
                print(f'| {typ} | {path_name} | {method} | {us:.0f} ± {err:.0f} | {flops:.1f} ± {rel(flops):.1f} '
                      f'| {gbs:.2f} ± {rel(gbs):.2f} | {ratio:.2f} |')


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'benchmarks/results/last.json')
