"""The host a peers run measures: its CPU and vector instruction set, its memory and libraries, and
the build and environment that stand in for an AVX2-only host on it."""

import os
import platform
import subprocess
import sys

AVX2_BUILD = "x86-64-v3 (AVX2) build"
# On an AVX-512 host, the environment that makes the peers take the code paths of an AVX2-only
# host: PyTorch's kernels (ATen), OpenBLAS's (dynamic architecture) and numpy's dispatched loops.
# Debian's reference BLAS has no run-time choice. peers.py sets it; the report names it.
AVX2_PEERS = {"ATEN_CPU_CAPABILITY": "avx2", "OPENBLAS_CORETYPE": "Haswell",
              "NPY_DISABLE_CPU_FEATURES": "AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL "
                                          "AVX512_ICL"}


def cpuinfo_field(name):
    """The first value of `name` in /proc/cpuinfo, or ""."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == name:
                    return value.strip()
    except OSError:
        pass
    return ""


def vector_isa():
    """The widest vector ISA this CPU has, from its flags: AVX-512, AVX2 or no AVX2."""
    flags = cpuinfo_field("flags").split()
    return "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "no AVX2"


def cpu_kind():
    """Family, model and vector ISA, since a guest's model name may say only "AMD EPYC"."""
    isa = vector_isa()
    family, model = cpuinfo_field("cpu family"), cpuinfo_field("model")
    return f" (family {family}, model {model}, {isa})" if family else f" ({isa})"


def hypervisor_flag():
    """lscpu names no hypervisor vendor on some guests whose CPU flags still say 'hypervisor'."""
    flags = cpuinfo_field("flags").split()
    return "yes (vendor not named)" if "hypervisor" in flags else "none"


def numpy_version():
    """numpy's version, imported here: bench_only.py reads this module without numpy."""
    import numpy

    return numpy.__version__


def machine():
    """The host as the report's Machine section names it."""

    def first(cmd, default="?"):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, shell=True).stdout.strip()
        except OSError:
            return default

    info = {
        "cpu": first("lscpu | sed -n 's/^Model name: *//p'") + cpu_kind(),
        "cores": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "kernel": platform.release(),
        "hypervisor": first("lscpu | sed -n 's/^Hypervisor vendor: *//p'") or hypervisor_flag(),
        "caches": first("lscpu | grep -E '^(L2|L3) cache' | tr -s ' ' | paste -sd ';'")
        or "cache sizes not reported",
        "compiler": first("c++ --version | head -1"),
        "python": platform.python_version(),
        "numpy": numpy_version(),
        "blas": first("readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3"),
    }
    for module in ("torch", "sklearn"):
        info[module] = first(f"{sys.executable} -c 'import {module}; print({module}.__version__)'",
                             "not installed") or "not installed"
    return info
