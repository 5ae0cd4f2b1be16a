#!/usr/bin/python3
"""Baseline for GgufOpenBenchmark: gguf-py's GGUFReader opening and listing the same llama.cpp-style vocabulary GGUF.

    PYTHONPATH=/path/to/gguf-0.19.0-py3-none-any.whl /usr/bin/python3 gguf_open_baseline.py vocab.gguf [runs]

Writes vocab.gguf with gguf-py's GGUFWriter when it does not exist (the same content GgufOpenBenchmark writes:
150,000 tokens, scores, token types and merges, two small tensors), then times GGUFReader(path) + listing every
key and tensor + reading the last token, and prints each run and the median in milliseconds. The file can then
be given to the JMH benchmark (-p file=vocab.gguf) so both read the very same bytes."""
import os, statistics, sys, time
import numpy as np
import gguf

VOCAB = 150_000


def b36(i):
    digits = '0123456789abcdefghijklmnopqrstuvwxyz'
    s = ''
    while True:
        i, r = divmod(i, 36)
        s = digits[r] + s
        if i == 0: return s


def write(path):
    w = gguf.GGUFWriter(path, 'llama')
    w.add_name('vocab')
    w.add_uint32('llama.context_length', 8192)
    w.add_tokenizer_model('gpt2')
    w.add_tokenizer_pre('llama-bpe')
    w.add_token_list(['\u0120tok' + b36(i) + 'ing' for i in range(VOCAB)])
    w.add_token_scores([float(-i) for i in range(VOCAB)])
    w.add_token_types([6 if i < 256 else 1 for i in range(VOCAB)])
    w.add_token_merges(['\u0120t ok' + b36(i) for i in range(VOCAB)])
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    w.add_chat_template('{% for m in messages %}{{ m.content }}{% endfor %}')
    w.add_tensor('output_norm.weight', np.zeros(64, dtype=np.float32))
    w.add_tensor('token_embd.weight', np.zeros((16, 64), dtype=np.float16))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def open_and_list(path):
    r = gguf.GGUFReader(path)
    keys = [f.name for f in r.fields.values()]
    tensors = [(t.name, t.tensor_type, tuple(t.shape)) for t in r.tensors]
    tokens = r.fields['tokenizer.ggml.tokens']
    last = bytes(tokens.parts[tokens.data[-1]]).decode('utf-8')
    return len(keys), len(tensors), len(tokens.data), last


def main():
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    if not os.path.exists(path): write(path)
    times, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        result = open_and_list(path)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        print(f'{times[-1]:.1f} ms wall, {cpu[-1]:.1f} ms CPU {result}')
    # CPU time as well: on a shared machine the wall time also measures the other tenants.
    print(f'gguf-py GGUFReader open+list: median {statistics.median(times):.1f} ms wall, '
          f'{statistics.median(cpu):.1f} ms CPU over {runs} runs')


if __name__ == '__main__':
    main()
