"""A dense network for two-class data: the article's layers, forward and backward propagation.

The network is the article's list of layer dicts. Each layer holds its weights ``W`` of shape
(output_dim, input_dim), its biases ``b`` of shape (output_dim,) and its activation's name.

Inside, it computes the way the article writes it, samples as columns: a layer's input
``A_prev`` is (input_dim, n_samples) and ``Z = W @ A_prev + b``. (On these small shapes
OpenBLAS runs this layout's products 10-15 % faster than samples as rows.) The public methods
take and return the usual samples-as-rows arrays, ``X`` of shape (n_samples, n_features).

Two storage choices make training fast without changing the maths:

* The bias rides inside the matrix product. Each layer stores ``[W | b]`` as one
  (output_dim, input_dim + 1) block and every layer input carries a last row of ones, so
  ``[W | b] @ [A_prev; 1] = W @ A_prev + b``, and the backward product
  ``dZ @ [A_prev; 1].T`` yields ``[dW | db]`` in one go. ``W`` and ``b`` are views of the block.
* All blocks live in one flat parameter vector, so an optimizer updates the whole network with
  a handful of vector operations, and the buffers of a training pass are allocated once.
"""

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nn_engine.activations import ACTIVATIONS
from nn_engine.features import DEFAULT_FEATURES, FeatureFunction, feature_matrix, parse_feature
from nn_engine.initializers import INITIALIZERS
from nn_engine.losses import accuracy, binary_cross_entropy
from nn_engine.validation import (
    check_choice,
    check_dtype,
    check_int,
    check_seed,
    check_X,
    check_y,
)

Params = list[dict[str, NDArray]]

N_COORDINATES = 2  # a point is (x1, x2); the network maps it to its features itself


def _check_features(features: object) -> tuple[tuple[str, ...], tuple[FeatureFunction, ...]]:
    """The feature names as a tuple and their functions; raises naming the bad entry."""
    if isinstance(features, (str, bytes)) or not isinstance(features, Sequence):
        raise TypeError(
            f"features must be a sequence of feature names, got {type(features).__name__}."
        )
    if len(features) == 0:
        raise ValueError("features must name at least one feature, got none.")
    for index, name in enumerate(features):
        if not isinstance(name, str):
            raise TypeError(f"features[{index}] must be a str, got {type(name).__name__}.")
    seen = set()
    for name in features:
        if name in seen:
            raise ValueError(f"features must be distinct, got {name!r} twice.")
        seen.add(name)
    functions = tuple(parse_feature(name) for name in features)
    return tuple(features), functions


def _check_architecture(architecture: object) -> list[dict]:
    if isinstance(architecture, (str, bytes)) or not isinstance(architecture, Sequence):
        raise TypeError(
            f"architecture must be a list of layer dicts, got {type(architecture).__name__}."
        )
    if len(architecture) == 0:
        raise ValueError("architecture must have at least one layer, got 0.")
    layers = []
    for index, layer in enumerate(architecture):
        name = f"architecture[{index}]"
        if not isinstance(layer, Mapping):
            raise TypeError(f"{name} must be a dict, got {type(layer).__name__}.")
        missing = {"input_dim", "output_dim", "activation"} - set(layer)
        if missing:
            raise ValueError(
                f"{name} must have keys input_dim, output_dim and activation, "
                f"missing {', '.join(sorted(missing))}."
            )
        input_dim = check_int(f"{name}['input_dim']", layer["input_dim"], minimum=1)
        output_dim = check_int(f"{name}['output_dim']", layer["output_dim"], minimum=1)
        activation = check_choice(f"{name}['activation']", layer["activation"], ACTIVATIONS)
        if layers and input_dim != layers[-1]["output_dim"]:
            raise ValueError(
                f"{name}['input_dim'] must equal the previous layer's output_dim "
                f"{layers[-1]['output_dim']}, got {input_dim}."
            )
        layers.append({"input_dim": input_dim, "output_dim": output_dim, "activation": activation})
    last = layers[-1]
    if last["output_dim"] != 1 or last["activation"] != "sigmoid":
        raise ValueError(
            "the last layer must be one sigmoid unit (output_dim 1, activation 'sigmoid'), "
            f"got output_dim {last['output_dim']} with activation {last['activation']!r}."
        )
    return layers


class TrainingInterrupted(Exception):  # noqa: N818 - a request honoured, like KeyboardInterrupt
    """A training step was abandoned because its interrupt was set; it changed nothing.

    Raised by :meth:`Trainer.step_batch <nn_engine.Trainer.step_batch>`,
    :meth:`Trainer.step_epoch <nn_engine.Trainer.step_epoch>` and
    :meth:`Network.forward_backward` when the interrupt they were given (a
    ``threading.Event`` or a callable returning true) is set at one of their checks: before
    each layer of the forward pass and each matrix product of the backward pass (the first
    check, before any work, is the one between two mini-batches). The parameters, the
    optimizer's state, the position in the epoch, the shuffling generator and the history
    are then exactly as before the step, so training resumes as if it had never been
    interrupted. Clear the interrupt before the next step.
    """

    def __init__(self, message: str = "the training step was interrupted; nothing changed"):
        super().__init__(message)


class _Workspace:
    """Buffers for one batch size, reused by every epoch so the hot loop allocates nothing big.

    ``inputs[l]`` is layer l's input with its last row of ones, (units + 1, n_samples); layer l
    writes its activation into ``inputs[l + 1][:-1]``, in place over its pre-activation.
    ``dA[l]`` receives the gradient with respect to that activation. ``source`` remembers which
    feature matrix ``inputs[0]`` holds, so the same training data are copied in only once.
    """

    def __init__(self, n_samples: int, sizes: Sequence[int], dtype: np.dtype):
        self.inputs = [np.ones((units + 1, n_samples), dtype) for units in sizes[:-1]]
        self.dA = [np.empty((units, n_samples), dtype) for units in sizes[1:-1]]
        self.logits = np.empty((1, n_samples), dtype)
        self.p = np.empty((1, n_samples), dtype)
        self.dZ_out = np.empty((1, n_samples), dtype)
        self.source: NDArray | None = None


class Network:
    """A dense feed-forward network ending in one sigmoid unit, for two-class data.

    Parameters
    ----------
    architecture : list of dict
        The article's format, one dict per layer:
        ``{"input_dim": int, "output_dim": int, "activation": str}``; consecutive layers must
        chain, the first one's ``input_dim`` is ``len(features)`` and the last one is
        ``{"output_dim": 1, "activation": "sigmoid"}``.
    features : sequence of str
        What the network sees of a point (x1, x2): built-in names of
        :data:`nn_engine.FEATURES` (``x1 x2 x1^2 x2^2 x1*x2 sin(x1) sin(x2)``) or expressions
        in x1 and x2 (see :mod:`nn_engine.features`), distinct. Every method still takes the
        raw points, ``X`` of shape (n_samples, 2); the network computes the features itself.
        They are fixed inputs: no gradient flows into them.
    init : {"seed", "he", "xavier"}
        ``"seed"`` is the article's ``randn * 0.1`` for weights and biases from
        ``np.random.RandomState(seed)``; ``"he"`` and ``"xavier"`` (Glorot uniform) have zero
        biases.
    seed : int or None
        Seed of the initialisation. ``None`` draws one, kept in ``net.seed`` so the same
        network can be rebuilt.
    dtype : float32 or float64
        Precision of the parameters and of every computation.

    Examples
    --------
    >>> net = Network.from_sizes([2, 25, 50, 50, 25, 1], hidden="relu", seed=2)
    >>> net
    Network(2-25-50-50-25-1, relu/sigmoid, 5,226 params)
    >>> Network.from_sizes([2, 1], features=("x1^2", "x2^2"), seed=0)
    Network(2-1, sigmoid, 3 params, features=('x1^2', 'x2^2'))

    Non-finite feature values (``log(x1)`` at x1 <= 0, ``1 / x1`` at 0 ...) are refused where
    the network meets data to learn from or to be scored on (:class:`~nn_engine.Trainer`,
    :meth:`evaluate`, :meth:`loss_and_gradients`, :meth:`dead_units`): a ValueError naming
    the feature and the row. Prediction (:meth:`predict_proba`, :meth:`forward_layers`,
    e.g. on a grid over the plane) does not fail: a row with a non-finite feature gets NaN in
    every layer's activations and as its probability, and class 0 from :meth:`predict`.
    """

    def __init__(
        self,
        architecture: Sequence[Mapping],
        *,
        features: Sequence[str] = DEFAULT_FEATURES,
        init: str = "seed",
        seed: int | None = None,
        dtype: type | np.dtype | str = np.float64,
    ):
        layer_specs = _check_architecture(architecture)
        self.features, self._feature_functions = _check_features(features)
        if layer_specs[0]["input_dim"] != len(self.features):
            raise ValueError(
                "architecture[0]['input_dim'] must equal the number of features "
                f"({len(self.features)}: {', '.join(self.features)}), "
                f"got {layer_specs[0]['input_dim']}."
            )
        self.init = check_choice("init", init, INITIALIZERS)
        seed = check_seed("seed", seed)
        self.seed = int(np.random.SeedSequence().generate_state(1)[0]) if seed is None else seed
        self.dtype = check_dtype(dtype)

        shapes = [(spec["output_dim"], spec["input_dim"]) for spec in layer_specs]
        self.params = np.empty(sum(out * (inp + 1) for out, inp in shapes), self.dtype)
        self.layers: list[dict] = []
        start = 0
        for spec, (out_dim, in_dim) in zip(layer_specs, shapes, strict=True):
            block = self.params[start : start + out_dim * (in_dim + 1)].reshape(out_dim, in_dim + 1)
            self.layers.append({**spec, "Wb": block, "W": block[:, :-1], "b": block[:, -1]})
            start += block.size
        # 1 where the flat vector holds a weight, 0 where a bias: penalties act on weights only
        self.weight_mask = np.ones_like(self.params)
        for block in self.blocks(self.weight_mask):
            block[:, -1] = 0
        # where each layer's block starts in the flat vector (per-layer sums, np.add.reduceat)
        self._block_starts = np.cumsum([0] + [layer["Wb"].size for layer in self.layers[:-1]])

        for layer, (W, b) in zip(
            self.layers, INITIALIZERS[self.init](shapes, self.seed), strict=True
        ):
            layer["W"][...] = W
            layer["b"][...] = b
        self._workspaces: dict[int, _Workspace] = {}

    @classmethod
    def from_sizes(
        cls,
        sizes: Sequence[int],
        hidden: str | Sequence[str] = "relu",
        *,
        features: Sequence[str] = DEFAULT_FEATURES,
        init: str = "seed",
        seed: int | None = None,
        dtype: type | np.dtype | str = np.float64,
    ) -> "Network":
        """Build from layer sizes, e.g. ``[2, 25, 50, 50, 25, 1]``.

        ``hidden`` is one activation for every hidden layer or a list with one per hidden layer;
        the output layer is always one sigmoid unit. ``sizes[0]`` is ``len(features)``.
        """
        if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
            raise TypeError(f"sizes must be a list of integers, got {type(sizes).__name__}.")
        if len(sizes) < 2:
            raise ValueError(
                f"sizes must list at least the input and output sizes, got {list(sizes)}."
            )
        for index, size in enumerate(sizes):
            check_int(f"sizes[{index}]", size, minimum=1)
        n_hidden = len(sizes) - 2
        hidden_list = [hidden] * n_hidden if isinstance(hidden, str) else list(hidden)
        if len(hidden_list) != n_hidden:
            raise ValueError(
                f"hidden must name one activation per hidden layer ({n_hidden}), "
                f"got {len(hidden_list)}."
            )
        activations = [*hidden_list, "sigmoid"]
        architecture = [
            {"input_dim": sizes[i], "output_dim": sizes[i + 1], "activation": activations[i]}
            for i in range(len(sizes) - 1)
        ]
        return cls(architecture, features=features, init=init, seed=seed, dtype=dtype)

    # ----------------------------------------------------------------- description

    @property
    def architecture(self) -> list[dict]:
        """The article's list of layer dicts (a copy)."""
        keys = ("input_dim", "output_dim", "activation")
        return [{key: layer[key] for key in keys} for layer in self.layers]

    @property
    def sizes(self) -> list[int]:
        return [self.layers[0]["input_dim"]] + [layer["output_dim"] for layer in self.layers]

    @property
    def activations(self) -> list[str]:
        return [layer["activation"] for layer in self.layers]

    @property
    def n_params(self) -> int:
        return self.params.size

    def __repr__(self) -> str:
        hidden = list(dict.fromkeys(self.activations[:-1]))
        kinds = f"{','.join(hidden)}/sigmoid" if hidden else "sigmoid"
        dtype = "" if self.dtype == np.float64 else f", {self.dtype}"
        features = "" if self.features == DEFAULT_FEATURES else f", features={self.features}"
        sizes = "-".join(str(size) for size in self.sizes)
        return f"Network({sizes}, {kinds}, {self.n_params:,} params{dtype}{features})"

    def copy(self) -> "Network":
        """An independent network with the same architecture, features, metadata and
        parameters."""
        twin = Network(
            self.architecture,
            features=self.features,
            init=self.init,
            seed=self.seed,
            dtype=self.dtype,
        )
        twin.params[...] = self.params
        return twin

    # ------------------------------------------------------------------ parameters

    def get_params(self) -> Params:
        """Copies of the parameters: one ``{"W": (out, in), "b": (out,)}`` dict per layer."""
        return [{"W": layer["W"].copy(), "b": layer["b"].copy()} for layer in self.layers]

    def set_params(self, params: Sequence[Mapping[str, ArrayLike]]) -> None:
        """Replace the parameters; refuses (changing nothing) on a wrong count, shape or value."""
        if not isinstance(params, Sequence) or len(params) != len(self.layers):
            count = len(params) if isinstance(params, Sequence) else type(params).__name__
            raise ValueError(
                f"params must have one dict per layer ({len(self.layers)}), got {count}."
            )
        checked = []
        for index, (layer, given) in enumerate(zip(self.layers, params, strict=True)):
            if not isinstance(given, Mapping) or set(given) != {"W", "b"}:
                raise ValueError(
                    f"params[{index}] must be a dict with keys 'W' and 'b', got {given!r:.80}."
                )
            for key in ("W", "b"):
                value = np.asarray(given[key])
                if value.shape != layer[key].shape:
                    raise ValueError(
                        f"params[{index}]['{key}'] must have shape {layer[key].shape}, "
                        f"got {value.shape}."
                    )
                if value.dtype.kind not in "biuf" or not np.isfinite(value).all():
                    raise ValueError(
                        f"params[{index}]['{key}'] must be finite numbers, got {value!r:.60}."
                    )
                checked.append((layer[key], value))
        for target, value in checked:
            target[...] = value

    # ------------------------------------------------------------------ prediction

    # ------------------------------------------------------------------ features

    def feature_matrix(self, X: ArrayLike) -> NDArray:
        """The network's inputs for the points ``X`` (n_samples, 2): (n_samples, n_features).

        Column j is ``features[j]`` of each point, in the network's dtype; with the default
        features it is ``X`` itself. Non-finite values (e.g. ``log(x1)`` at 0) are returned
        as they are.
        """
        return self._features(check_X(X, N_COORDINATES, self.dtype))

    def _features(self, X: NDArray) -> NDArray:
        """The feature matrix of validated points ``X`` (``X`` itself for x1, x2)."""
        if self.features == DEFAULT_FEATURES:
            return X
        return feature_matrix(self._feature_functions, X, self.dtype)

    def _finite_features(self, X: NDArray, name: str = "X") -> NDArray:
        """The feature matrix of validated points ``X``, refused unless every value is finite."""
        matrix = self._features(X)
        if matrix is not X:  # X itself was checked finite
            bad = ~np.isfinite(matrix)
            if bad.any():
                row, column = np.argwhere(bad)[0]
                x1, x2 = (float(value) for value in X[row])
                raise ValueError(
                    f"feature {self.features[column]!r} must be finite on {name}, got "
                    f"{matrix[row, column]} at row {row} (x1={x1!r}, x2={x2!r})."
                )
        return matrix

    def _prediction_features(self, X: NDArray) -> NDArray:
        """The feature matrix of validated points ``X`` with every row that holds a
        non-finite feature set to NaN, so that the row's activations are NaN (never inf)."""
        matrix = self._features(X)
        if matrix is not X:
            bad_rows = ~np.isfinite(matrix).all(axis=1)
            matrix[bad_rows] = np.nan
        return matrix

    # ------------------------------------------------------------------ prediction

    def forward_layers(self, X: ArrayLike) -> list[NDArray]:
        """Every layer's activation for the points ``X`` (n_samples, 2): a list of
        (n_samples, units), one entry per layer (the inputs, :meth:`feature_matrix`, are not
        in it).

        The last entry is the output probability of class 1, shape (n_samples, 1). A point
        with a non-finite feature gets NaN in every entry.
        """
        X = self._prediction_features(check_X(X, N_COORDINATES, self.dtype))
        outputs = self._forward(X)
        outputs[-1] = ACTIVATIONS["sigmoid"].forward(outputs[-1])
        return [A.T for A in outputs]

    def _forward(self, X: NDArray) -> list[NDArray]:
        """Activations (units, n_samples) of every layer for a feature matrix ``X``; the last
        entry holds the output's logits, before the sigmoid."""
        outputs = []
        A = X.T
        for layer in self.layers:
            A = layer["W"] @ A
            A += layer["b"][:, None]
            if layer is not self.layers[-1]:
                ACTIVATIONS[layer["activation"]].forward(A, out=A)
            outputs.append(A)
        return outputs

    def release_buffers(self) -> None:
        """Free the training buffers (they are made again on the next training pass): for a
        network kept aside, e.g. a run that undo may bring back."""
        self._workspaces.clear()

    def dead_units(self, X: ArrayLike) -> list[float | None]:
        """The share of dead ReLU units in each layer: units whose output is 0 on every row of X.

        A ReLU unit that is never positive on the data passes no gradient back, so training
        cannot revive it. Only ``"relu"`` layers are counted: a ``"leaky_relu"`` unit keeps a
        gradient (its slope 0.01) wherever it is negative, and the other activations have no
        dead zone.

        Parameters
        ----------
        X : array-like (n_samples, 2)
            Points whose features are finite (else a ValueError naming the feature).

        Returns
        -------
        list of float or None
            One entry per layer, in layer order (the output layer included, so that index l
            matches ``EpochMetrics.grad_norms[l]``): the fraction in [0, 1] of the layer's
            units that are never positive on any row of ``X`` for a ReLU layer, None for a
            layer of another activation (the sigmoid output always).
        """
        outputs = self._forward(self._finite_features(check_X(X, N_COORDINATES, self.dtype)))
        return [
            float(1.0 - np.mean(np.any(A > 0, axis=1))) if layer["activation"] == "relu" else None
            for layer, A in zip(self.layers, outputs, strict=True)
        ]

    def predict_proba(self, X: ArrayLike) -> NDArray:
        """Probability of class 1 for each point of ``X`` (n_samples, 2): (n_samples,).

        NaN for a point where a feature is not finite."""
        return self.forward_layers(X)[-1][:, 0]

    def predict(self, X: ArrayLike) -> NDArray:
        """Class 0/1 of each point of ``X`` (n_samples, 2): 1 where the probability is > 0.5, as
        the article (so 0 where it is NaN)."""
        return (self.predict_proba(X) > 0.5).astype(np.int64)

    def evaluate(self, X: ArrayLike, y: ArrayLike) -> tuple[float, float]:
        """Mean binary cross-entropy and accuracy of the network on the points ``X``
        (n_samples, 2) with labels ``y`` (n_samples,); the features must be finite."""
        X = check_X(X, N_COORDINATES, self.dtype)
        y = check_y(y, len(X)).astype(self.dtype)
        return self._evaluate(self._finite_features(X), y)

    def _evaluate(self, X: NDArray, y: NDArray) -> tuple[float, float]:
        """Loss and accuracy on a feature matrix ``X``."""
        logits = self._forward(X)[-1][0]
        p = ACTIVATIONS["sigmoid"].forward(logits)
        return binary_cross_entropy(logits, y), accuracy(p, y)

    def loss_and_gradients(self, X: ArrayLike, y: ArrayLike) -> tuple[float, Params]:
        """Mean binary cross-entropy on the points ``X`` (n_samples, 2) with labels ``y``
        (n_samples,), and its gradients, without changing the network. The features must be
        finite.

        Returns
        -------
        loss : float
        grads : list of dict
            ``{"W": (out, in), "b": (out,)}`` per layer, like :meth:`get_params`.
        """
        X = check_X(X, N_COORDINATES, self.dtype)
        y = check_y(y, len(X)).astype(self.dtype)
        X = self._finite_features(X)
        grad = np.empty_like(self.params)
        loss, _ = self.forward_backward(X, y, grad)
        return loss, self._unflatten(grad)

    def blocks(self, flat: NDArray) -> list[NDArray]:
        """Per-layer (output_dim, input_dim + 1) ``[W | b]`` views of a vector laid out like
        ``self.params`` (e.g. a gradient)."""
        views, start = [], 0
        for layer in self.layers:
            size = layer["Wb"].size
            views.append(flat[start : start + size].reshape(layer["Wb"].shape))
            start += size
        return views

    def _unflatten(self, flat: NDArray) -> Params:
        return [{"W": Wb[:, :-1].copy(), "b": Wb[:, -1].copy()} for Wb in self.blocks(flat)]

    # ----------------------------------------------------------- the training pass

    # Workspaces kept, the least recently used freed first. Training uses at most three batch
    # sizes at a time: the full data (full batch), or the mini-batch size and the last, partial
    # mini-batch of each epoch, plus one spare (e.g. loss_and_gradients on other data). Keeping
    # only two would free and re-allocate the partial batch's buffers every epoch; keeping one
    # per size ever seen grew without bound as points were painted during training.
    MAX_WORKSPACES = 3

    def workspace(self, n_samples: int) -> "_Workspace":
        """The reusable buffers for batches of ``n_samples`` (created on first use).

        At most :attr:`MAX_WORKSPACES` are kept; the least recently used one is freed first.
        """
        work = self._workspaces.pop(n_samples, None)  # re-inserted last: most recently used
        if work is None:
            while len(self._workspaces) >= self.MAX_WORKSPACES:
                del self._workspaces[next(iter(self._workspaces))]
            work = _Workspace(n_samples, self.sizes, self.dtype)
        self._workspaces[n_samples] = work
        return work

    def forward_backward(
        self,
        X: NDArray,
        y: NDArray,
        grad: NDArray,
        interrupted: Callable[[], object] | None = None,
    ) -> tuple[float, float]:
        """One forward and backward pass: the article's ``full_forward_propagation``, cost,
        accuracy and ``full_backward_propagation`` in one go. For trainers; no validation.

        Parameters
        ----------
        X : ndarray (n_samples, n_features) in the network's dtype
            The feature matrix (:meth:`feature_matrix`), finite. Copied into the workspace
            once; passing the same array object again (unchanged) skips the copy.
        y : ndarray (n_samples,), labels as 0.0/1.0 in the network's dtype
        grad : ndarray like ``self.params``
            Receives the gradient of the mean loss, in the flat layout of ``self.params``.
        interrupted : callable or None
            Called before each layer of the forward pass and before each matrix product of
            the backward pass (a layer's ``[dW | db]``, then the gradient it passes back);
            when it returns true, the pass stops there and raises
            :class:`TrainingInterrupted`. The network is
            unchanged (only ``grad`` and the workspace, scratch space, hold partial results).

        Returns
        -------
        loss, accuracy : float
            Of the forward pass that produced the gradient.
        """
        n_samples = len(X)
        work = self.workspace(n_samples)
        inputs = work.inputs
        if work.source is not X:
            inputs[0][:-1] = X.T
            work.source = X
        layers = self.layers
        y = y[None, :]

        # forward: Z = [W | b] @ [A_prev; 1], then A = f(Z) in place
        for layer, A_prev, A in zip(layers, inputs, inputs[1:], strict=False):
            if interrupted is not None and interrupted():
                raise TrainingInterrupted
            Z = np.matmul(layer["Wb"], A_prev, out=A[:-1])
            ACTIVATIONS[layer["activation"]].forward(Z, out=Z)
        if interrupted is not None and interrupted():
            raise TrainingInterrupted
        logits = np.matmul(layers[-1]["Wb"], inputs[-1], out=work.logits)
        p = ACTIVATIONS["sigmoid"].forward(logits, out=work.p)
        loss = binary_cross_entropy(logits, y)
        acc = accuracy(p, y)

        # backward: sigmoid and cross-entropy fuse to dZ = p - y; the mean's 1/m is applied
        # here once instead of in every layer's dW and db.
        dZ = np.subtract(p, y, out=work.dZ_out)
        dZ *= 1.0 / n_samples
        grad_blocks = self.blocks(grad)
        for index in range(len(layers) - 1, -1, -1):
            if interrupted is not None and interrupted():
                raise TrainingInterrupted
            np.matmul(dZ, inputs[index].T, out=grad_blocks[index])  # [dW | db]
            if index == 0:
                break
            if interrupted is not None and interrupted():  # a backward layer has two products
                raise TrainingInterrupted
            W = layers[index]["W"]
            if len(W) == 1:  # the output unit: W.T @ dZ is an outer product, a broadcast
                dA_prev = np.multiply(W.T, dZ, out=work.dA[index - 1])
            else:
                dA_prev = np.matmul(W.T, dZ, out=work.dA[index - 1])
            backward = ACTIVATIONS[layers[index - 1]["activation"]].backward
            dZ = backward(dA_prev, inputs[index][:-1])
        return loss, acc
