"""Regenerates sections 4 and 5 of docs/performance.md (and the targets' `bench_engine` rows) from
one run of build/bench_engine and build/bench_subsets (and of their AVX2 build when given), and
the notes from notes.md, leaving the peer sections of the last full run as they are."""

import argparse
import datetime
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_tables  # noqa: E402  (same directory)
import machine  # noqa: E402


def cpu():
    model = machine.cpuinfo_field("model name") or "unknown CPU"
    return model, machine.vector_isa(), os.cpu_count()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bench", required=True, help="output of build/bench_engine")
    p.add_argument("--doc", default="docs/performance.md")
    p.add_argument("--build", default="", help="how the library was compiled (named in the doc)")
    p.add_argument("--load-before", default="")
    p.add_argument("--load-after", default="")
    p.add_argument("--subsets", default="", help="output of build/bench_subsets")
    p.add_argument("--avx2-bench", default="", help="bench_engine of the x86-64-v3 build")
    p.add_argument("--avx2-subsets", default="", help="bench_subsets of the x86-64-v3 build")
    args = p.parse_args()
    with open(args.bench) as f:
        bench = f.read()
    texts = {}
    for name in ("subsets", "avx2_bench", "avx2_subsets"):
        path = getattr(args, name)
        texts[name] = open(path).read() if path else None
    with open(args.doc) as f:
        doc = f.read()
    model, isa, cores = cpu()
    note = (f"Sections 4 and 5 and the targets' `bench_engine` rows: regenerated alone by `bash "
            f"experiments/peers/run.sh --bench-only` on {datetime.date.today().isoformat()}, "
            f"on {model} ({cores} cores, {isa}; {args.build}); load average (1, 5, 15 min) "
            f"before: {args.load_before}; after: {args.load_after} (a machine shared with other "
            f"jobs: compare ratios within the run, not times across runs). The other sections "
            f"are from the full run named above.")
    lines = doc.split("\n")
    # The previous note, up to the blank line that ends its paragraph.
    prefixes = ("Section 4 and the targets' `bench_engine`",
                "Sections 4 and 5 and the targets' `bench_engine`")
    old = next((i for i, line in enumerate(lines) if line.startswith(prefixes)), None)
    if old is not None:
        stop = next(i for i in range(old, len(lines)) if not lines[i].strip())
        del lines[old:stop + 1]
    written = next(i for i, line in enumerate(lines) if line.startswith("Written by"))
    lines[written + 2:written + 2] = [note, ""]
    # The targets table: the benchmark's rows replaced in place.
    rows = [i for i, line in enumerate(lines) if "`bench_engine`) |" in line]
    if rows:
        lines[rows[0]:rows[-1] + 1] = (
            bench_tables.bench_targets(bench)
            + bench_tables.bench_targets(texts["avx2_bench"], machine.AVX2_BUILD))
    text = "\n".join(lines)
    start = text.index("## 4. The fused pass against a streaming read")
    section = "\n".join(bench_tables.bench_section(bench, texts["avx2_bench"], texts["subsets"],
                                                   texts["avx2_subsets"], isa)) + "\n"
    # The hand-written notes, as peers.py appends them.
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "notes.md")) as f:
        notes = f.read().strip() + "\n"
    text = text[:start] + section + notes
    text = re.sub(r"\n{3,}", "\n\n", text)
    with open(args.doc, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
