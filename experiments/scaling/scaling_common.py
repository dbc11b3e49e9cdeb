"""Shared pieces of the scaling-law commands: their command line and their outputs."""

import argparse
import json
import os


def parse_args(doc):
    """--out DIR (default docs/scaling) and --quick, with the script's docstring as help."""
    parser = argparse.ArgumentParser(
        description=doc.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(doc.splitlines()[1:]),
    )
    parser.add_argument("--out", default="docs/scaling", help="folder of the table and figure")
    parser.add_argument("--quick", action="store_true", help="a smoke run (what the tests run)")
    return parser.parse_args()


def write_outputs(out, name, markdown, data):
    """OUT/NAME.md (the table) and OUT/NAME.json (the numbers); returns OUT/NAME.png's path."""
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, name + ".md"), "w") as f:
        f.write(markdown)
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(data, f, indent=1)
    return os.path.join(out, name + ".png")


def subplots(*args, **kwargs):
    """plt.subplots(*args, **kwargs) on matplotlib's Agg back end (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(*args, **kwargs)


def label(ax, xlabel, ylabel, title, **legend):
    """The axes' labels and title, and their legend (with `legend` as its keyword arguments)."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(**legend)


def save(fig, path):
    """The figure, laid out tightly, as PATH at 110 dpi."""
    fig.tight_layout()
    fig.savefig(path, dpi=110)
