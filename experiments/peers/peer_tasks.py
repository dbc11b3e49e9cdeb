"""The timed peer code (numpy, PyTorch, scikit-learn), one task per process.

Run as `python3 peer_tasks.py TASK ARGS_JSON`; prints one JSON object on stdout. Each task loads
its data from NPY first, then times only the computation (perf_counter around the loop), so
every tool is timed on data already in memory, like relureg's `fit` seconds. peers.py runs each
task in a fresh process and reads its peak memory from the kernel (wait4).
"""

import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np


def load(features, labels, dtype=np.float32):
    x = np.load(features)
    y = np.load(labels).astype(dtype)
    if x.dtype != np.float32 or not x.flags.c_contiguous:
        raise SystemExit(f"{features}: expected a C-ordered float32 array")
    return x, y


def rss_kib():
    """Current resident set size (the peak is measured by the parent)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


# ---- full-batch gradient descent on the square loss, ReLU'(0) = 1 as relureg's gd ----------
# From w = 0 with step s, every tool runs the same iteration as `relureg fit --learner gd
# --param backtrack=0 --param step=s`: w <- w - s * 2/n sum (ReLU(z) - y) 1{z >= 0} x; z = X w.
# (clamp(min=0) has derivative 1 at 0 in PyTorch; relu has 0 and would never leave w = 0.)


def gd_numpy(a):
    x, y = load(a["features"], a["labels"])
    n, d = x.shape
    step = np.float32(a["step"])

    def run(epochs):
        w = np.zeros(d, np.float32)
        loss = None
        for _ in range(epochs):
            z = x @ w
            r = np.maximum(z, 0) - y
            loss = float(np.dot(r, r)) / n
            g = x.T @ (r * (z >= 0)) * np.float32(2.0 / n)
            w -= step * g
        return loss

    return timed(run, a, rss_after_load=rss_kib())


def torch_setup(a):
    import torch

    torch.set_num_threads(a["threads"])
    x, y = load(a["features"], a["labels"])
    return torch, torch.from_numpy(x), torch.from_numpy(y)


def gd_torch_module(a):
    """What a PyTorch user writes: nn.Linear, MSELoss, optim.SGD, autograd."""
    torch, x, y = torch_setup(a)
    d = x.shape[1]

    def run(epochs):
        model = torch.nn.Linear(d, 1, bias=False)
        torch.nn.init.zeros_(model.weight)
        opt = torch.optim.SGD(model.parameters(), lr=a["step"])
        mse = torch.nn.MSELoss()
        loss = None
        for _ in range(epochs):
            opt.zero_grad()
            out = mse(torch.clamp(model(x).squeeze(1), min=0), y)
            out.backward()
            opt.step()
            loss = out.item()
        return loss

    return timed(run, a, rss_after_load=rss_kib())


def gd_torch_manual(a):
    """PyTorch's best case: two matrix-vector products per epoch, no autograd."""
    torch, x, y = torch_setup(a)
    n, d = x.shape

    def run(epochs):
        w = torch.zeros(d)
        loss = None
        with torch.no_grad():
            for _ in range(epochs):
                z = x.mv(w)
                r = torch.clamp(z, min=0) - y
                loss = float(r.dot(r)) / n
                g = x.t().mv(r * (z >= 0)) * (2.0 / n)
                w -= a["step"] * g
        return loss

    return timed(run, a, rss_after_load=rss_kib())


def timed(run, a, rss_after_load):
    """Best of `repeats` timings of `epochs` epochs, after one warm-up epoch."""
    run(1)
    best = float("inf")
    loss = None
    for _ in range(a["repeats"]):
        start = time.perf_counter()
        loss = run(a["epochs"])
        best = min(best, time.perf_counter() - start)
    return {"seconds_per_epoch": best / a["epochs"], "final_loss": loss,
            "epochs": a["epochs"], "rss_after_load_kib": rss_after_load}


# ---- time to 1.1 opt and 1.01 opt: PyTorch Adam and L-BFGS from random init, with restarts ---


class PopulationLoss:
    """Exact population loss of a ReLU through `relureg evaluate --truth` (ground truth)."""

    def __init__(self, relureg, truth, d, workdir):
        self.relureg, self.truth = relureg, truth
        self.model = os.path.join(workdir, "peer_checkpoint.json")
        self.data = os.path.join(workdir, "one_row.npy")
        np.save(self.data, np.zeros((1, d), np.float32))
        np.save(os.path.join(workdir, "one_row.labels.npy"), np.zeros(1))

    def __call__(self, w):
        with open(self.model, "w") as f:
            json.dump({"type": "relu", "w": [float(v) for v in w], "b": 0.0, "bias": False}, f)
        out = subprocess.run([self.relureg, "evaluate", "--model", self.model, self.data,
                              "--truth", self.truth], check=True, capture_output=True, text=True)
        return json.loads(out.stdout)["population_loss"]


class Tracker:
    """The iterates of a run (weights, optimiser seconds so far, epochs so far) and the first
    one whose exact population loss is <= each target. `check` looks at the newest iterate and,
    for a target it meets, goes back over the iterates since the previous check to the first
    that meets it (the checks are not timed)."""

    def __init__(self, population, targets):
        self.population, self.targets = population, targets  # {"1.1": loss, "1.01": loss}
        self.hits, self.iterates, self.restart = {}, [], 0

    def add(self, w, seconds, epochs):
        self.iterates.append((w, seconds, epochs))

    def done(self):
        return len(self.hits) == len(self.targets)

    def check(self):
        if not self.iterates:
            return
        last = self.population(self.iterates[-1][0])
        met = [k for k, v in self.targets.items() if k not in self.hits and last <= v]
        losses = {}
        for key in met:
            for i, (w, seconds, epochs) in enumerate(self.iterates):
                if i not in losses:
                    losses[i] = last if i == len(self.iterates) - 1 else self.population(w)
                if losses[i] <= self.targets[key]:
                    self.hits[key] = {"restart": self.restart, "epoch": epochs,
                                      "seconds": seconds, "population_loss": losses[i]}
                    break
        self.iterates = self.iterates[-1:]
        return last


def peer_setup(a):
    torch, x, y = torch_setup(a)
    workdir = tempfile.mkdtemp(prefix="peer_", dir=a["workdir"])
    population = PopulationLoss(a["relureg"], a["truth"], x.shape[1], workdir)
    return torch, x, y, Tracker(population, a["targets"])


def peer_result(tracker, restarts, elapsed, epochs_run, budget):
    per_epoch = elapsed / max(epochs_run, 1)
    return {"hits": tracker.hits, "restarts": restarts, "seconds_per_epoch": per_epoch,
            "seconds_total": elapsed, "epochs_run": epochs_run,
            "protocol_seconds_estimate": per_epoch * budget}


def fresh_models(torch, d, tracker, count):
    """(restart, model) for each of `count` restarts: relu(w.x) as a bias-free nn.Linear with
    PyTorch's default init, seeded by the restart's index, which the tracker records."""
    for restart in range(count):
        tracker.restart = restart
        torch.manual_seed(restart)
        yield restart, torch.nn.Linear(d, 1, bias=False)


def adam_torch(a):
    """Adam (lr with cosine decay) on the MSE of relu(w.x), PyTorch's default random init, up to
    `restarts` restarts of `epochs` full-batch epochs, run one after the other as a practitioner
    would. The clock of each target stops at the first epoch whose exact population loss is <=
    that target (checked every `eval_every` epochs, then back to the first such epoch)."""
    torch, x, y, tracker = peer_setup(a)
    elapsed, epochs_run, restarts = 0.0, 0, []
    for restart, model in fresh_models(torch, x.shape[1], tracker, a["restarts"]):
        opt = torch.optim.Adam(model.parameters(), lr=a["lr"])
        schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, a["epochs"])
        mse = torch.nn.MSELoss()
        last_loss = None
        for epoch in range(a["epochs"]):
            start = time.perf_counter()
            opt.zero_grad()
            out = mse(torch.relu(model(x).squeeze(1)), y)
            out.backward()
            opt.step()
            schedule.step()
            elapsed += time.perf_counter() - start
            epochs_run += 1
            tracker.add(model.weight.detach()[0].clone().numpy(), elapsed, epochs_run)
            last_loss = out.item()
            if (epoch + 1) % a["eval_every"] == 0 or epoch + 1 == a["epochs"]:
                tracker.check()
                if tracker.done():
                    break
        restarts.append({"restart": restart, "epochs": epoch + 1, "train_loss": last_loss,
                         "population_loss": tracker.population(model.weight.detach()[0].numpy())})
        if tracker.done():
            break
    return peer_result(tracker, restarts, elapsed, epochs_run, a["epochs"] * a["restarts"])


def lbfgs_torch(a):
    """torch.optim.LBFGS, full batch, strong-Wolfe line search (lr 1, history 10), on the MSE of
    relu(w.x) from PyTorch's default random init, with restarts. Every evaluation of the loss and
    its gradient reads the data once and counts as an epoch. step() is called with max_iter=1 so
    that every iterate can be checked; its first evaluation at the point the previous line search
    accepted is answered from a cache (not counted, not timed), so the optimiser evaluates
    exactly as one long step() call would."""
    torch, x, y, tracker = peer_setup(a)
    elapsed, epochs_run, restarts = 0.0, 0, []
    for restart, model in fresh_models(torch, x.shape[1], tracker, a["restarts"]):
        opt = torch.optim.LBFGS(model.parameters(), lr=1, max_iter=1, history_size=10,
                                tolerance_grad=0, tolerance_change=0,
                                line_search_fn="strong_wolfe")
        mse = torch.nn.MSELoss()
        seen = []  # (weights, loss, gradient) of this restart's last evaluations
        evals = 0

        def closure():
            nonlocal evals
            w = model.weight.detach()
            for point, loss, grad in reversed(seen):
                if torch.equal(point, w):
                    model.weight.grad = grad.clone()
                    return loss.clone()
            opt.zero_grad()
            out = mse(torch.relu(model(x).squeeze(1)), y)
            out.backward()
            evals += 1
            seen.append((w.clone(), out.detach().clone(), model.weight.grad.clone()))
            del seen[:-32]
            return out

        last_loss, stalled = None, 0
        while evals < a["evals"]:
            before = model.weight.detach().clone()
            start = time.perf_counter()
            last_loss = float(opt.step(closure))
            elapsed += time.perf_counter() - start
            tracker.add(model.weight.detach()[0].clone().numpy(), elapsed, epochs_run + evals)
            tracker.check()
            if tracker.done():
                break
            stalled = stalled + 1 if torch.equal(before, model.weight.detach()) else 0
            if stalled >= 2:  # no step changes w any more: a stationary point
                break
        epochs_run += evals
        restarts.append({"restart": restart, "epochs": evals, "train_loss": last_loss,
                         "population_loss": tracker.population(model.weight.detach()[0].numpy())})
        if tracker.done():
            break
    return peer_result(tracker, restarts, elapsed, epochs_run, a["evals"] * a["restarts"])


# ---- scikit-learn MLPRegressor(hidden_layer_sizes=(1,)): a sanity reference ----------------


def mlp_sklearn(a):
    """c + a*relu(w.x + b) (a different, larger class), L-BFGS, no L2 penalty (sota.md s10),
    one fit per random_state in range(restarts); the best is the one with the least training
    loss, as a practitioner would pick."""
    from sklearn.neural_network import MLPRegressor
    import warnings

    x, y = load(a["features"], a["labels"], np.float64)
    x, y = x[: a["max_rows"]], y[: a["max_rows"]]
    hx, hy = load(a["holdout"], a["holdout_labels"], np.float64)
    fits = []
    for seed in range(a["restarts"]):
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning at max_iter
            model = MLPRegressor(hidden_layer_sizes=(1,), activation="relu", solver="lbfgs",
                                 alpha=0.0, max_iter=a["max_iter"], random_state=seed).fit(x, y)
        seconds = time.perf_counter() - start
        fits.append({"seed": seed, "seconds": seconds, "iterations": int(model.n_iter_),
                     "train_loss": float(np.mean((model.predict(x) - y) ** 2)),
                     "holdout_loss": float(np.mean((model.predict(hx) - hy) ** 2))})
    best = min(fits, key=lambda f: f["train_loss"])
    return dict(best, fits=fits, seconds_total=sum(f["seconds"] for f in fits))


TASKS = {"gd_numpy": gd_numpy, "gd_torch_module": gd_torch_module,
         "gd_torch_manual": gd_torch_manual, "adam_torch": adam_torch, "lbfgs_torch": lbfgs_torch,
         "mlp_sklearn": mlp_sklearn}

if __name__ == "__main__":
    result = TASKS[sys.argv[1]](json.loads(sys.argv[2]))
    print(json.dumps(result))
