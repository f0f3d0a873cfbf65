"""``python -m nn_engine``: train a network on a generated data set from the command line.

With no options it runs the article's experiment: moons (1000 points, noise 0.2, data seed
100), 10 % test split (seed 42), network 2-25-50-50-25-1 (ReLU, sigmoid output) initialised with
seed 2, full-batch gradient descent at learning rate 0.01 for 10 000 epochs. It prints the
article's progress lines every 50 epochs, then the final train and test accuracy.
``--features x1^2,x2^2`` gives the network other inputs than the points' x1, x2.

Bad arguments exit with status 2 and one line on stderr; a run whose loss or weights became
inf/NaN exits with status 1 after reporting the accuracy of the restored weights.
"""

import argparse
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from nn_engine import ACTIVATIONS, FEATURES, INITIALIZERS, OPTIMIZERS, Network, datasets, io, train
from nn_engine.features import parse_feature

PROG = "python -m nn_engine"
ARTICLE_EXAMPLE = (
    f"{PROG} --dataset moons --samples 1000 --noise 0.2 --test-size 0.1 "
    "--arch 2,25,50,50,25,1 --lr 0.01 --epochs 10000 --init seed --seed 2"
)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (argparse's also print the whole usage)."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


# ------------------------------------------------------------ argument types (one per rule)


def _integer(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    rule = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum}]"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer {rule}, got {text!r}.") from None
        if value < minimum or (maximum is not None and value > maximum):
            raise argparse.ArgumentTypeError(f"must be an integer {rule}, got {value}.")
        return value

    return parse


def _number(rule: str, accept: Callable[[float], bool]) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number {rule}, got {text!r}.") from None
        if not math.isfinite(value) or not accept(value):
            raise argparse.ArgumentTypeError(f"must be a number {rule}, got {text}.")
        return value

    return parse


def _sizes(text: str) -> list[int]:
    fields = text.split(",")
    if len(fields) < 2 or not all(field.strip().isdecimal() for field in fields):
        raise argparse.ArgumentTypeError(
            f"must be comma-separated layer sizes like 2,25,50,50,25,1, got {text!r}."
        )
    sizes = [int(field) for field in fields]
    if sizes[-1] != 1 or min(sizes) < 1:
        raise argparse.ArgumentTypeError(
            f"must end with 1 (one sigmoid output) and have no empty layer, got {text}."
        )
    return sizes


def _features(text: str) -> list[str]:
    # no feature holds a comma: every function of an expression takes one argument
    names = [name.strip() for name in text.split(",")]
    for name in names:
        try:
            parse_feature(name)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
    if len(set(names)) != len(names):
        raise argparse.ArgumentTypeError(f"must name distinct features, got {text!r}.")
    return names


def _activations(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",")]
    for name in names:
        if name not in ACTIVATIONS:
            supported = ", ".join(ACTIVATIONS)
            raise argparse.ArgumentTypeError(f"must be one of {supported}, got {name!r}.")
    return names


SEED = _integer(0, 2**32 - 1)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (its ``--help`` is the CLI's documentation)."""
    parser = _Parser(
        prog=PROG,
        description=(
            "Train a dense network (NumPy, the article's algorithm) on a generated two-class\n"
            "2-D data set; print its progress every --every epochs and the final train and\n"
            "test accuracy. The defaults are the article's experiment."
        ),
        epilog=f"example (the article's run, all defaults spelled out):\n  {ARTICLE_EXAMPLE}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    data = parser.add_argument_group("data")
    data.add_argument(
        "--dataset", choices=list(datasets.GENERATORS), default="moons",
        help="data set generator (default: %(default)s)",
    )  # fmt: skip
    data.add_argument(
        "--samples", type=_integer(2), default=1000, metavar="N",
        help="number of points, >= 2 (default: %(default)s)",
    )  # fmt: skip
    data.add_argument(
        "--noise", type=_number(">= 0", lambda v: v >= 0), default=0.2, metavar="SD",
        help="noise of the generator, >= 0; for moons the standard deviation added to each "
        "coordinate, as sklearn's make_moons (default: %(default)s)",
    )  # fmt: skip
    data.add_argument(
        "--data-seed", type=SEED, default=100, metavar="SEED",
        help="seed of the data generator; moons with seed 100 is the article's "
        "make_moons(random_state=100) (default: %(default)s)",
    )  # fmt: skip
    data.add_argument(
        "--test-size", type=_number("in [0, 1)", lambda v: 0 <= v < 1), default=0.1,
        metavar="FRACTION",
        help="fraction of the points held out for testing, in [0, 1); ceil(FRACTION * N) "
        "points, as sklearn's train_test_split (default: %(default)s)",
    )  # fmt: skip
    data.add_argument(
        "--split-seed", type=SEED, default=42, metavar="SEED",
        help="seed of the train/test split, sklearn's random_state (default: %(default)s)",
    )  # fmt: skip

    model = parser.add_argument_group("network")
    model.add_argument(
        "--features", type=_features, default=["x1", "x2"], metavar="NAME[,NAME...]",
        help=f"the network's inputs, comma-separated: built-ins {' '.join(FEATURES)} or "
        "expressions in x1 and x2 with numbers, + - * / ** (or ^), parentheses and sin cos "
        "tan tanh exp log sqrt abs, e.g. 'x1^2,x2^2' or 'x1,x2,exp(-x1^2)' (default: x1,x2)",
    )  # fmt: skip
    model.add_argument(
        "--arch", type=_sizes, default=None, metavar="SIZES",
        help="layer sizes from input to output, comma-separated; the first is the number of "
        "features, the last 1 (default: 2,25,50,50,25,1, its first size the number of "
        "features)",
    )  # fmt: skip
    model.add_argument(
        "--hidden-activation", type=_activations, default=["relu"], metavar="NAME[,NAME...]",
        help=f"activation of the hidden layers: one of {', '.join(ACTIVATIONS)}, or one name "
        "per hidden layer, comma-separated; the output is always sigmoid (default: relu)",
    )  # fmt: skip
    model.add_argument(
        "--init", choices=list(INITIALIZERS), default="seed",
        help="weight initialisation: seed = the article's randn * 0.1, he, xavier "
        "(default: %(default)s)",
    )  # fmt: skip
    model.add_argument(
        "--seed", type=SEED, default=2, metavar="SEED",
        help="seed of the initialisation and of the mini-batch order (default: %(default)s)",
    )  # fmt: skip
    model.add_argument(
        "--dtype", choices=["float32", "float64"], default="float64",
        help="precision of the weights and of all computations (default: %(default)s)",
    )  # fmt: skip

    training = parser.add_argument_group("training")
    training.add_argument(
        "--lr", type=_number("> 0", lambda v: v > 0), default=0.01, metavar="RATE",
        help="learning rate, > 0 (default: %(default)s)",
    )  # fmt: skip
    training.add_argument(
        "--epochs", type=_integer(0), default=10_000, metavar="N",
        help="number of epochs (passes over the training data), >= 0 (default: %(default)s)",
    )  # fmt: skip
    training.add_argument(
        "--optimizer", choices=list(OPTIMIZERS), default="sgd",
        help="sgd is the article's plain gradient descent (default: %(default)s)",
    )  # fmt: skip
    training.add_argument(
        "--batch-size", type=_integer(1), default=None, metavar="N",
        help="mini-batch size, >= 1 (default: the full batch, as the article)",
    )  # fmt: skip
    training.add_argument(
        "--l1", type=_number(">= 0", lambda v: v >= 0), default=0.0, metavar="RATE",
        help="L1 penalty on the weights, >= 0 (default: %(default)s)",
    )  # fmt: skip
    training.add_argument(
        "--l2", type=_number(">= 0", lambda v: v >= 0), default=0.0, metavar="RATE",
        help="L2 penalty on the weights, >= 0 (default: %(default)s)",
    )  # fmt: skip

    output = parser.add_argument_group("output")
    output.add_argument(
        "--every", type=_integer(0), default=50, metavar="N",
        help="print the article's progress line every N epochs, 0 for none "
        "(default: %(default)s)",
    )  # fmt: skip
    output.add_argument(
        "--save", type=Path, default=None, metavar="PATH",
        help="save the trained network to PATH (.npz, see nn_engine.io.load_network)",
    )  # fmt: skip
    return parser


def _check_combination(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Rules that involve several arguments; each refusal is a one-line usage error."""
    n_test = math.ceil(args.test_size * args.samples)
    if n_test >= args.samples:
        parser.error(
            f"argument --test-size: must leave at least one training point, got {args.test_size} "
            f"of {args.samples} points."
        )
    n_features = len(args.features)
    if args.arch is None:
        args.arch = [n_features, 25, 50, 50, 25, 1]
    elif args.arch[0] != n_features:
        parser.error(
            f"argument --arch: must start with the number of features ({n_features}: "
            f"{','.join(args.features)}), got {args.arch[0]}."
        )
    n_hidden = len(args.arch) - 2
    if len(args.hidden_activation) not in (1, n_hidden):
        parser.error(
            "argument --hidden-activation: must name one activation for all hidden layers or "
            f"one per hidden layer ({n_hidden}), got {len(args.hidden_activation)}."
        )
    if args.save is not None and not args.save.parent.is_dir():
        parser.error(f"argument --save: the directory {str(args.save.parent)!r} does not exist.")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _check_combination(parser, args)

    generate = datasets.GENERATORS[args.dataset]
    X, y = generate(args.samples, noise=args.noise, seed=args.data_seed)
    X_train, X_test, y_train, y_test = datasets.train_test_split(
        X, y, test_size=args.test_size, seed=args.split_seed
    )
    if len(np.unique(y_train)) < 2:
        parser.error(
            f"argument --samples: the {len(y_train)} training points must hold both classes, "
            f"got only class {y_train[0]}."
        )
    hidden = args.hidden_activation
    try:
        net = Network.from_sizes(
            args.arch,
            hidden=hidden[0] if len(hidden) == 1 else hidden,
            features=args.features,
            init=args.init,
            seed=args.seed,
            dtype=args.dtype,
        )
        print(
            f"Data: {args.dataset}, {args.samples} points (noise {args.noise}, seed "
            f"{args.data_seed}): {len(X_train)} train, {len(X_test)} test (split seed "
            f"{args.split_seed})"
        )
        batch = "full batch" if args.batch_size is None else f"batch size {args.batch_size}"
        print(
            f"{net}, init {args.init} (seed {args.seed}); {args.optimizer}, learning rate "
            f"{args.lr}, {batch}, {args.epochs} epoch{'' if args.epochs == 1 else 's'}"
        )
        history = train(
            net, X_train, y_train, epochs=args.epochs, learning_rate=args.lr,
            optimizer=args.optimizer, batch_size=args.batch_size, l1=args.l1, l2=args.l2,
            seed=args.seed, verbose=args.every > 0, every=max(args.every, 1),
        )  # fmt: skip
    except (TypeError, ValueError) as error:  # e.g. a training set holding one class only
        parser.error(str(error))
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130

    print(f"Train accuracy: {_accuracy(net, X_train, y_train)}")
    print(f"Test accuracy: {_accuracy(net, X_test, y_test)}")
    status = 0
    if history.stopped_reason is not None:
        print(f"{PROG}: training stopped: {history.stopped_reason}", file=sys.stderr)
        status = 1
    if args.save is not None:
        try:
            io.save_network(net, args.save)
        except OSError as error:
            print(f"{PROG}: error: cannot save the network: {error}", file=sys.stderr)
            return 1
        print(f"Saved the network to {args.save}")
    return status


def _accuracy(net: Network, X: np.ndarray, y: np.ndarray) -> str:
    if len(y) == 0:
        return "- (no test points)"
    return f"{np.mean(net.predict(X) == y):.5f}"


if __name__ == "__main__":
    sys.exit(main())
