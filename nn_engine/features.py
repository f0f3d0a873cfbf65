"""Input features: what a network sees of a point (x1, x2), as TensorFlow Playground's inputs.

A network's ``features`` are names. The built-ins are in :data:`FEATURES`; any other name is an
expression in ``x1`` and ``x2``, for example ``"x1^2 + x2^2"`` or ``"sin(3 * x1) * exp(-x2)"``.

An expression is read with Python's :mod:`ast` and checked against a whitelist, never passed to
``eval``: numbers, ``x1`` and ``x2``, ``+ - * / **`` (``^`` is read as ``**``, as in the
built-ins' names), unary ``-`` and ``+``, parentheses, and the one-argument functions
:data:`FUNCTIONS` (``sin cos tan tanh exp log sqrt abs``). It is then turned into a tree of
NumPy calls. Anything else (other names, attribute access, subscripts, calls of anything but
those functions, keyword arguments, lambdas, comprehensions, comparisons, strings ...) is
refused with a ValueError naming the offending token, and so are texts longer than
:data:`MAX_FEATURE_CHARS` and trees nested deeper than :data:`MAX_FEATURE_DEPTH`.

Values are computed in float64 with NumPy's usual IEEE results: ``log(0)`` is ``-inf``,
``sqrt(-1)`` and ``0/0`` are NaN, without warnings. Whether such values are acceptable is the
network's business (training refuses them, prediction turns them into NaN probabilities).
"""

import ast
from collections.abc import Callable
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from nn_engine.validation import shorten

FeatureFunction = Callable[[NDArray, NDArray], NDArray | float]

MAX_FEATURE_CHARS = 200
# Operators and calls inside one another ((((x1))) counts once, x1 + x2 + x1 twice: a sum is
# a chain). The character cap alone allows a 100-term sum, which must pass, or 198 unary minus
# signs in a row, which this stops; it also keeps the evaluation's recursion shallow.
MAX_FEATURE_DEPTH = 100

DEFAULT_FEATURES = ("x1", "x2")


def _x1(x1: NDArray, x2: NDArray) -> NDArray:
    return x1


def _x2(x1: NDArray, x2: NDArray) -> NDArray:
    return x2


def _x1_squared(x1: NDArray, x2: NDArray) -> NDArray:
    return x1 * x1


def _x2_squared(x1: NDArray, x2: NDArray) -> NDArray:
    return x2 * x2


def _x1_times_x2(x1: NDArray, x2: NDArray) -> NDArray:
    return x1 * x2


def _sin_x1(x1: NDArray, x2: NDArray) -> NDArray:
    return np.sin(x1)


def _sin_x2(x1: NDArray, x2: NDArray) -> NDArray:
    return np.sin(x2)


FEATURES: MappingProxyType[str, FeatureFunction] = MappingProxyType(
    {
        "x1": _x1,
        "x2": _x2,
        "x1^2": _x1_squared,
        "x2^2": _x2_squared,
        "x1*x2": _x1_times_x2,
        "sin(x1)": _sin_x1,
        "sin(x2)": _sin_x2,
    }
)
"""The built-in features (read-only): name -> ``function(x1, x2)`` of two (n,) arrays."""

FUNCTIONS: MappingProxyType[str, Callable[[NDArray], NDArray]] = MappingProxyType(
    {
        "sin": np.sin,
        "cos": np.cos,
        "tan": np.tan,
        "tanh": np.tanh,
        "exp": np.exp,
        "log": np.log,
        "sqrt": np.sqrt,
        "abs": np.abs,
    }
)
"""The functions an expression may call, each with one argument."""

_BINARY = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: np.true_divide,
    ast.Pow: np.power,
}
_SYMBOLS = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitAnd: "&",
    ast.BitXor: "^",
    ast.Invert: "~",
    ast.Not: "not",
    ast.And: "and",
    ast.Or: "or",
}
_GRAMMAR = "x1, x2, numbers, + - * / ** and " + " ".join(FUNCTIONS)


class _NotAllowedError(Exception):
    """What is wrong with an expression, phrased to follow "got ..."."""


def parse_feature(name: str) -> FeatureFunction:
    """The function that computes the feature ``name`` from x1 and x2.

    Parameters
    ----------
    name : str
        A key of :data:`FEATURES`, or an expression in x1 and x2 (see the module).

    Returns
    -------
    callable
        ``function(x1, x2)`` of two float64 arrays of shape (n,), returning an (n,) array (or a
        number, for an expression without x1 and x2, which broadcasts).

    Raises
    ------
    TypeError
        If ``name`` is not a str.
    ValueError
        Naming what is not allowed, e.g. ``feature "__import__('os')" may only use x1, x2,
        numbers, + - * / ** and sin cos tan tanh exp log sqrt abs; got the name '__import__'.``

    Examples
    --------
    >>> f = parse_feature("x1^2 + sin(x2)")
    >>> float(f(np.array([3.0]), np.array([0.0]))[0])
    9.0
    """
    if not isinstance(name, str):
        raise TypeError(f"feature must be a str, got {type(name).__name__}.")
    if name in FEATURES:
        return FEATURES[name]
    if len(name) > MAX_FEATURE_CHARS:
        raise ValueError(
            f"feature must be at most {MAX_FEATURE_CHARS} characters, got {len(name)}: "
            f"{shorten(name)}."
        )
    if not name.strip():
        raise ValueError(
            f"feature must be a built-in ({', '.join(FEATURES)}) or an expression in x1 and "
            f"x2, got {name!r}."
        )
    text = name.strip().replace("^", "**")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        raise ValueError(f"feature {name!r} is not a valid expression ({error.msg}).") from None
    except (ValueError, RecursionError, MemoryError):  # e.g. a NUL character
        raise ValueError(f"feature {name!r} is not a valid expression.") from None
    try:
        compiled = _compile(tree.body, text, 1)
    except _NotAllowedError as refusal:
        raise ValueError(f"feature {name!r} may only use {_GRAMMAR}; got {refusal}.") from None

    def feature(x1: NDArray, x2: NDArray) -> NDArray | float:
        with np.errstate(all="ignore"):  # log(0), 0/0 ...: IEEE values, not warnings
            return compiled(x1, x2)

    return feature


def _compile(node: ast.AST, text: str, depth: int) -> FeatureFunction:
    """``node`` as a tree of NumPy calls, or a _NotAllowedError naming what is not allowed."""
    if depth > MAX_FEATURE_DEPTH:
        raise _NotAllowedError(f"nesting deeper than {MAX_FEATURE_DEPTH} levels")
    if isinstance(node, ast.Name):
        if node.id == "x1":
            return _x1
        if node.id == "x2":
            return _x2
        raise _NotAllowedError(f"the name {node.id!r}")
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _NotAllowedError(f"the constant {shorten(value)}")
        number = float(value)
        if not np.isfinite(number):
            raise _NotAllowedError(
                f"the number {ast.get_source_segment(text, node)}, which is not finite"
            )
        return lambda x1, x2: number
    if isinstance(node, ast.UnaryOp):
        operand = _compile(node.operand, text, depth + 1)
        if isinstance(node.op, ast.USub):
            return lambda x1, x2: np.negative(operand(x1, x2))
        if isinstance(node.op, ast.UAdd):
            return operand
        raise _NotAllowedError(f"the operator {_SYMBOLS[type(node.op)]!r}")
    if isinstance(node, ast.BinOp):
        operation = _BINARY.get(type(node.op))
        if operation is None:
            raise _NotAllowedError(f"the operator {_SYMBOLS[type(node.op)]!r}")
        left = _compile(node.left, text, depth + 1)
        right = _compile(node.right, text, depth + 1)
        return lambda x1, x2: operation(left(x1, x2), right(x1, x2))
    if isinstance(node, ast.Call):
        return _compile_call(node, text, depth)
    raise _NotAllowedError(_describe(node, text))


def _compile_call(node: ast.Call, text: str, depth: int) -> FeatureFunction:
    if not isinstance(node.func, ast.Name):
        raise _NotAllowedError(_describe(node.func, text))
    function = FUNCTIONS.get(node.func.id)
    if function is None:
        if node.func.id in ("x1", "x2"):
            raise _NotAllowedError(f"the call {shorten(ast.get_source_segment(text, node))}")
        raise _NotAllowedError(f"the name {node.func.id!r}")
    if node.keywords:
        keyword = node.keywords[0]
        shown = f"{keyword.arg}=" if keyword.arg is not None else "**"
        raise _NotAllowedError(f"the keyword argument {shown!r} (the functions take one argument)")
    for argument in node.args:
        if isinstance(argument, ast.Starred):
            raise _NotAllowedError(_describe(argument, text))
    if len(node.args) != 1:
        raise _NotAllowedError(
            f"{node.func.id} with {len(node.args)} arguments in "
            f"{shorten(ast.get_source_segment(text, node))} (the functions take one)"
        )
    argument = _compile(node.args[0], text, depth + 1)
    return lambda x1, x2: function(argument(x1, x2))


def _describe(node: ast.AST, text: str) -> str:
    """The offending piece of syntax, named for a message."""
    source = shorten(ast.get_source_segment(text, node) or type(node).__name__)
    if isinstance(node, ast.Attribute):
        return f"the attribute access {'.' + node.attr!r}"
    if isinstance(node, ast.Subscript):
        return f"the subscript {source}"
    if isinstance(node, ast.Lambda):
        return f"a lambda {source}"
    if isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
        return f"a comprehension {source}"
    if isinstance(node, ast.Compare):
        return f"the comparison {source}"
    if isinstance(node, ast.BoolOp):
        return f"the operator {_SYMBOLS[type(node.op)]!r}"
    kinds = {
        ast.IfExp: "the conditional expression",
        ast.NamedExpr: "the assignment",
        ast.JoinedStr: "the f-string",
        ast.Starred: "the unpacking",
    }
    return f"{kinds.get(type(node), 'the ' + type(node).__name__.lower())} {source}"


def feature_matrix(functions: tuple[FeatureFunction, ...], X: NDArray, dtype: np.dtype) -> NDArray:
    """Every feature of every row of ``X``: an (n_samples, len(functions)) array of ``dtype``.

    ``X`` is (n_samples, 2) of finite numbers. Features are computed in float64 and then cast,
    so a value beyond the float32 range becomes inf rather than wrapping; non-finite values
    are left for the caller to judge.
    """
    x1 = X[:, 0].astype(np.float64)
    x2 = X[:, 1].astype(np.float64)
    matrix = np.empty((len(X), len(functions)), dtype)
    with np.errstate(all="ignore"):
        for column, function in enumerate(functions):
            matrix[:, column] = function(x1, x2)
    return matrix
