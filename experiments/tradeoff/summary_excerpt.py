"""Prints the sections of a `relureg tradeoff` summary.md for the given families (the README's
and docs/tradeoff.md's tables): python3 experiments/tradeoff/summary_excerpt.py SUMMARY FAMILY...

Each family's section (its heading, tables and notes) is printed as it stands, one heading level
down (#### instead of ###), in the order the families are given.
"""

import sys


def sections(text):
    """{family: its section's lines} from the "### family (opt: ...)" headings."""
    out, current = {}, None
    for line in text.splitlines():
        if line.startswith("## "):
            current = None
        elif line.startswith("### "):
            current = line[4:].split(" (")[0]
            out[current] = [line]
        elif current is not None:
            out[current].append(line)
    return out


def main(argv):
    if len(argv) < 2:
        print("usage: summary_excerpt.py SUMMARY.md FAMILY...", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as f:
        found = sections(f.read())
    missing = [name for name in argv[1:] if name not in found]
    if missing:
        print(f"{argv[0]}: no section for {', '.join(missing)} (has: {', '.join(found)})",
              file=sys.stderr)
        return 1
    for name in argv[1:]:
        lines = found[name]
        while lines and not lines[-1].strip():
            lines = lines[:-1]
        print("#" + lines[0])
        print("\n".join(lines[1:]))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
