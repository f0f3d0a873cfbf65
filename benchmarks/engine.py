"""How fast nn_engine trains, against PyTorch, scikit-learn, plain NumPy and the machine.

Run ``python benchmarks/engine.py [--quick] [--repeats N]`` (needs the ``bench`` extra:
torch==2.13.0 and scikit-learn). Everything runs in this one process, on the same data, with
every BLAS and OpenMP pool limited to one thread (threadpoolctl) and ``torch.set_num_threads(1)``.
Contenders are timed in interleaved rounds (see ``benchmarks/common.py``) and reported as the
median and min-max over rounds; ratios are paired round by round. Sections:

1. Seconds per epoch on the article's experiment (moons 1000, noise 0.2, 10 % test,
   2-25-50-50-25-1 ReLU/sigmoid, full batch, SGD 0.01, the article's init from seed 2) for
   nn_engine, PyTorch eager and scikit-learn's MLPClassifier from the same initial weights,
   and a straightforward NumPy implementation of the article's model
   (``tests/engine/reference_math.py``, the reference of the fidelity tests).
2. The same epoch against the machine: its 15 matrix products (forward Z, dW and dA of every
   layer) timed alone, a large square product for the peak rate, the FLOP-bound limit.
3. Wall time to 0.98 test accuracy on the article's split: nn_engine's fastest settings,
   scikit-learn's default (Adam, batch 200) and a Keras-like PyTorch SGD with batch 32.
4. Scaling of the epoch time with hidden width and with the number of samples.

5. Layer health (issue 12): the per-epoch cost of the per-layer gradient and weight norms
   that ``Trainer.step_epoch`` reports, on the article's network in float64 and float32.
6. Input features (issue 14): the article's network trained on the default features (x1, x2)
   and on (x1^2, x2^2), per epoch, and the one-off cost of mapping the data (``set_data``).
7. Interrupt (issue 13): an epoch of ``step_epoch(event)``, looking at a ``threading.Event``
   before every layer forward and every product backward as the playground's worker does,
   against ``step_epoch()``.

``--quick`` takes under a minute, the full run a few minutes (about 1.5 on an idle 2-core
machine); each section prints a markdown table, and a last table compares with issue 4's
targets. ``--sections health``, ``--sections features`` and ``--sections interrupt`` run only
section 5, 6 or 7, which need neither PyTorch nor scikit-learn (``--sections speed`` runs
1-4).
"""

from __future__ import annotations  # torch's types in annotations, torch maybe not installed

import argparse
import datetime
import importlib.util
import os
import sys
import threading
import time
import warnings
from collections.abc import Callable
from contextlib import suppress
from itertools import pairwise
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script from a checkout without `pip install -e .`
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
from numpy.typing import NDArray  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

try:  # the bench extra; sections 1-4 need it, section 5 does not
    import torch
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
except ImportError:
    torch = None

from benchmarks.common import (  # noqa: E402
    Stats,
    format_machine,
    format_number,
    format_range,
    format_ratio,
    interleaved,
    machine_info,
    markdown_table,
    paired_differences,
    paired_ratios,
)
from nn_engine import Network, Trainer, datasets  # noqa: E402

# The article's experiment
N_SAMPLES, NOISE, DATA_SEED, TEST_SIZE, SPLIT_SEED = 1000, 0.2, 100, 0.1, 42
SIZES = [2, 25, 50, 50, 25, 1]
INIT_SEED = 2
LEARNING_RATE = 0.01
TARGET_ACCURACY = 0.98

PLAIN = "plain NumPy float64"  # the contender: a straightforward NumPy implementation

TORCH_DTYPES = {np.float64: "float64", np.float32: "float32"}  # names of torch's dtypes
DTYPE_NAMES = {np.float64: "float64", np.float32: "float32"}

Runner = Callable[[int], object]  # runner(n) trains n epochs


# ------------------------------------------------------------------------------ data


def article_data() -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """The article's moons and split: X_train (900, 2), X_test (100, 2), y_train, y_test."""
    X, y = datasets.moons(N_SAMPLES, noise=NOISE, seed=DATA_SEED)
    return datasets.train_test_split(X, y, test_size=TEST_SIZE, seed=SPLIT_SEED)


def load_reference_math():
    """``tests/engine/reference_math.py``, a straightforward NumPy implementation of the
    article's model, imported by path."""
    path = REPO / "tests" / "engine" / "reference_math.py"
    spec = importlib.util.spec_from_file_location("reference_math", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def epoch_flops(sizes: list[int], n_samples: int) -> int:
    """FLOPs of one full-batch epoch's matrix products: 3 per layer (Z, dW, dA), 2 m n k each."""
    return sum(3 * 2 * n_samples * n_in * n_out for n_in, n_out in pairwise(sizes))


# ------------------------------------------------------------------- epoch runners
# Each builder trains one epoch right away (a warm-up, and the loss of that first epoch shows
# that all contenders compute the same thing from the same weights) and returns a runner.


def nn_engine_runner(net: Network, X: NDArray, y: NDArray) -> tuple[Runner, float]:
    """Full-batch SGD with ``Trainer.step_epoch``, the API the app uses."""
    trainer = Trainer(net, X, y, learning_rate=LEARNING_RATE)

    def run(n: int) -> None:
        for _ in range(n):
            trainer.step_epoch()

    return run, trainer.step_epoch().loss


def torch_model(net: Network, dtype: type) -> torch.nn.Sequential:
    """An ``nn.Linear``/``nn.ReLU`` stack holding ``net``'s weights, without the final sigmoid
    (``BCEWithLogitsLoss`` applies it)."""
    layers: list[torch.nn.Module] = []
    for params, activation in zip(net.get_params(), net.activations, strict=True):
        n_out, n_in = params["W"].shape
        linear = torch.nn.Linear(n_in, n_out, dtype=getattr(torch, TORCH_DTYPES[dtype]))
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(params["W"]))
            linear.bias.copy_(torch.from_numpy(params["b"]))
        layers.append(linear)
        if activation == "relu":
            layers.append(torch.nn.ReLU())
        else:
            assert activation == "sigmoid", activation  # only the output layer
    return torch.nn.Sequential(*layers)


def torch_runner(net: Network, X: NDArray, y: NDArray, dtype: type) -> tuple[Runner, float]:
    """PyTorch eager, the standard zero_grad / forward / backward / step loop."""
    model = torch_model(net, dtype)
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    X_t = torch.from_numpy(X.astype(dtype))
    y_t = torch.from_numpy(y.astype(dtype)[:, None])

    def epoch() -> torch.Tensor:
        optimizer.zero_grad()
        loss = loss_fn(model(X_t), y_t)
        loss.backward()
        optimizer.step()
        return loss

    def run(n: int) -> None:
        for _ in range(n):
            epoch()

    return run, epoch().item()


def sklearn_runner(net: Network, X: NDArray, y: NDArray) -> tuple[Runner, float]:
    """MLPClassifier with plain full-batch SGD, one ``partial_fit`` per epoch, float64."""
    model = MLPClassifier(
        hidden_layer_sizes=tuple(net.sizes[1:-1]),
        activation="relu",
        solver="sgd",
        batch_size=len(X),
        momentum=0.0,
        learning_rate_init=LEARNING_RATE,
        alpha=0.0,
        shuffle=False,
    )
    model.partial_fit(X, y, classes=[0, 1])  # creates the weights; then ours replace them
    for index, params in enumerate(net.get_params()):
        model.coefs_[index][...] = params["W"].T  # in place: the optimizer holds these arrays
        model.intercepts_[index][...] = params["b"]

    def run(n: int) -> None:
        for _ in range(n):
            model.partial_fit(X, y)

    model.partial_fit(X, y)
    return run, float(model.loss_)


def plain_numpy_runner(X: NDArray, y: NDArray) -> tuple[Runner, float]:
    """A straightforward NumPy implementation of the article's model, one epoch as the article
    trains: forward, cost, accuracy, backward, update (samples as columns)."""
    ref = load_reference_math()
    activations = ref.ACTIVATIONS
    X_cols, Y_row = np.ascontiguousarray(X.T), y.astype(np.float64)[None, :]
    layers = ref.initial_layers(SIZES, INIT_SEED)

    def epoch() -> float:
        nonlocal layers
        inputs, pre = ref.forward(layers, activations, X_cols)
        cost = ref.cost(inputs[-1], Y_row)
        ref.accuracy(inputs[-1], Y_row)
        grads = ref.gradients(layers, activations, inputs, pre, Y_row)
        layers = ref.descend(layers, grads, LEARNING_RATE)
        return cost

    def run(n: int) -> None:
        for _ in range(n):
            epoch()

    return run, epoch()


def gemm_epoch_runner(sizes: list[int], n_samples: int, dtype: type, samples_as: str) -> Runner:
    """The 15 matrix products of one epoch alone (forward Z, dW and dA of every layer) into
    preallocated outputs, with samples as rows (nn_engine: ``Z = A W^T``, ``dW = dZ^T A``,
    ``dA = dZ W``) or as columns (the article: ``Z = W A``, ``dW = dZ A^T``, ``dA = W^T dZ``)."""
    assert samples_as in ("rows", "columns"), samples_as
    rng = np.random.default_rng(0)
    products = []
    for n_in, n_out in pairwise(sizes):
        W = rng.standard_normal((n_out, n_in)).astype(dtype)
        if samples_as == "rows":
            A = rng.standard_normal((n_samples, n_in)).astype(dtype)
            dZ = rng.standard_normal((n_samples, n_out)).astype(dtype)
            products += [(A, W.T), (dZ.T, A), (dZ, W)]
        else:
            A = rng.standard_normal((n_in, n_samples)).astype(dtype)
            dZ = rng.standard_normal((n_out, n_samples)).astype(dtype)
            products += [(W, A), (dZ, A.T), (W.T, dZ)]
    products = [(a, b, np.empty((a.shape[0], b.shape[1]), dtype)) for a, b in products]

    def run(n: int) -> None:
        for _ in range(n):
            for a, b, out in products:
                np.matmul(a, b, out=out)

    return run


def torch_gemm_epoch_runner(sizes: list[int], n_samples: int, dtype: type) -> Runner:
    """The same 15 products with ``torch.mm`` (PyTorch's BLAS, MKL on x86), samples as rows."""
    generator = torch.Generator().manual_seed(0)
    kind = getattr(torch, TORCH_DTYPES[dtype])
    products = []
    for n_in, n_out in pairwise(sizes):
        A = torch.randn(n_samples, n_in, dtype=kind, generator=generator)
        W = torch.randn(n_out, n_in, dtype=kind, generator=generator)
        dZ = torch.randn(n_samples, n_out, dtype=kind, generator=generator)
        products += [(A, W.t()), (dZ.t(), A), (dZ, W)]
    products = [(a, b, torch.empty(a.shape[0], b.shape[1], dtype=kind)) for a, b in products]

    def run(n: int) -> None:
        for _ in range(n):
            for a, b, out in products:
                torch.mm(a, b, out=out)

    return run


def square_gemm_runner(size: int, dtype: type) -> Runner:
    """One ``size`` x ``size`` x ``size`` product: the single-core peak rate."""
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((size, size)).astype(dtype) for _ in range(2))
    c = np.empty_like(a)

    def run(n: int) -> None:
        for _ in range(n):
            np.matmul(a, b, out=c)

    return run


# ------------------------------------------------------------------------ sections


def per_epoch_section(args: argparse.Namespace, data: tuple) -> dict[str, Stats]:
    """Sections 1 and 2: every epoch contender and the GEMM measurements, interleaved."""
    X_train, _, y_train, _ = data
    n = len(X_train)
    contenders: dict[str, Runner] = {}
    first_loss: dict[str, float] = {}
    for dtype in (np.float64, np.float32):
        name = DTYPE_NAMES[dtype]
        net = Network.from_sizes(SIZES, init="seed", seed=INIT_SEED, dtype=dtype)
        torch_run, first_loss[f"PyTorch {name}"] = torch_runner(net, X_train, y_train, dtype)
        nn_run, first_loss[f"nn_engine {name}"] = nn_engine_runner(net, X_train, y_train)
        contenders[f"nn_engine {name}"] = nn_run
        contenders[f"PyTorch {name}"] = torch_run
    net64 = Network.from_sizes(SIZES, init="seed", seed=INIT_SEED)
    contenders["scikit-learn float64"], first_loss["scikit-learn float64"] = sklearn_runner(
        net64, X_train, y_train
    )
    contenders[PLAIN], first_loss[PLAIN] = plain_numpy_runner(X_train, y_train)
    for dtype in (np.float64, np.float32):
        name = DTYPE_NAMES[dtype]
        contenders[f"15 GEMMs {name}"] = gemm_epoch_runner(SIZES, n, dtype, "rows")
        contenders[f"15 GEMMs columns {name}"] = gemm_epoch_runner(SIZES, n, dtype, "columns")
        contenders[f"15 GEMMs torch {name}"] = torch_gemm_epoch_runner(SIZES, n, dtype)
        contenders[f"square GEMM {name}"] = square_gemm_runner(args.square, dtype)

    results = interleaved(contenders, args.repeats, block_seconds=args.block)

    print("## 1. Seconds per epoch: the article's experiment\n")
    print(
        f"{n} training samples, {'-'.join(map(str, SIZES))} ReLU/sigmoid, full batch, "
        f"SGD lr {LEARNING_RATE}, the article's init (seed {INIT_SEED}); plain NumPy is a "
        "straightforward NumPy implementation of the article's model. Median (min–max) over "
        f"{args.repeats} interleaved rounds; ratios are per round, then median (min–max).\n"
    )
    rows = []
    training = [name for name in contenders if "GEMM" not in name]
    for name in training:
        dtype = name.split()[-1]
        torch_name = f"PyTorch {dtype}"
        vs_torch = paired_ratios(results[name], results[torch_name])
        vs_plain = paired_ratios(results[name], results[PLAIN])
        rows.append(
            [
                name,
                format_range(results[name], "ms"),
                f"{first_loss[name]:.6f}",
                format_ratio(vs_torch) if name != torch_name else "1",
                format_ratio(vs_plain),
            ]
        )
    headers = ["contender", "per epoch", "loss of epoch 1", "÷ PyTorch same dtype", "÷ plain NumPy"]
    print(markdown_table(headers, rows))
    print()
    for dtype in ("float64", "float32"):
        ratio = paired_ratios(results[f"nn_engine {dtype}"], results[f"PyTorch {dtype}"])
        print(f"- nn_engine / PyTorch eager, {dtype}: {format_ratio(ratio)} (target <= 0.5)")
    print()
    return results


def flops_section(args: argparse.Namespace, results: dict[str, Stats], n_samples: int) -> dict:
    """Section 2: the epoch against the machine's GEMM rate measured in the same rounds."""
    flops = epoch_flops(SIZES, n_samples)
    square_flops = 2 * args.square**3
    print("## 2. Against the machine: GEMM rate and the FLOP-bound limit\n")
    print(
        f"One epoch's matrix products: forward Z, dW and dA for each of {len(SIZES) - 1} layers "
        f"= 15 GEMMs, {flops / 1e6:.2f} MFLOP (2 m n k each, m = {n_samples}). "
        f"Peak: a {args.square}x{args.square}x{args.square} GEMM. FLOP-bound limit = epoch "
        "FLOPs / peak rate, per round. The 15 GEMMs alone, timed on their real shapes, are the "
        "real floor: with numpy's OpenBLAS, samples as rows (nn_engine's layout) or as columns "
        "(the article's), and with torch.mm (PyTorch's BLAS). Measured in the same interleaved "
        "rounds as section 1; ratios per round, then median (min–max).\n"
    )
    limits: dict[str, Stats] = {}
    cells: dict[str, list[str]] = {}
    for dtype in ("float64", "float32"):
        square = results[f"square GEMM {dtype}"]
        limit = limits[dtype] = square.scaled(flops / square_flops)  # flops / peak, per round
        engine, pytorch = results[f"nn_engine {dtype}"], results[f"PyTorch {dtype}"]
        numpy_gemms = results[f"15 GEMMs {dtype}"]
        torch_gemms = results[f"15 GEMMs torch {dtype}"]
        rows = [
            ("peak GEMM rate, GFLOP/s", format_range(square.inverse(square_flops), scale=1e-9)),
            ("FLOP-bound limit per epoch", format_range(limit, "ms")),
        ]
        floors = (
            ("numpy, samples as rows", f"15 GEMMs {dtype}"),
            ("numpy, samples as columns", f"15 GEMMs columns {dtype}"),
            ("torch.mm, samples as rows", f"15 GEMMs torch {dtype}"),
        )
        for layout, key in floors:
            gemms = results[key]
            rows += [
                (f"15 GEMMs alone, {layout}", format_range(gemms, "ms")),
                (f"... GFLOP/s ({layout})", format_range(gemms.inverse(flops), scale=1e-9)),
                (f"... ÷ FLOP-bound limit ({layout})", format_ratio(paired_ratios(gemms, limit))),
            ]
        rows += [
            ("nn_engine per epoch", format_range(engine, "ms")),
            ("nn_engine achieved GFLOP/s", format_range(engine.inverse(flops), scale=1e-9)),
            ("nn_engine ÷ FLOP-bound limit", format_ratio(paired_ratios(engine, limit))),
            (
                "nn_engine ÷ its 15 GEMMs (numpy, rows)",
                format_ratio(paired_ratios(engine, numpy_gemms)),
            ),
            (
                "nn_engine outside GEMMs (− numpy rows)",
                format_range(paired_differences(engine, numpy_gemms), "ms"),
            ),
            ("PyTorch per epoch", format_range(pytorch, "ms")),
            ("PyTorch ÷ FLOP-bound limit", format_ratio(paired_ratios(pytorch, limit))),
            (
                "PyTorch ÷ its 15 GEMMs (torch.mm)",
                format_ratio(paired_ratios(pytorch, torch_gemms)),
            ),
            (
                "PyTorch outside GEMMs (− torch.mm)",
                format_range(paired_differences(pytorch, torch_gemms), "ms"),
            ),
        ]
        for label, text in rows:
            cells.setdefault(label, []).append(text)
    headers = ["quantity", "float64", "float32"]
    print(markdown_table(headers, [[label, *values] for label, values in cells.items()]))
    print()
    ratio = paired_ratios(results["nn_engine float64"], limits["float64"])
    print(f"- nn_engine float64 ÷ FLOP-bound limit: {format_ratio(ratio)} (target <= 2)\n")
    return limits


def time_to_accuracy_runs(data: tuple) -> dict[str, Callable[[int, int], tuple[int | None, float]]]:
    """Contenders for section 3: ``run(seed, max_epochs) -> (epochs to target or None, s)``.

    Each run starts the clock before building its model and checks the test accuracy after
    every epoch (that check is inside the timed loop, for all alike).
    """
    X_train, X_test, y_train, y_test = data

    def nn_engine_run(optimizer: str, learning_rate: float, batch_size: int | None):
        def run(seed: int, max_epochs: int) -> tuple[int | None, float]:
            start = time.perf_counter()
            net = Network.from_sizes(SIZES, init="he", seed=seed)
            trainer = Trainer(
                net, X_train, y_train, learning_rate=learning_rate, optimizer=optimizer,
                batch_size=batch_size, seed=seed, validation_data=(X_test, y_test),
            )  # fmt: skip
            for epoch in range(1, max_epochs + 1):
                if trainer.step_epoch().val_accuracy >= TARGET_ACCURACY:
                    return epoch, time.perf_counter() - start
            return None, time.perf_counter() - start

        return run

    def sklearn_default(seed: int, max_epochs: int) -> tuple[int | None, float]:
        start = time.perf_counter()
        model = MLPClassifier(hidden_layer_sizes=tuple(SIZES[1:-1]), random_state=seed)
        for epoch in range(1, max_epochs + 1):
            model.partial_fit(X_train, y_train, classes=[0, 1])
            if np.mean(model.predict(X_test) == y_test) >= TARGET_ACCURACY:
                return epoch, time.perf_counter() - start
        return None, time.perf_counter() - start

    def torch_keras_like(seed: int, max_epochs: int) -> tuple[int | None, float]:
        # Keras defaults: Glorot-uniform weights, zero biases, reshuffle every epoch
        start = time.perf_counter()
        generator = torch.Generator().manual_seed(seed)
        torch.manual_seed(seed)
        layers: list[torch.nn.Module] = []
        for n_in, n_out in pairwise(SIZES):
            linear = torch.nn.Linear(n_in, n_out, dtype=torch.float64)
            torch.nn.init.xavier_uniform_(linear.weight)
            torch.nn.init.zeros_(linear.bias)
            layers += [linear, torch.nn.ReLU()]
        model = torch.nn.Sequential(*layers[:-1])
        optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
        loss_fn = torch.nn.BCEWithLogitsLoss()
        X_t, X_v = torch.from_numpy(X_train), torch.from_numpy(X_test)
        y_t, y_v = torch.from_numpy(y_train.astype(np.float64)[:, None]), torch.from_numpy(y_test)
        for epoch in range(1, max_epochs + 1):
            order = torch.randperm(len(X_t), generator=generator)
            for first in range(0, len(X_t), 32):
                batch = order[first : first + 32]
                optimizer.zero_grad()
                loss_fn(model(X_t[batch]), y_t[batch]).backward()
                optimizer.step()
            with torch.no_grad():
                accuracy = ((model(X_v)[:, 0] > 0).long() == y_v).double().mean().item()
            if accuracy >= TARGET_ACCURACY:
                return epoch, time.perf_counter() - start
        return None, time.perf_counter() - start

    return {
        "nn_engine Adam lr 0.01, full batch": nn_engine_run("adam", 0.01, None),
        "nn_engine Adam lr 0.02, full batch": nn_engine_run("adam", 0.02, None),
        "nn_engine Adam lr 0.03, full batch": nn_engine_run("adam", 0.03, None),
        "nn_engine Adam lr 0.01, batch 32": nn_engine_run("adam", 0.01, 32),
        "nn_engine Adam lr 0.01, batch 64": nn_engine_run("adam", 0.01, 64),
        "nn_engine Adam lr 0.01, batch 128": nn_engine_run("adam", 0.01, 128),
        "scikit-learn default (Adam lr 0.001, batch 200)": sklearn_default,
        "PyTorch Keras-like SGD lr 0.01, batch 32": torch_keras_like,
    }


def accuracy_section(args: argparse.Namespace, data: tuple) -> dict[str, float | None]:
    """Section 3: wall time and epochs to 0.98 test accuracy, over several seeds."""
    runs = time_to_accuracy_runs(data)
    if args.quick:
        keep = ("Adam lr 0.03, full batch", "Adam lr 0.01, batch 32", "scikit", "PyTorch")
        runs = {name: run for name, run in runs.items() if any(k in name for k in keep)}
    max_epochs = {
        name: args.max_epochs_sgd if "SGD" in name else 200 if "scikit" in name else 1000
        for name in runs
    }
    names = list(runs)
    outcomes: dict[str, list[tuple[int | None, float]]] = {name: [] for name in names}
    for seed in range(args.seeds):  # interleaved: every contender once per seed, rotating
        shift = seed % len(names)
        for name in names[shift:] + names[:shift]:
            outcomes[name].append(runs[name](seed, max_epochs[name]))

    seeds = f"Seeds 0–{args.seeds - 1}" if args.seeds > 1 else "Seed 0"
    print(f"## 3. Time to {TARGET_ACCURACY} test accuracy on the article's split\n")
    print(
        f"{seeds} (network init and shuffling); test accuracy checked after "
        "every epoch, inside the timed loop; the clock starts before the model is built. "
        "nn_engine uses He init and float64; scikit-learn is MLPClassifier with the article's "
        "hidden sizes and every other setting at its default, one partial_fit per epoch.\n"
    )
    rows, best = [], {}
    for name in names:
        reached = [(e, t) for e, t in outcomes[name] if e is not None]
        label = f"{len(reached)}/{args.seeds}"
        if reached:
            epochs = Stats(tuple(float(e) for e, _ in reached))
            seconds = Stats(tuple(t for _, t in reached))
            best[name] = seconds.median if len(reached) == args.seeds else None
            epoch_text = f"{epochs.median:g} ({epochs.minimum:g}–{epochs.maximum:g})"
            rows.append([name, label, epoch_text, format_range(seconds, "s")])
        else:
            best[name] = None
            rows.append([name, label, f"not reached in {max_epochs[name]} epochs", "—"])
    headers = ["contender", "reached", "epochs", "wall time"]
    print(markdown_table(headers, rows))
    print()
    engine = {k: v for k, v in best.items() if k.startswith("nn_engine") and v is not None}
    sklearn_time = next(v for k, v in best.items() if k.startswith("scikit"))
    if engine and sklearn_time:
        fastest = min(engine, key=engine.get)
        print(
            f"- fastest nn_engine: {fastest}, {format_number(engine[fastest])} s = "
            f"{format_number(engine[fastest] / sklearn_time)}x scikit-learn's default "
            "(target <= 1)\n"
        )
    return best


def scaling_section(args: argparse.Namespace) -> None:
    """Section 4: per-epoch time against hidden width and against the number of samples."""
    print("## 4. Scaling of the per-epoch time\n")
    print(
        f"Full-batch SGD epochs on moons (noise {NOISE}, seed {DATA_SEED}, all points for "
        f"training), the article's init; median (min–max) over {args.scaling_repeats} "
        "interleaved rounds per row; FLOPs as in section 2.\n"
    )

    def row_results(sizes: list[int], n_samples: int) -> dict[str, Stats]:
        X, y = datasets.moons(n_samples, noise=NOISE, seed=DATA_SEED)
        contenders = {}
        for dtype in (np.float64, np.float32):
            net = Network.from_sizes(sizes, init="seed", seed=INIT_SEED, dtype=dtype)
            if dtype is np.float64:  # before nn_engine's warm-up epoch changes the weights
                contenders["PyTorch float64"] = torch_runner(net, X, y, dtype)[0]
            contenders[f"nn_engine {DTYPE_NAMES[dtype]}"] = nn_engine_runner(net, X, y)[0]
        return interleaved(contenders, args.scaling_repeats, block_seconds=args.block)

    def table(label: str, cases: list[tuple[str, list[int], int]]) -> None:
        rows = []
        for text, sizes, n_samples in cases:
            results = row_results(sizes, n_samples)
            flops = epoch_flops(sizes, n_samples)
            ratio = paired_ratios(results["nn_engine float64"], results["PyTorch float64"])
            rows.append(
                [
                    text,
                    format_number(flops / 1e6),
                    format_range(results["nn_engine float64"], "ms"),
                    format_range(results["nn_engine float32"], "ms"),
                    format_range(results["PyTorch float64"], "ms"),
                    format_ratio(ratio.median),
                    format_number(flops / results["nn_engine float64"].median / 1e9),
                ]
            )
        headers = [
            label,
            "MFLOP",
            "nn_engine float64",
            "nn_engine float32",
            "PyTorch float64",
            "nn64 ÷ torch64",
            "nn64 GFLOP/s",
        ]
        print(markdown_table(headers, rows))
        print()

    widths = [8, 16, 32, 64, 128, 256, 512]
    print("Hidden width w, network 2-w-w-1, 900 samples:\n")
    table("width", [(str(w), [2, w, w, 1], 900) for w in widths])
    print(f"Samples n, network {'-'.join(map(str, SIZES))}:\n")
    table("samples", [(f"{n:,}", SIZES, n) for n in (100, 1_000, 10_000, 100_000)])


def targets_summary(per_epoch: dict[str, Stats], limits: dict[str, Stats], best: dict) -> None:
    """The issue's targets: measured as the median of paired ratios and, as an estimate for an
    idle machine, as the ratio of the two fastest rounds."""
    print("## Targets (issue 4)\n")
    rows = []

    def add(target: str, goal: float, numerator: Stats | float, denominator: Stats | float):
        if isinstance(numerator, Stats):
            ratio = paired_ratios(numerator, denominator)
            fastest = format_ratio(numerator.minimum / denominator.minimum)
            measured, value = format_ratio(ratio), ratio.median
        else:
            measured, value, fastest = (
                format_ratio(numerator / denominator),
                numerator / denominator,
                "—",
            )
        met = "yes" if value <= goal else "no"
        rows.append([target, f"<= {goal:g}", measured, fastest, met])

    for dtype in ("float64", "float32"):
        add(
            f"nn_engine ÷ PyTorch eager, {dtype}",
            0.5,
            per_epoch[f"nn_engine {dtype}"],
            per_epoch[f"PyTorch {dtype}"],
        )
    add(
        "nn_engine float64 ÷ FLOP-bound limit", 2, per_epoch["nn_engine float64"], limits["float64"]
    )
    engine = [v for k, v in best.items() if k.startswith("nn_engine") and v is not None]
    sklearn_time = next(v for k, v in best.items() if k.startswith("scikit"))
    if engine and sklearn_time:
        add("time to 0.98: fastest nn_engine ÷ scikit-learn", 1, min(engine), sklearn_time)
    else:
        rows.append(["time to 0.98: fastest nn_engine ÷ scikit-learn", "<= 1", "n/a", "—", "?"])
    headers = ["target", "goal", "measured: median (min–max)", "fastest rounds", "met (median)"]
    print(markdown_table(headers, rows))
    print()


class _TrainerWithoutNorms(Trainer):
    """A Trainer whose epochs skip the per-layer norms: the baseline of section 5."""

    def _square_gradient(self) -> None:
        pass

    def _layer_norms(self) -> tuple[tuple[float, ...], tuple[float, ...]]:
        return (), ()


class _TrainerTimingNorms(Trainer):
    """A Trainer that adds up the time its epochs spend on the per-layer norms."""

    seconds = 0.0

    def _square_gradient(self) -> None:
        start = time.perf_counter()
        super()._square_gradient()
        self.seconds += time.perf_counter() - start

    def _layer_norms(self) -> tuple[tuple[float, ...], tuple[float, ...]]:
        start = time.perf_counter()
        norms = super()._layer_norms()
        self.seconds += time.perf_counter() - start
        return norms


def layer_health_section(args: argparse.Namespace, data: tuple) -> dict[str, float]:
    """Section 5: what the per-layer gradient and weight norms add to an epoch.

    Two contenders per dtype in the same interleaved rounds: ``step_epoch`` with the norms and
    without them (a Trainer whose norm method does nothing). The cost is measured two ways,
    per round: the time spent inside the norm computations of real epochs (timed in place, so
    with the caches as an epoch leaves them, about twice the time of the same computation
    repeated alone) over the epoch without norms; and the ratio of the two epoch times, which
    includes everything but drowns a 1 % difference in the noise of a shared machine.
    Returns the median in-place cost in percent per dtype.
    """
    X_train, _, y_train, _ = data
    contenders: dict[str, Runner] = {}
    timed: dict[str, tuple[_TrainerTimingNorms, list[float]]] = {}
    for dtype in (np.float64, np.float32):
        name = DTYPE_NAMES[dtype]
        net = Network.from_sizes(SIZES, init="seed", seed=INIT_SEED, dtype=dtype)
        trainer = _TrainerTimingNorms(net, X_train, y_train, learning_rate=LEARNING_RATE)
        per_block: list[float] = []  # seconds in the norms per epoch, one entry per block
        timed[name] = (trainer, per_block)

        def with_norms(n: int, trainer=trainer, per_block=per_block) -> None:
            before = trainer.seconds
            for _ in range(n):
                trainer.step_epoch()
            per_block.append((trainer.seconds - before) / n)

        contenders[f"with norms {name}"] = with_norms
        net = Network.from_sizes(SIZES, init="seed", seed=INIT_SEED, dtype=dtype)
        baseline = _TrainerWithoutNorms(net, X_train, y_train, learning_rate=LEARNING_RATE)
        contenders[f"without norms {name}"] = lambda n, t=baseline: [
            t.step_epoch() for _ in range(n)
        ]
    results = interleaved(contenders, args.repeats, block_seconds=args.block)

    print("## 5. Layer health: the cost of the per-layer norms\n")
    print(
        f"`Trainer.step_epoch()` on the article's network ({'-'.join(map(str, SIZES))}, "
        f"{len(X_train)} points, full batch, SGD) reports each layer's gradient and weight "
        "norm. *In place*: the time spent computing them inside real epochs, over the epoch "
        "without them; *with ÷ without − 1*: the ratio of the two epoch times (noisier). "
        f"Median (min–max) over {args.repeats} interleaved rounds, percentages per round. "
        "Issue 12's target: under 3 % of an epoch.\n"
    )
    rows, cost = [], {}
    for dtype in ("float64", "float32"):
        with_norms = results[f"with norms {dtype}"]
        without = results[f"without norms {dtype}"]
        in_place = Stats(tuple(timed[dtype][1][-args.repeats :]))
        share = paired_ratios(in_place, without).scaled(100)
        difference = paired_ratios(with_norms, without).scaled(100)
        cost[dtype] = share.median
        rows.append(
            [
                dtype,
                format_range(with_norms, "ms"),
                format_range(without, "ms"),
                format_range(in_place, "µs"),
                format_range(share) + " %",
                format_range(Stats(tuple(v - 100 for v in difference.samples))) + " %",
            ]
        )
    headers = [
        "dtype",
        "epoch with norms",
        "epoch without",
        "norms in place",
        "in place ÷ epoch",
        "with ÷ without − 1",
    ]
    print(markdown_table(headers, rows))
    print()
    for dtype, value in cost.items():
        print(f"- norms, {dtype}: {format_number(value)} % of an epoch (target < 3 %)")
    print()
    return cost


def features_section(args: argparse.Namespace, data: tuple) -> None:
    """Section 6: training on input features costs nothing per epoch.

    The trainer maps the points to features once per data set (``set_data``), so an epoch on
    (x1^2, x2^2) runs the same products as one on (x1, x2); for the default features the
    mapping is the points themselves.
    """
    X_train, _, y_train, _ = data
    features = {"x1, x2": ("x1", "x2"), "x1^2, x2^2": ("x1^2", "x2^2")}
    contenders: dict[str, Runner] = {}
    for dtype in (np.float64, np.float32):
        for label, names in features.items():
            net = Network.from_sizes(
                SIZES, init="seed", seed=INIT_SEED, dtype=dtype, features=names
            )
            trainer = Trainer(net, X_train, y_train, learning_rate=LEARNING_RATE)
            contenders[f"epoch {label} {DTYPE_NAMES[dtype]}"] = lambda n, t=trainer: [
                t.step_epoch() for _ in range(n)
            ]
            # a trainer of its own: new data make the next epoch copy them in
            other = Trainer(net.copy(), X_train, y_train, learning_rate=LEARNING_RATE)
            contenders[f"set_data {label} {DTYPE_NAMES[dtype]}"] = lambda n, t=other: [
                t.set_data(X_train, y_train) for _ in range(n)
            ]
    results = interleaved(contenders, args.repeats, block_seconds=args.block)

    print("## 6. Input features: training on (x1^2, x2^2) against (x1, x2)\n")
    print(
        f"The article's network ({'-'.join(map(str, SIZES))}, {len(X_train)} points, full "
        "batch, SGD) on the points' own coordinates and on their squares. Median (min–max) "
        f"over {args.repeats} interleaved rounds; the ratio is per round.\n"
    )
    rows = []
    for dtype in ("float64", "float32"):
        plain, squares = (results[f"epoch {label} {dtype}"] for label in features)
        rows.append(
            [
                dtype,
                format_range(plain, "ms"),
                format_range(squares, "ms"),
                format_ratio(paired_ratios(squares, plain)),
                format_range(results[f"set_data x1, x2 {dtype}"], "µs"),
                format_range(results[f"set_data x1^2, x2^2 {dtype}"], "µs"),
            ]
        )
    headers = [
        "dtype",
        "epoch on x1, x2",
        "epoch on x1^2, x2^2",
        "÷ x1, x2",
        "set_data x1, x2",
        "set_data x1^2, x2^2",
    ]
    print(markdown_table(headers, rows))
    print()


def interrupt_section(args: argparse.Namespace, data: tuple) -> None:
    """Section 7: what looking at an interrupt before every layer adds to an epoch.

    Two trainers per dtype from the same initial weights, in the same interleaved rounds:
    ``step_epoch()`` and ``step_epoch(event)`` with a ``threading.Event`` that is never set
    (the playground's worker passes one: its mailbox's urgent-command flag).
    """
    X_train, _, y_train, _ = data
    contenders: dict[str, Runner] = {}
    for dtype in (np.float64, np.float32):
        name = DTYPE_NAMES[dtype]
        event = threading.Event()
        for label, interrupt in (("without", None), ("with", event)):
            net = Network.from_sizes(SIZES, init="seed", seed=INIT_SEED, dtype=dtype)
            trainer = Trainer(net, X_train, y_train, learning_rate=LEARNING_RATE)
            contenders[f"{label} {name}"] = lambda n, t=trainer, i=interrupt: [
                t.step_epoch(i) for _ in range(n)
            ]
    results = interleaved(contenders, args.repeats, block_seconds=args.block)

    n_checks = 3 * (len(SIZES) - 1) - 1  # each layer forward, each product backward
    print("## 7. Interrupt: the cost of looking at it before every layer\n")
    print(
        f"The article's network ({'-'.join(map(str, SIZES))}, {len(X_train)} points, full "
        f"batch, SGD): `step_epoch(event)` looks at a `threading.Event` {n_checks} times per "
        "epoch (before each layer forward and each matrix product backward), "
        f"`step_epoch()` does not. Median (min–max) over {args.repeats} interleaved rounds; "
        "the ratio is per round.\n"
    )
    rows = []
    for dtype in ("float64", "float32"):
        without, with_event = results[f"without {dtype}"], results[f"with {dtype}"]
        rows.append(
            [
                dtype,
                format_range(without, "ms"),
                format_range(with_event, "ms"),
                format_ratio(paired_ratios(with_event, without)),
            ]
        )
    headers = ["dtype", "step_epoch()", "step_epoch(event)", "with ÷ without"]
    print(markdown_table(headers, rows))
    print()


# ---------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="about a minute instead of ten")
    parser.add_argument(
        "--repeats", type=int, help="interleaved rounds in sections 1-2 (default 151, quick 15)"
    )
    parser.add_argument(
        "--sections",
        choices=["all", "speed", "health", "features", "interrupt"],
        default="all",
        help="speed: sections 1-4 and the targets (needs the bench extra); health: section 5; "
        "features: section 6; interrupt: section 7; all: every section (default)",
    )
    args = parser.parse_args(argv)
    if args.repeats is not None and args.repeats < 1:
        parser.error(f"--repeats must be >= 1, got {args.repeats}.")
    if args.sections in ("all", "speed") and torch is None:
        parser.error(
            "sections 1-4 need the bench extra (pip install -e '.[bench]': torch==2.13.0 and "
            "scikit-learn); --sections health or features runs without it."
        )
    # short blocks and many rounds: the contenders of a round run within a fraction of a
    # second of each other, so paired ratios see the same load from the other processes
    if args.quick:
        defaults = {"repeats": 15, "block": 0.01, "square": 512, "seeds": 1}
        defaults.update({"scaling_repeats": 5, "max_epochs_sgd": 150})
    else:
        defaults = {"repeats": 151, "block": 0.02, "square": 1024, "seeds": 10}
        defaults.update({"scaling_repeats": 15, "max_epochs_sgd": 300})
    for key, value in defaults.items():
        if getattr(args, key, None) is None:
            setattr(args, key, value)
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    speed = args.sections in ("all", "speed")
    if speed:
        torch.set_num_threads(1)
        with suppress(RuntimeError):  # only allowed before torch's first parallel work
            torch.set_num_interop_threads(1)
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
    started = time.perf_counter()
    command = " ".join(
        ["python benchmarks/engine.py", *(argv if argv is not None else sys.argv[1:])]
    )
    with threadpool_limits(limits=1):
        print("# nn_engine speed benchmark\n")
        print(f"`{command}`, {datetime.datetime.now():%Y-%m-%d %H:%M}\n")
        info = machine_info()
        if speed:
            torch_blas = "MKL" if torch.backends.mkl.is_available() else "not MKL"
            info["PyTorch"] = f"{torch.get_num_threads()} thread, BLAS {torch_blas}"
        print(format_machine(info))
        print()
        data = article_data()
        if speed:
            per_epoch = per_epoch_section(args, data)
            limits = flops_section(args, per_epoch, len(data[0]))
            best = accuracy_section(args, data)
            scaling_section(args)
            targets_summary(per_epoch, limits, best)
        if args.sections in ("all", "health"):
            layer_health_section(args, data)
        if args.sections in ("all", "features"):
            features_section(args, data)
        if args.sections in ("all", "interrupt"):
            interrupt_section(args, data)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"Total benchmark time: {time.perf_counter() - started:.0f} s; load average now {load}.")


if __name__ == "__main__":
    main()
