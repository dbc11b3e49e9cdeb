"""The binding's contract: no copy of float32 input, one conversion otherwise, threads, seeds,
the GIL released during fits, Ctrl-C."""

import os
import signal
import threading
import time
import tracemalloc
import warnings

import numpy as np
import pytest

import relureg
from relureg import _core


def address(array):
    return array.__array_interface__["data"][0]


@pytest.fixture
def core_fit_results(monkeypatch):
    """Records the core's result of every fit (it holds the addresses of the buffers it read)."""
    results = []
    real_fit = _core.fit

    def recording_fit(*args):
        results.append(real_fit(*args))
        return results[-1]

    monkeypatch.setattr(_core, "fit", recording_fit)
    return results


def test_engine_reads_the_callers_float32_buffer(core_fit_results):
    X, y, _ = relureg.make_instance("label-noise", n=5000, d=8, seed=1)
    assert X.dtype == np.float32 and X.flags.c_contiguous
    relureg.ReLURegressor("gd").fit(X, y)
    assert core_fit_results[-1]["features_address"] == address(X)
    assert core_fit_results[-1]["labels_address"] == address(y)


@pytest.mark.parametrize(
    "convert",
    [lambda X: X.astype(np.float64), lambda X: np.asfortranarray(X), lambda X: X[:, ::-1]],
    ids=["float64", "fortran", "strided"],
)
def test_other_layouts_are_converted_to_float32_c_order(core_fit_results, convert):
    X, y, _ = relureg.make_instance("label-noise", n=5000, d=8, seed=1)
    other = convert(X)
    model = relureg.ReLURegressor("gd").fit(other, y)
    assert core_fit_results[-1]["features_address"] != address(other)
    # the converted copy holds the same values: the fit equals the fit on float32 X
    same = relureg.ReLURegressor("gd").fit(np.ascontiguousarray(other, dtype=np.float32), y)
    assert np.array_equal(model.coef_, same.coef_)


@pytest.mark.parametrize("n_jobs, threads", [(1, 1), (2, 2), (-1, len(os.sched_getaffinity(0)))])
def test_n_jobs_sets_the_engine_threads(core_fit_results, n_jobs, threads):
    X, y, _ = relureg.make_instance("label-noise", n=1000, d=3, seed=1)
    relureg.ReLURegressor(n_jobs=n_jobs).fit(X, y)
    assert core_fit_results[-1]["threads"] == threads


def test_random_state_instances_draw_the_seed():
    X, y, _ = relureg.make_instance("label-noise", n=1000, d=3, seed=1)
    fit = lambda rs: relureg.ReLURegressor("gd", init="random", max_passes=2,  # noqa: E731
                                           random_state=rs).fit(X, y)
    first, again = fit(np.random.RandomState(5)), fit(np.random.RandomState(5))
    assert first.seed_ == again.seed_ and np.array_equal(first.coef_, again.coef_)
    assert first.seed_ == np.random.RandomState(5).randint(np.iinfo(np.int64).max, dtype=np.int64)
    assert fit(7).seed_ == 7
    # Fresh seeds from numpy: two random starts, either of which may leave the ReLU dead after two
    # passes (a DeadReLUWarning, which is not what this test is about).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", relureg.DeadReLUWarning)
        assert not np.array_equal(fit(None).coef_, fit(None).coef_)


def peak_allocation(fn):
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        fn()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def test_fit_and_predict_allocate_no_copy_of_float32_input():
    X, y, _ = relureg.make_instance("label-noise", n=200_000, d=20, seed=2)  # 16 MB of features
    model = relureg.ReLURegressor("glmtron", n_jobs=1)
    assert peak_allocation(lambda: model.fit(X, y)) < 0.05 * X.nbytes
    # predict allocates its output (n doubles) and nothing the size of X
    assert peak_allocation(lambda: model.predict(X)) < 8 * len(X) + 0.05 * X.nbytes


def test_float64_input_is_converted_once():
    X, y, _ = relureg.make_instance("label-noise", n=200_000, d=20, seed=2)
    X64 = X.astype(np.float64)
    peak = peak_allocation(lambda: relureg.ReLURegressor("glmtron", n_jobs=1).fit(X64, y))
    assert X.nbytes <= peak < 1.1 * X.nbytes  # one float32 copy, no float64 one


def test_fit_keeps_when_each_progress_report_came():
    X, y, _ = relureg.make_instance("label-noise", n=4000, d=3, seed=3)
    model = relureg.ReLURegressor("gd", tol=0, max_passes=6, backtrack=False,
                                  fit_intercept=False).fit(X, y)
    assert model.n_passes_ == 6
    # gd reports after each step, from its second pass on, as in the CLI's metrics.timeline.
    assert model.timeline_["passes"].tolist() == [2, 3, 4, 5, 6]
    seconds = model.timeline_["seconds"]
    assert seconds.shape == (5,) and seconds[0] >= 0 and np.all(np.diff(seconds) >= 0)
    assert seconds[-1] <= model.fit_seconds_ + 0.05


def test_gil_is_released_during_a_fit():
    X, y, _ = relureg.make_instance("label-noise", n=100_000, d=20, seed=3)
    model = relureg.ReLURegressor("gd", tol=0, max_passes=100, backtrack=False, n_jobs=1,
                                  fit_intercept=False)
    worker = threading.Thread(target=model.fit, args=(X, y))
    main_cpu = time.thread_time()
    worker.start()
    while worker.is_alive():  # this thread runs Python code: it needs the GIL
        pass
    main_cpu = time.thread_time() - main_cpu
    assert model.n_passes_ == 100
    # Were the GIL held during the fit, this thread would sleep in take_gil for all of the fit's
    # time in the core and get only the few milliseconds of the fit's Python part; released, it
    # gets a core of its own (or its share of a loaded machine) for the whole fit.
    assert main_cpu > 0.05 * model.fit_seconds_, (main_cpu, model.fit_seconds_)


def test_ctrl_c_stops_a_long_fit():
    X, y, _ = relureg.make_instance("label-noise", n=20_000, d=10, seed=4)
    settings = dict(learner="gd", tol=0, step=0.5, backtrack=False)
    probe = relureg.ReLURegressor(max_passes=300, **settings).fit(X, y)
    # A pass budget that takes about 20 s on this machine right now, unless interrupted.
    budget = max(1000, int(20 * 300 / probe.fit_seconds_))
    model = relureg.ReLURegressor(max_passes=budget, **settings)
    # Python keeps SIGINT ignored when it starts with it ignored (a shell's background job): give
    # it the usual KeyboardInterrupt handler for this test.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT))
    start = time.perf_counter()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt) as raised:
            model.fit(X, y)
    finally:
        timer.join()
        signal.signal(signal.SIGINT, previous)
    assert time.perf_counter() - start < 10  # stopped within a check interval (0.1 s)
    assert raised.traceback[-1].name == "_fit_core"  # raised from the core's fit
    assert not hasattr(model, "coef_")
