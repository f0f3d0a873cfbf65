"""Fidelity to the article: nn_engine agrees to round-off with ``reference_math``, a plain
NumPy implementation of the article's model written from its formulas.

``reference_math`` keeps samples as columns, W and b apart and a fresh array for every step;
nn_engine folds the bias into its products and computes the loss from logits, so agreement is
to floating-point round-off.
"""

import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest
import reference_math as ref

from nn_engine import Network, Trainer, datasets, single_blas_thread, train

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "article_experiment.py"


def article_data():
    """The article's training and test sets: moons(1000, 0.2, seed 100), 10 % test, seed 42."""
    X, y = datasets.moons(1000, noise=0.2, seed=100)
    return datasets.train_test_split(X, y, test_size=0.1, seed=42)


def reference_layers_of(net):
    """The network's current parameters as the reference's (W, b) list, b as a column."""
    return [(layer["W"], layer["b"][:, None]) for layer in net.get_params()]


def reference_run(X, y, epochs):
    """The reference's full-batch gradient descent on rows-as-samples data, lr 0.01, seed 2."""
    # one BLAS thread: these small products are ~10x slower with two
    with single_blas_thread():
        return ref.run(X.T, y.reshape(1, -1), ref.SIZES, ref.ACTIVATIONS, epochs, 0.01, seed=2)


@pytest.mark.parametrize("seed", [2, 99])
def test_init_seed_equals_the_articles_initialisation(seed):
    reference = ref.initial_layers(ref.SIZES, seed)
    net = Network(ref.ARTICLE_ARCHITECTURE, init="seed", seed=seed)
    for layer, (W, b) in zip(net.get_params(), reference, strict=True):
        assert np.array_equal(layer["W"], W)
        assert np.array_equal(layer["b"], b[:, 0])


def test_one_iteration_equals_the_reference_forward_cost_accuracy_backward_and_update():
    X_train, _, y_train, _ = article_data()
    net = Network(ref.ARTICLE_ARCHITECTURE, init="seed", seed=2)
    # trained a little so that no layer is trivially near its initial state
    train(net, X_train, y_train, epochs=5, learning_rate=0.05, optimizer="adam")
    layers = reference_layers_of(net)
    Y = y_train.reshape(1, -1).astype(float)

    inputs, pre = ref.forward(layers, ref.ACTIVATIONS, X_train.T)
    P = inputs[-1]
    ours = net.forward_layers(X_train)
    assert len(ours) == len(inputs) - 1
    for A, reference_A in zip(ours, inputs[1:], strict=True):
        np.testing.assert_allclose(A, reference_A.T, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(net.predict_proba(X_train), P[0], rtol=1e-12, atol=1e-15)
    assert np.array_equal(net.predict(X_train), (P[0] > 0.5).astype(int))

    loss, accuracy = net.evaluate(X_train, y_train)
    assert loss == pytest.approx(ref.cost(P, Y), rel=1e-12)
    assert accuracy == ref.accuracy(P, Y)

    grads = ref.gradients(layers, ref.ACTIVATIONS, inputs, pre, Y)
    loss_again, our_grads = net.loss_and_gradients(X_train, y_train)
    assert loss_again == pytest.approx(loss, rel=1e-14)
    for layer, (dW, db) in zip(our_grads, grads, strict=True):
        np.testing.assert_allclose(layer["W"], dW, rtol=1e-9, atol=1e-16)
        np.testing.assert_allclose(layer["b"], db[:, 0], rtol=1e-9, atol=1e-16)

    updated = ref.descend(layers, grads, 0.01)
    metrics = Trainer(net, X_train, y_train, learning_rate=0.01).step_epoch()
    assert metrics.loss == pytest.approx(loss, rel=1e-14)
    assert metrics.accuracy == accuracy
    for layer, (W, b) in zip(net.get_params(), updated, strict=True):
        np.testing.assert_allclose(layer["W"], W, rtol=1e-12, atol=1e-16)
        np.testing.assert_allclose(layer["b"], b[:, 0], rtol=1e-12, atol=1e-16)


def test_full_batch_sgd_reproduces_the_articles_run_to_round_off():
    X_train, _, y_train, _ = article_data()
    epochs = 300
    reference_layers, costs, accuracies = reference_run(X_train, y_train, epochs)

    net = Network(ref.ARTICLE_ARCHITECTURE, init="seed", seed=2)
    history = train(net, X_train, y_train, epochs=epochs, learning_rate=0.01)

    assert history.epochs == epochs
    assert history.stopped_reason is None
    np.testing.assert_allclose(history.loss, costs, rtol=1e-12, atol=0)
    assert history.accuracy == accuracies
    for layer, (W, b) in zip(net.get_params(), reference_layers, strict=True):
        # parameters near zero carry only absolute round-off (~1e-17 for weights of ~0.1)
        np.testing.assert_allclose(layer["W"], W, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(layer["b"], b[:, 0], rtol=1e-12, atol=1e-15)


def test_verbose_lines_match_the_articles_numbers(capsys):
    X_train, _, y_train, _ = article_data()
    _, costs, accuracies = reference_run(X_train, y_train, 101)
    net = Network(ref.ARTICLE_ARCHITECTURE, init="seed", seed=2)
    train(net, X_train, y_train, epochs=101, learning_rate=0.01, verbose=True)
    assert capsys.readouterr().out.splitlines() == [
        f"Iteration: {i:05} - cost: {costs[i]:.5f} - accuracy: {accuracies[i]:.5f}"
        for i in (0, 50, 100)
    ]


def test_article_experiment_script_runs(capsys, monkeypatch):
    # the full 10 000-epoch run is examples/article_experiment.py; here a short one keeps it alive
    spec = importlib.util.spec_from_file_location("article_experiment", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (module.N_SAMPLES, module.NOISE, module.DATA_SEED) == (1000, 0.2, 100)
    assert (module.TEST_SIZE, module.SPLIT_SEED, module.INIT_SEED) == (0.1, 42, 2)
    assert (module.LEARNING_RATE, module.EPOCHS) == (0.01, 10_000)
    assert module.NN_ARCHITECTURE == ref.ARTICLE_ARCHITECTURE
    monkeypatch.setattr(module, "EPOCHS", 60)

    accuracy = module.main()

    lines = capsys.readouterr().out.splitlines()
    assert (
        lines[0]
        == "Network(2-25-50-50-25-1, relu/sigmoid, 5,226 params), 900 training and 100 test samples"
    )
    assert re.fullmatch(r"Iteration: 00000 - cost: 0\.69365 - accuracy: 0\.50444", lines[1])
    assert lines[2].startswith("Iteration: 00050 - cost: ")
    assert re.fullmatch(r"Trained 60 epochs in \d+\.\d s", lines[3])
    assert re.fullmatch(r"Train set accuracy: \d\.\d\d", lines[4])
    assert lines[5] == f"Test set accuracy: {accuracy:.2f}"
    assert len(lines) == 6
    assert 0.0 <= accuracy <= 1.0
