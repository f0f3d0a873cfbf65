"""``python -m nn_engine``: the article's output format, the options' effect, bad arguments.

Most tests call ``main(argv)`` in-process (fast); a few run the real module in a subprocess.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nn_engine import Network, datasets, train
from nn_engine.__main__ import build_parser, main
from nn_engine.io import load_network

REPO = Path(__file__).resolve().parents[2]
TINY = ["--samples", "60", "--arch", "2,4,1", "--epochs", "120"]


def run_main(capsys, *argv: str) -> tuple[int, list[str], str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out.splitlines(), captured.err


def expected_run(
    *, samples=60, arch=(2, 4, 1), epochs=120, every=50, hidden="relu", **train_options
):
    """What the CLI must print, computed through the public API with the CLI's defaults."""
    X, y = datasets.moons(samples, noise=0.2, seed=100)
    X_train, X_test, y_train, y_test = datasets.train_test_split(X, y, test_size=0.1, seed=42)
    net = Network.from_sizes(list(arch), hidden=hidden, init="seed", seed=2)
    history = train(
        net, X_train, y_train, epochs=epochs, learning_rate=0.01, seed=2, **train_options
    )
    progress = [
        f"Iteration: {i:05} - cost: {history.loss[i]:.5f} - accuracy: {history.accuracy[i]:.5f}"
        for i in range(0, epochs, every)
    ]
    train_accuracy = np.mean(net.predict(X_train) == y_train)
    test_accuracy = np.mean(net.predict(X_test) == y_test)
    final = [f"Train accuracy: {train_accuracy:.5f}", f"Test accuracy: {test_accuracy:.5f}"]
    return progress, final, net


def test_prints_the_articles_progress_lines_and_final_accuracy(capsys):
    status, lines, err = run_main(capsys, *TINY)
    progress, final, _ = expected_run()
    assert status == 0 and err == ""
    assert (
        lines[0] == "Data: moons, 60 points (noise 0.2, seed 100): 54 train, 6 test (split seed 42)"
    )
    assert lines[1] == (
        "Network(2-4-1, relu/sigmoid, 17 params), init seed (seed 2); sgd, learning rate 0.01, "
        "full batch, 120 epochs"
    )
    assert lines[2:] == progress + final
    assert [line[:16] for line in progress] == [
        "Iteration: 00000",
        "Iteration: 00050",
        "Iteration: 00100",
    ]


def test_defaults_are_the_articles_experiment(capsys):
    status, lines, _ = run_main(capsys, "--epochs", "1")
    assert status == 0
    assert lines[0] == (
        "Data: moons, 1000 points (noise 0.2, seed 100): 900 train, 100 test (split seed 42)"
    )
    assert lines[1].startswith("Network(2-25-50-50-25-1, relu/sigmoid, 5,226 params), init seed")
    # the article's first cost: its data (make_moons seed 100, split seed 42), its init (seed 2)
    assert lines[2] == "Iteration: 00000 - cost: 0.69365 - accuracy: 0.50444"
    assert lines[3:] == ["Train accuracy: 0.50444", "Test accuracy: 0.46000"]


def test_every_sets_the_print_period_and_zero_silences_it(capsys):
    _, lines, _ = run_main(capsys, *TINY, "--every", "40")
    progress, final, _ = expected_run(every=40)
    assert lines[2:] == progress + final and len(progress) == 3
    _, lines, _ = run_main(capsys, *TINY, "--every", "0")
    assert lines[2:] == final


def test_training_options_reach_the_engine(capsys):
    options = ["--optimizer", "adam", "--batch-size", "16", "--l1", "0.001", "--l2", "0.01"]
    options += ["--arch", "2,4,3,1", "--hidden-activation", "tanh,leaky_relu"]
    status, lines, _ = run_main(capsys, *TINY, *options)
    progress, final, _ = expected_run(
        arch=(2, 4, 3, 1), hidden=["tanh", "leaky_relu"], optimizer="adam", batch_size=16,
        l1=0.001, l2=0.01,
    )  # fmt: skip
    assert status == 0
    assert lines[1] == (
        "Network(2-4-3-1, tanh,leaky_relu/sigmoid, 31 params), init seed (seed 2); adam, "
        "learning rate 0.01, batch size 16, 120 epochs"
    )
    assert lines[2:] == progress + final


def test_save_writes_the_trained_network(capsys, tmp_path):
    path = tmp_path / "model.npz"
    status, lines, _ = run_main(capsys, *TINY, "--save", str(path))
    _, _, net = expected_run()
    assert status == 0 and lines[-1] == f"Saved the network to {path}"
    loaded = load_network(path)
    assert loaded.architecture == net.architecture
    for a, b in zip(loaded.get_params(), net.get_params(), strict=True):
        assert np.array_equal(a["W"], b["W"]) and np.array_equal(a["b"], b["b"])


@pytest.mark.parametrize("dataset", sorted(datasets.GENERATORS))
def test_every_dataset_and_float32_run(capsys, dataset):
    options = ["--samples", "40", "--arch", "2,3,1", "--epochs", "2", "--test-size", "0"]
    status, lines, _ = run_main(capsys, "--dataset", dataset, "--dtype", "float32", *options)
    assert status == 0
    assert lines[0].startswith(f"Data: {dataset}, 40 points") and "40 train, 0 test" in lines[0]
    assert "params, float32)" in lines[1]
    assert lines[-1] == "Test accuracy: - (no test points)"


def test_divergence_is_reported_with_status_1(capsys):
    with np.errstate(all="ignore"):
        status, lines, err = run_main(capsys, *TINY, "--lr", "1e300", "--every", "1")
    assert status == 1
    assert err.splitlines()[-1].startswith("python -m nn_engine: training stopped: ")
    assert ("became" in err or "exceeded" in err) and "weights restored from epoch" in err
    assert lines[-2].startswith("Train accuracy: ") and lines[-1].startswith("Test accuracy: ")


BAD_ARGUMENTS = [
    (["--lr", "-0.1"], "argument --lr: must be a number > 0, got -0.1."),
    (["--lr", "0"], "argument --lr: must be a number > 0, got 0."),
    (["--lr", "abc"], "argument --lr: must be a number > 0, got 'abc'."),
    (["--lr", "nan"], "argument --lr: must be a number > 0, got nan."),
    (["--epochs", "-1"], "argument --epochs: must be an integer >= 0, got -1."),
    (["--epochs", "1.5"], "argument --epochs: must be an integer >= 0, got '1.5'."),
    (["--samples", "1"], "argument --samples: must be an integer >= 2, got 1."),
    (["--noise", "-0.2"], "argument --noise: must be a number >= 0, got -0.2."),
    (["--noise", "inf"], "argument --noise: must be a number >= 0, got inf."),
    (["--test-size", "1"], "argument --test-size: must be a number in [0, 1), got 1."),
    (
        ["--samples", "10", "--test-size", "0.95"],
        "argument --test-size: must leave at least one training point, got 0.95 of 10 points.",
    ),
    (
        ["--samples", "2", "--test-size", "0.5"],
        "argument --samples: the 1 training points must hold both classes, got only class 1.",
    ),
    (["--batch-size", "0"], "argument --batch-size: must be an integer >= 1, got 0."),
    (["--l1", "-1"], "argument --l1: must be a number >= 0, got -1."),
    (["--l2", "x"], "argument --l2: must be a number >= 0, got 'x'."),
    (["--seed", "-1"], "argument --seed: must be an integer in [0, 4294967295], got -1."),
    (["--data-seed", "4294967296"],
     "argument --data-seed: must be an integer in [0, 4294967295], got 4294967296."),
    (["--split-seed", "a"],
     "argument --split-seed: must be an integer in [0, 4294967295], got 'a'."),
    (["--every", "-5"], "argument --every: must be an integer >= 0, got -5."),
    (["--arch", "2,x,1"],
     "argument --arch: must be comma-separated layer sizes like 2,25,50,50,25,1, got '2,x,1'."),
    (["--arch", "2"],
     "argument --arch: must be comma-separated layer sizes like 2,25,50,50,25,1, got '2'."),
    (["--arch", "3,4,1"],
     "argument --arch: must start with the number of features (2: x1,x2), got 3."),
    (["--arch", "2,4,1", "--features", "x1,x2,x1^2"],
     "argument --arch: must start with the number of features (3: x1,x2,x1^2), got 2."),
    (["--arch", "2,4,2"],
     "argument --arch: must end with 1 (one sigmoid output) and have no empty layer, got 2,4,2."),
    (["--arch", "2,0,1"],
     "argument --arch: must end with 1 (one sigmoid output) and have no empty layer, got 2,0,1."),
    (["--features", "x1,__import__('os')"],
     "argument --features: feature \"__import__('os')\" may only use x1, x2, numbers, + - * / ** "
     "and sin cos tan tanh exp log sqrt abs; got the name '__import__'."),
    (["--features", "x1,x1"], "argument --features: must name distinct features, got 'x1,x1'."),
    (["--hidden-activation", "softmax"],
     "argument --hidden-activation: must be one of relu, sigmoid, tanh, linear, leaky_relu, "
     "got 'softmax'."),
    (["--arch", "2,4,1", "--hidden-activation", "relu,tanh"],
     "argument --hidden-activation: must name one activation for all hidden layers or one per "
     "hidden layer (1), got 2."),
    (["--dataset", "iris"],
     "argument --dataset: invalid choice: 'iris' (choose from 'moons', 'circles', 'xor', "
     "'gaussians', 'spiral')"),
    (["--optimizer", "rmsprop"],
     "argument --optimizer: invalid choice: 'rmsprop' (choose from 'sgd', 'momentum', "
     "'nesterov', 'adam')"),
    (["--init", "zeros"],
     "argument --init: invalid choice: 'zeros' (choose from 'seed', 'he', 'xavier')"),
    (["--dtype", "float16"],
     "argument --dtype: invalid choice: 'float16' (choose from 'float32', 'float64')"),
    (["--save", "/nonexistent/dir/m.npz"],
     "argument --save: the directory '/nonexistent/dir' does not exist."),
    (["--learning-rate", "0.1"], "unrecognized arguments: --learning-rate 0.1"),
    (["--ep", "5"], "unrecognized arguments: --ep 5"),  # no silent abbreviations
    (["--lr"], "argument --lr: expected one argument"),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "message"), BAD_ARGUMENTS)
def test_bad_arguments_exit_2_with_one_line(capsys, argv, message):
    with pytest.raises(SystemExit) as caught:
        main([*argv, "--epochs", "0"] if "--epochs" not in argv else argv)
    assert caught.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"python -m nn_engine: error: {message} (see --help)\n"


def test_help_documents_every_option():
    text = build_parser().format_help()
    options = [
        "--dataset", "--samples", "--noise", "--data-seed", "--test-size", "--split-seed",
        "--features", "--arch", "--hidden-activation", "--init", "--seed", "--dtype", "--lr",
        "--epochs", "--optimizer", "--batch-size", "--l1", "--l2", "--every", "--save",
    ]  # fmt: skip
    for option in options:
        assert f"\n  {option} " in text or f"\n  {option}\n" in text, option
    actions = [a for a in build_parser()._actions if a.option_strings != ["-h", "--help"]]
    assert sorted(a.option_strings[0] for a in actions) == sorted(options)
    assert all(action.help for action in actions)
    assert "--arch 2,25,50,50,25,1 --lr 0.01 --epochs 10000 --init seed --seed 2" in text


# ----------------------------------------------------------------- the real module


def run_module(*argv: str) -> subprocess.CompletedProcess:
    paths = [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    return subprocess.run(
        [sys.executable, "-m", "nn_engine", *argv],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_module_runs_and_prints_the_article_format():
    result = run_module("--samples", "40", "--arch", "2,3,1", "--epochs", "101")
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == 2 + 3 + 2
    pattern = r"Iteration: \d{5} - cost: \d\.\d{5} - accuracy: [01]\.\d{5}"
    for line, epoch in zip(lines[2:5], ("00000", "00050", "00100"), strict=True):
        assert line.startswith(f"Iteration: {epoch} ")
        assert re.fullmatch(pattern, line)
    assert lines[5].startswith("Train accuracy: ") and lines[6].startswith("Test accuracy: ")


def test_module_bad_argument_exits_2_with_one_line_on_stderr():
    result = run_module("--lr", "-0.1")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "python -m nn_engine: error: argument --lr: must be a number > 0, got -0.1. (see --help)\n"
    )


def test_module_help_exits_0():
    result = run_module("--help")
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("usage: python -m nn_engine ")
