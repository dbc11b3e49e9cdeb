"""Memory-mapped arrays (np.load(..., mmap_mode="r")) are fitted in place, without a copy."""

import tracemalloc

import numpy as np

import relureg
from relureg import _core


def address(array):
    return array.__array_interface__["data"][0]


def test_memory_mapped_arrays_are_fitted_without_a_copy(tmp_path, monkeypatch):
    X, y, _ = relureg.make_instance("label-noise", n=200_000, d=10, seed=4)
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    X_map = np.load(tmp_path / "X.npy", mmap_mode="r")
    y_map = np.load(tmp_path / "y.npy", mmap_mode="r")
    results = []
    real_fit = _core.fit
    monkeypatch.setattr(_core, "fit", lambda *args: results.append(real_fit(*args)) or results[-1])

    tracemalloc.start()
    mapped = relureg.ReLURegressor("gd", max_passes=5).fit(X_map, y_map)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # The engine read the mapped pages themselves, and nothing of the file's size was allocated.
    assert results[-1]["features_address"] == address(X_map)
    assert results[-1]["labels_address"] == address(y_map)
    assert peak < X.nbytes / 20, peak
    in_memory = relureg.ReLURegressor("gd", max_passes=5).fit(X, y)
    assert np.array_equal(mapped.coef_, in_memory.coef_)
    # The 5 descent passes, the column statistics of the intercept's preconditioning and the
    # active-fraction diagnostic; the mapped fit makes no pass the in-memory one does not.
    assert mapped.n_passes_ == in_memory.n_passes_ == 7
