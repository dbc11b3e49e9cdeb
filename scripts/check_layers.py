#!/usr/bin/env python3
"""Fails when an #include runs back up a layer (the table in docs/architecture.md, "Layers").

Usage: check_layers.py [SOURCE_DIR]   check the tree (exit 1 and one line per violation)
       check_layers.py --self-test    check that a back-up include in a scratch tree is caught
"""
import pathlib
import re
import sys
import tempfile

BEGIN, END = "<!-- layers:begin -->", "<!-- layers:end -->"
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)


def read_table(root):
    """(rank, layer, folders and files, headers) per row of the layers table."""
    text = (root / "docs" / "architecture.md").read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        sys.exit(f"docs/architecture.md: no layers table between {BEGIN} and {END}")
    rows = []
    for line in text.split(BEGIN, 1)[1].split(END, 1)[0].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 4 or not cells[0].isdigit():
            continue
        rows.append((int(cells[0]), cells[1], re.findall(r"`([^`]+)`", cells[2]),
                     re.findall(r"`([^`]+)`", cells[3])))
    return rows


class Layers:
    def __init__(self, rows):
        self.folders, self.files, self.headers, self.rank = {}, {}, {}, {}
        for rank, layer, places, headers in rows:
            self.rank[layer] = rank
            for place in places:
                (self.folders if place.endswith("/") else self.files)[place] = layer
            for header in headers:
                self.headers["include/relureg/" + header] = layer

    def of(self, path):
        """The layer of a repository-relative path, or None."""
        if path in self.files:
            return self.files[path]
        if path in self.headers:
            return self.headers[path]
        folder = path.rsplit("/", 1)[0] + "/"
        return self.folders.get(folder)


def resolve(root, includer, target):
    """The repository-relative path an #include "target" names, or None (a system header)."""
    for candidate in (includer.parent / target, root / "include" / target, root / "src" / target):
        if candidate.is_file():
            return candidate.relative_to(root).as_posix()
    return None


def sources(root):
    for pattern in ("src/**/*.[ch]pp", "include/**/*.hpp", "python/*.cpp"):
        yield from sorted(root.glob(pattern))


def check(root):
    layers = Layers(read_table(root))
    problems = []
    for path in sources(root):
        name = path.relative_to(root).as_posix()
        layer = layers.of(name)
        if layer is None:
            problems.append(f"{name}: in no layer (add it to the table in docs/architecture.md)")
            continue
        text = path.read_text(encoding="utf-8")
        for match in INCLUDE.finditer(text):
            target = resolve(root, path, match.group(1))
            if target is None:
                continue
            other = layers.of(target)
            line = text.count("\n", 0, match.start()) + 1
            if other is None:
                problems.append(f"{name}:{line}: includes {target}, which is in no layer")
            elif layers.rank[other] > layers.rank[layer] or (
                    layers.rank[other] == layers.rank[layer] and other != layer):
                problems.append(f"{name}:{line}: layer '{layer}' includes {match.group(1)} of "
                                f"layer '{other}', which is above it")
    return problems


def self_test(root):
    """A scratch tree with the real table: model including a kernel header must be reported."""
    with tempfile.TemporaryDirectory() as scratch:
        tree = pathlib.Path(scratch)
        (tree / "docs").mkdir()
        (tree / "docs" / "architecture.md").write_text(
            (root / "docs" / "architecture.md").read_text(encoding="utf-8"), encoding="utf-8")
        for folder in ("include/relureg", "src/model", "src/kernels", "src/stray"):
            (tree / folder).mkdir(parents=True)
        (tree / "include/relureg/kernels.hpp").write_text('#include "relureg/model.hpp"\n')
        (tree / "include/relureg/model.hpp").write_text("#pragma once\n")
        (tree / "src/kernels/k.cpp").write_text('#include "relureg/model.hpp"\n')
        (tree / "src/model/m.cpp").write_text('// x\n#include "relureg/kernels.hpp"\n')
        (tree / "src/stray/s.cpp").write_text("\n")
        found = check(tree)
        expected = [
            "src/model/m.cpp:2: layer 'model' includes relureg/kernels.hpp of layer 'kernels', "
            "which is above it",
            "src/stray/s.cpp: in no layer (add it to the table in docs/architecture.md)",
        ]
        if sorted(found) != sorted(expected):
            print("self-test: expected\n  " + "\n  ".join(expected) + "\nfound\n  " +
                  "\n  ".join(found))
            return 1
    print("self-test: a back-up include and an unassigned file are reported")
    return 0


def main():
    args = sys.argv[1:]
    here = pathlib.Path(__file__).resolve().parent.parent
    if args[:1] == ["--self-test"]:
        return self_test(pathlib.Path(args[1]) if len(args) > 1 else here)
    root = pathlib.Path(args[0]) if args else here
    problems = check(root)
    for problem in problems:
        print(problem)
    if not problems:
        print(f"layers: {sum(1 for _ in sources(root))} files, no include runs back up")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
