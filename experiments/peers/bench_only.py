"""Regenerates section 4 of docs/performance.md (and the targets' `bench_engine` rows) from one
run of build/bench_engine, leaving the peer sections of the last full run as they are."""

import argparse
import datetime
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402  (same directory)


def cpu():
    model, flags = "unknown CPU", set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name") and model == "unknown CPU":
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
    isa = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "SSE2"
    return model, isa, os.cpu_count()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bench", required=True, help="output of build/bench_engine")
    p.add_argument("--doc", default="docs/performance.md")
    p.add_argument("--build", default="", help="how the library was compiled (named in the doc)")
    p.add_argument("--load-before", default="")
    p.add_argument("--load-after", default="")
    args = p.parse_args()
    with open(args.bench) as f:
        bench = f.read()
    with open(args.doc) as f:
        doc = f.read()
    model, isa, cores = cpu()
    note = (f"Section 4 and the targets' `bench_engine` rows: regenerated alone by `bash "
            f"experiments/peers/run.sh --bench-only` on {datetime.date.today().isoformat()}, "
            f"on {model} ({cores} cores, {isa}; {args.build}); load average (1, 5, 15 min) "
            f"before: {args.load_before}; after: {args.load_after} (a machine shared with other "
            f"jobs: compare ratios within the run, not times across runs). The other sections "
            f"are from the full run named above.")
    lines = doc.split("\n")
    lines = [line for line in lines if not line.startswith("Section 4 and the targets' `bench_engine`")]
    written = next(i for i, line in enumerate(lines) if line.startswith("Written by"))
    lines[written + 2:written + 2] = [note, ""]
    # The targets table: the benchmark's rows replaced in place.
    rows = [i for i, line in enumerate(lines) if "`bench_engine`) |" in line]
    if rows:
        lines[rows[0]:rows[-1] + 1] = report.bench_targets(bench)
    text = "\n".join(lines)
    start = text.index("## 4. The fused pass against a streaming read")
    end = text.index("</details>", start) + len("</details>\n")
    section = "\n".join(report.bench_section(bench))
    text = text[:start] + section + text[end:]
    text = re.sub(r"\n{3,}", "\n\n", text)
    with open(args.doc, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
