#!/usr/bin/env python3
"""Table and SVG chart of GGUF dequantization against ggml's C, from one alternating run (docs/benchmarks.md).

    benchmarks/scripts/dequant_chart.py --jmh A.json [--jmh B.json ...] --ggml c1.txt [--ggml c2.txt ...] \
        [--cpu-ggml g.txt --cpu-java scalar.txt --cpu-java panama.txt] --svg docs/dequant.svg > table.md

--jmh: JMH JSON of GgufDequantBenchmark (Scalar = the default path, Panama = the Vector API path); several files
(the alternating rounds) are pooled: score = mean of the rounds' scores, error = the largest JMH error or half the
spread of the rounds, whichever is larger. --ggml: outputs of the ggml harness (shared/bench/ggml-dequant, built
by build.sh), pooled the same way (error = half the spread of all its iterations). Prints the markdown table of
GB/s and ratios to ggml; writes the chart (grouped bars, resident and mapped/stream panels) to --svg.
JMH's residentSegment (into a 64-byte-aligned native segment, as ggml's harness writes) gets a table of its own.
--cpu-ggml / --cpu-java: the thread-CPU-time pair (benchmarks/scripts/ggml_baseline.py's harness, GgufDequantCpuTime
with -Dtensorfile.quant=scalar and =panama): a table of every type, median GB/s per CPU second, error = half the
spread of the rounds, and the mapped rows as ratios to the mapped copy ceiling of the same run.
--cpu-ggml-offset: the same harness run with --out-offset 16 (its output 16 bytes past a 64-byte line, where a
Java float[]'s elements start): a table comparing our float[] rows with ggml writing to the same alignment.
--jmh-parallel PATH=file.json: JMH JSON of GgufParallelReadBenchmark for one path (scalar or panama): a table of the
split read's wall-clock speedup over one thread, with the ratio's error propagated from both JMH errors.
"""
import argparse
import json
import re
import statistics
from collections import defaultdict

TYPES = ['Q8_0', 'Q4_0', 'Q4_K', 'Q5_K', 'Q6_K']
SERIES = [('ggml', 'ggml C (gcc -O3 -march=native)', '#888888'),
          ('Scalar', 'ours, default (no --add-modules)', '#4477aa'),
          ('Panama', 'ours, Vector API', '#ee6677')]


def jmh(files):
    runs = defaultdict(list)   # (impl, kind, type) -> [(score, err)]
    for f in files:
        for r in json.load(open(f)):
            m = re.search(r'GgufDequantBenchmark\.(\w+)\.(resident|mapped|residentSegment)$', r['benchmark'])
            if not m:
                continue
            impl, kind = m.group(1), m.group(2)
            t = r.get('params', {}).get('type', 'copy')
            if impl == 'Ceiling':
                t = 'copy'
            pm = r['primaryMetric']
            err = pm.get('scoreError')
            runs[(impl if impl != 'Ceiling' else 'ggml-copy-java', kind, t)].append(
                (pm['score'], err if isinstance(err, (int, float)) and err == err else 0.0))
    return {k: pool(v) for k, v in runs.items()}


def pool(v):
    scores = [s for s, _ in v]
    mean = statistics.mean(scores)
    spread = (max(scores) - min(scores)) / 2 if len(scores) > 1 else 0.0
    return mean, max(max(e for _, e in v), spread)


def harness_iterations(files):
    """Every iteration of every type in outputs of ggml's harness (shared or ggml_baseline.py's), pooled over the
    files: (type, 'resident' | 'mapped') -> [GB/s]."""
    its = defaultdict(list)
    line = re.compile(r'^(\S+) (resident|stream)\s+(.*?)\|')
    for f in files:
        for ln in open(f):
            m = line.match(ln)
            if m:
                kind = 'mapped' if m.group(2) == 'stream' else 'resident'
                its[('copy' if m.group(1) == 'memcpy' else m.group(1), kind)].extend(float(x) for x in m.group(3).split())
    return its


def ggml(files):
    """The shared harness (wall clock): mean of the iterations, error half their spread."""
    return {('ggml', kind, t): (statistics.mean(xs), (max(xs) - min(xs)) / 2)
            for (t, kind), xs in harness_iterations(files).items()}


def cpu_ggml(files):
    """ggml_baseline.py's harness (thread CPU time): median of the iterations, error half their spread."""
    return {(t, kind): (statistics.median(xs), (max(xs) - min(xs)) / 2)
            for (t, kind), xs in harness_iterations(files).items()}


def cpu_java(files):
    """GgufDequantCpuTime's lines: KIND IMPL TYPE median X GB/s (min A, max B), or KIND copy median ..."""
    out = {}
    line = re.compile(r'^(resident|mapped|segment)\s+(?:(scalar|panama) )?(\S+)\s+median\s+([\d.]+) GB/s\s+\(min\s+([\d.]+), max\s+([\d.]+)\)')
    for f in files:
        for ln in open(f):
            m = line.match(ln)
            if m:
                kind, impl, t = m.group(1), m.group(2) or 'copy', m.group(3)
                out[(impl, t, kind)] = (float(m.group(4)), (float(m.group(6)) - float(m.group(5))) / 2)
    return out


def cpu_table(g, j):
    types = [t for (t, k) in g if k == 'resident' and t != 'copy']
    rows = ['| type | ggml C | ours, default | ratio | ours, Vector API | ratio |', '|---|---|---|---|---|---|']
    for t in types:
        gg = g.get((t, 'resident'))
        s = j.get(('scalar', t, 'resident'))
        p = j.get(('panama', t, 'resident'))
        rows.append(f'| {t} | {fmt(gg)} | {fmt(s)} | {ratio(s, gg)} | {fmt(p)} | {ratio(p, gg)} |')
    cg = g.get(('copy', 'resident'))
    cj = j.get(('copy', 'copy', 'resident'))
    rows.append(f'| copy ceiling (memcpy / MemorySegment.copy) | {fmt(cg)} | {fmt(cj)} | {ratio(cj, cg)} | | |')
    out = '\n'.join(rows)
    if any(k[2] == 'segment' for k in j):
        rows = ['| type | ggml C (its aligned buffer) | ours, default | ratio | ours, Vector API | ratio |',
                '|---|---|---|---|---|---|']
        for t in TYPES:
            gg = g.get((t, 'resident'))
            s = j.get(('scalar', t, 'segment'))
            p = j.get(('panama', t, 'segment'))
            rows.append(f'| {t} | {fmt(gg)} | {fmt(s)} | {ratio(s, gg)} | {fmt(p)} | {ratio(p, gg)} |')
        out += ('\n\nCache resident into a 64-byte-aligned native MemorySegment, thread CPU time:\n\n'
                + '\n'.join(rows))
    if any(k[2] == 'mapped' for k in j):
        rows = ['| type | ggml C stream | ratio to its memcpy | ours, default | ratio to mapped copy | '
                'ours, Vector API | ratio to mapped copy |', '|---|---|---|---|---|---|---|']
        cg = g.get(('copy', 'mapped'))
        cj = j.get(('copy', 'copy', 'mapped'))
        for t in TYPES:
            gg = g.get((t, 'mapped'))
            s = j.get(('scalar', t, 'mapped'))
            p = j.get(('panama', t, 'mapped'))
            rows.append(f'| {t} | {fmt(gg)} | {ratio(gg, cg)} | {fmt(s)} | {ratio(s, cj)} | {fmt(p)} | {ratio(p, cj)} |')
        rows.append(f'| copy ceiling | {fmt(cg)} (memcpy) | | {fmt(cj)} (`MemorySegment.copy` from the mapped file) | | | |')
        out += '\n\nStreaming a 1 GiB input, thread CPU time (ours: mapped file; ggml: mapped file, GB/s):\n\n' + '\n'.join(rows)
    return out


def table(data, kind):
    rows = [f'| type | ggml C | ours, default | ratio | ours, Vector API | ratio |', '|---|---|---|---|---|---|']
    if kind == 'residentSegment':
        for t in TYPES:
            g = data.get(('ggml', 'resident', t))
            s = data.get(('Scalar', kind, t))
            p = data.get(('Panama', kind, t))
            rows.append(f'| {t} | {fmt(g)} | {fmt(s)} | {ratio(s, g)} | {fmt(p)} | {ratio(p, g)} |')
        return '\n'.join(rows)
    for t in TYPES + ['copy']:
        g = data.get(('ggml', kind, t))
        if t == 'copy':
            j = data.get(('ggml-copy-java', kind, 'copy'))
            rows.append(f'| copy ceiling (memcpy / MemorySegment.copy) | {fmt(g)} | {fmt(j)} | {ratio(j, g)} | | |')
            continue
        s = data.get(('Scalar', kind, t))
        p = data.get(('Panama', kind, t))
        rows.append(f'| {t} | {fmt(g)} | {fmt(s)} | {ratio(s, g)} | {fmt(p)} | {ratio(p, g)} |')
    return '\n'.join(rows)


def fmt(v):
    return '–' if v is None else f'{v[0]:.1f} ± {v[1]:.1f}'


def ratio(a, b):
    if a is None or b is None or b[0] == 0:
        return '–'
    r = a[0] / b[0]
    # first-order propagation of the two relative errors
    e = r * ((a[1] / a[0]) ** 2 + (b[1] / b[0]) ** 2) ** 0.5 if a[0] else 0
    return f'{r:.2f} ± {e:.2f}'


def svg(data, path):
    W, H, pad, gap = 900, 360, 50, 40
    panels = ['resident', 'mapped']
    pw = (W - 2 * pad - gap) / 2
    # the axis follows the means; error bars taller than the plot are clipped at its top (marked by a cap)
    top = 1.3 * max(v[0] for (s, k, t), v in data.items() if t in TYPES and s in ('ggml', 'Scalar', 'Panama'))
    scale = (H - 2 * pad - 30) / (top * 1.05)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">',
           f'<rect width="{W}" height="{H}" fill="white"/>']
    base = H - pad
    for pi, kind in enumerate(panels):
        x0 = pad + pi * (pw + gap)
        out.append(f'<text x="{x0 + pw / 2}" y="18" text-anchor="middle" font-size="13">'
                   f'{"cache resident, 1 MiB out" if kind == "resident" else "streaming a 1 GiB mapped input"}'
                   f' (GB/s of float output)</text>')
        out.append(f'<line x1="{x0}" y1="{base}" x2="{x0 + pw}" y2="{base}" stroke="black"/>')
        for g in range(0, int(top * 1.05) + 1, 10):
            y = base - g * scale
            out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + pw}" y2="{y:.1f}" stroke="#dddddd"/>')
            out.append(f'<text x="{x0 - 4}" y="{y + 4:.1f}" text-anchor="end">{g}</text>')
        gw = pw / len(TYPES)
        bw = gw * 0.8 / len(SERIES)
        for ti, t in enumerate(TYPES):
            gx = x0 + ti * gw + gw * 0.1
            out.append(f'<text x="{gx + gw * 0.4:.1f}" y="{base + 14}" text-anchor="middle">{t}</text>')
            for si, (key, _, colour) in enumerate(SERIES):
                v = data.get((key, kind, t))
                if v is None:
                    continue
                h = v[0] * scale
                bx = gx + si * bw
                out.append(f'<rect x="{bx:.1f}" y="{base - h:.1f}" width="{bw - 1:.1f}" height="{h:.1f}" fill="{colour}"/>')
                e1 = max(pad - 10, base - (v[0] + v[1]) * scale)
                e2 = base - max(0, v[0] - v[1]) * scale
                cx = bx + (bw - 1) / 2
                out.append(f'<line x1="{cx:.1f}" y1="{e1:.1f}" x2="{cx:.1f}" y2="{e2:.1f}" stroke="black"/>')
    for si, (_, label, colour) in enumerate(SERIES):
        lx = pad + si * 260
        out.append(f'<rect x="{lx}" y="{H - 22}" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{lx + 14}" y="{H - 13}">{label}</text>')
    out.append('</svg>')
    open(path, 'w').write('\n'.join(out) + '\n')


def offset_table(g, g16, j):
    rows = ['| type | ggml C, aligned | ggml C, +16 bytes (a float[]\'s alignment) | ours, default, float[] | ratio to +16 | '
            'ours, Vector API, float[] | ratio to +16 |', '|---|---|---|---|---|---|---|']
    for t in TYPES:
        gg, g6 = g.get((t, 'resident')), g16.get((t, 'resident'))
        if g6 is None:
            continue
        s = j.get(('scalar', t, 'resident'))
        p = j.get(('panama', t, 'resident'))
        rows.append(f'| {t} | {fmt(gg)} | {fmt(g6)} | {fmt(s)} | {ratio(s, g6)} | {fmt(p)} | {ratio(p, g6)} |')
    return '\n'.join(rows)


def parallel_table(specs):
    rows = ['| path | type | one thread (GB/s) | split across the common pool and the caller (GB/s) | speedup |',
            '|---|---|---|---|---|']
    for spec in specs:
        path, f = spec.split('=', 1)
        got = {}
        for r in json.load(open(f)):
            m = re.search(r'GgufParallelReadBenchmark\.(oneThread|commonPool)$', r['benchmark'])
            if m:
                pm = r['primaryMetric']
                got[(r['params']['type'], m.group(1))] = (pm['score'], pm.get('scoreError') or 0.0)
        for t in ['Q8_0', 'Q4_K']:
            if (t, 'oneThread') in got and (t, 'commonPool') in got:
                one, split = got[(t, 'oneThread')], got[(t, 'commonPool')]
                rows.append(f'| {path} | {t} | {fmt(one)} | {fmt(split)} | {ratio(split, one)} |')
    return '\n'.join(rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--jmh', action='append', default=[])
    ap.add_argument('--ggml', action='append', default=[])
    ap.add_argument('--cpu-ggml', action='append', default=[])
    ap.add_argument('--cpu-java', action='append', default=[])
    ap.add_argument('--cpu-ggml-offset', action='append', default=[])
    ap.add_argument('--jmh-parallel', action='append', default=[])
    ap.add_argument('--svg')
    a = ap.parse_args()
    data = jmh(a.jmh)
    data.update(ggml(a.ggml))
    print('Cache resident (1 MiB of float output into a float[], GB/s, mean ± error):\n')
    print(table(data, 'resident'))
    if any(k[1] == 'residentSegment' for k in data):
        print('\nCache resident, into a 64-byte-aligned native MemorySegment (ggml: its aligned buffer, as above):\n')
        print(table(data, 'residentSegment'))
    print('\nStreaming a 1 GiB input (ours: mapped file; ggml: stream, GB/s):\n')
    print(table(data, 'mapped'))
    if a.cpu_ggml and a.cpu_java:
        print('\nThread CPU time, cache resident (median GB/s per CPU second ± half the spread of the rounds):\n')
        print(cpu_table(cpu_ggml(a.cpu_ggml), cpu_java(a.cpu_java)))
        if a.cpu_ggml_offset:
            print('\nThread CPU time, cache resident, ggml writing at a float[]\'s alignment (64-byte line + 16 bytes):\n')
            print(offset_table(cpu_ggml(a.cpu_ggml), cpu_ggml(a.cpu_ggml_offset), cpu_java(a.cpu_java)))
    if a.jmh_parallel:
        print('\nParallel readFloats of a 16 MiB-output tensor, wall clock (JMH, GB/s of float output, mean ± error):\n')
        print(parallel_table(a.jmh_parallel))
    if a.svg:
        svg(data, a.svg)


if __name__ == '__main__':
    main()
