"""Shared fixtures for the Python tests: the relureg CLI binary built next to the module."""

import os
import subprocess
from pathlib import Path

import pytest

import relureg


@pytest.fixture(scope="session")
def relureg_binary():
    """Path of the `relureg` executable of the same build as the imported module."""
    default = Path(relureg.__file__).resolve().parents[2] / "relureg"
    path = Path(os.environ.get("RELUREG_BINARY", default))
    if not path.is_file():
        pytest.fail(f"relureg binary not found at {path} (build it, or set RELUREG_BINARY)")
    return path


@pytest.fixture
def run_cli(relureg_binary):
    """Runs `relureg ARGS...`; returns the CompletedProcess; fails the test on a bad exit code."""

    def run(*args, expect=0):
        done = subprocess.run(
            [str(relureg_binary), *map(str, args)], capture_output=True, text=True, check=False
        )
        assert done.returncode == expect, done.stderr
        return done

    return run
