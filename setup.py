"""Builds relureg's C++ extension and command-line tool with CMake for `pip install .`.

setuptools packages python/relureg; this file adds the two compiled pieces:

- build_ext configures and builds the CMake targets `relureg_python` (the extension
  relureg._core, for the interpreter running the build) and `relureg` (the CLI), tests,
  benchmarks and experiments off;
- build_scripts installs the CLI binary as the script `relureg` (into the environment's bin/).

Environment: RELUREG_CMAKE_BUILD_DIR reuses an already configured build tree (only the two
targets are built there); RELUREG_NATIVE=1 compiles for this CPU (-march=native, off by default
so the package runs on any x86-64); CMAKE_BUILD_PARALLEL_LEVEL sets the build jobs (default 2);
RELUREG_CMAKE_ARGS adds configure options (e.g. the compiler launcher ccache).
"""

import os
import shlex
import shutil
import subprocess
import sys
import sysconfig

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
try:
    from setuptools.command.build_scripts import build_scripts
except ImportError:  # setuptools < 67 (Debian 12's): distutils' command, through setuptools' copy
    from distutils.command.build_scripts import build_scripts

ROOT = os.path.dirname(os.path.abspath(__file__))


def cmake_build_dir(command):
    given = os.environ.get("RELUREG_CMAKE_BUILD_DIR")
    if given:
        return os.path.abspath(given), False
    return os.path.join(os.path.abspath(command.build_temp), "cmake"), True


def build_with_cmake(command):
    """Configures (unless reusing a tree) and builds the extension and the CLI; returns the dir."""
    build_dir, configure = cmake_build_dir(command)
    if getattr(command.distribution, "_relureg_built", None) == build_dir:
        return build_dir
    if configure:
        os.makedirs(build_dir, exist_ok=True)
        native = "ON" if os.environ.get("RELUREG_NATIVE") == "1" else "OFF"
        args = [
            "cmake", "-S", ROOT, "-B", build_dir,
            "-DCMAKE_BUILD_TYPE=Release",
            f"-DPython_EXECUTABLE={sys.executable}",
            f"-DRELUREG_NATIVE={native}",
            "-DRELUREG_BUILD_TESTS=OFF", "-DRELUREG_BUILD_BENCH=OFF",
            "-DRELUREG_BUILD_EXPERIMENTS=OFF", "-DRELUREG_BUILD_PYTHON=ON",
        ] + shlex.split(os.environ.get("RELUREG_CMAKE_ARGS", ""))
        subprocess.run(args, check=True)
    jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", "2")
    subprocess.run(
        ["cmake", "--build", build_dir, "-j", jobs, "--target", "relureg_python", "relureg"],
        check=True,
    )
    command.distribution._relureg_built = build_dir
    return build_dir


class CMakeBuildExt(build_ext):
    """Builds relureg._core with CMake and copies it where setuptools packages extensions."""

    def build_extension(self, ext):
        build_dir = build_with_cmake(self)
        suffix = sysconfig.get_config_var("EXT_SUFFIX")
        built = os.path.join(build_dir, "python", "relureg", "_core" + suffix)
        if not os.path.exists(built):
            raise RuntimeError(
                f"{built} was not built: the CMake tree was configured for another Python "
                f"than {sys.executable} (reconfigure it with -DPython_EXECUTABLE={sys.executable})"
            )
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(built, target)


class CMakeBuildScripts(build_scripts):
    """Installs the CMake-built `relureg` executable as the package's `relureg` command."""

    def run(self):
        build_ext_command = self.get_finalized_command("build_ext")
        build_dir = build_with_cmake(build_ext_command)
        os.makedirs(self.build_dir, exist_ok=True)
        target = os.path.join(self.build_dir, "relureg")
        shutil.copy2(os.path.join(build_dir, "relureg"), target)
        os.chmod(target, 0o755)

    def get_source_files(self):
        return []


setup(
    ext_modules=[Extension("relureg._core", sources=[])],
    cmdclass={"build_ext": CMakeBuildExt, "build_scripts": CMakeBuildScripts},
    # The CMake-built executable (see CMakeBuildScripts); named here so setuptools installs it.
    scripts=["relureg"],
)
