#!/usr/bin/python3
"""Writes what CPython's pickletools.genops reads from each single-pickle fixture: offset, opcode name and the
argument's repr, one JSON list per file (expected.json). Run from this directory with Debian's python3; the
fixtures are never loaded, only disassembled."""
import json, pickletools, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent / 'fixtures'
out = {}
for p in sorted((root / 'pickle').rglob('*.pkl')):
    data = p.read_bytes()
    ops = []
    for op, arg, pos in pickletools.genops(data):
        ops.append([pos, op.name, None if arg is None else repr(arg)])
    out[str(p.relative_to(root))] = {'ops': ops, 'python': sys.version.split()[0]}
(Path(__file__).resolve().parent / 'expected.json').write_text(json.dumps(out, indent=1) + '\n')
