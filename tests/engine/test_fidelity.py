"""Fidelity to the article: nn_engine agrees with the article's own code to round-off.

``article_reference`` is the article's code (samples as columns); nn_engine computes with
samples as rows and a fused, logit-based loss, so agreement is to floating-point round-off.
"""

import importlib.util
import re
from pathlib import Path

import article_reference as ref
import numpy as np
import pytest

from nn_engine import Network, Trainer, datasets, single_blas_thread, train

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "article_experiment.py"


def article_data():
    """The article's training and test sets: moons(1000, 0.2, seed 100), 10 % test, seed 42."""
    X, y = datasets.moons(1000, noise=0.2, seed=100)
    return datasets.train_test_split(X, y, test_size=0.1, seed=42)


def reference_params_of(net):
    """The article's params_values dict for the network's current parameters."""
    params = {}
    for index, layer in enumerate(net.get_params(), start=1):
        params[f"W{index}"], params[f"b{index}"] = layer["W"], layer["b"][:, None]
    return params


def reference_run(X, y, epochs):
    """The article's train() on rows-as-samples data; keeps the global generator intact."""
    state = np.random.get_state()  # noqa: NPY002 (the article seeds the global generator)
    try:
        # one BLAS thread: the article's np.dot on these small matrices is ~10x slower with two
        with single_blas_thread():
            return ref.train(X.T, y.reshape(1, -1), ref.NN_ARCHITECTURE, epochs, 0.01, seed=2)
    finally:
        np.random.set_state(state)  # noqa: NPY002


@pytest.mark.parametrize("seed", [2, 99])
def test_init_seed_equals_the_articles_init_layers(seed):
    state = np.random.get_state()  # noqa: NPY002
    try:
        reference = ref.init_layers(ref.NN_ARCHITECTURE, seed=seed)
    finally:
        np.random.set_state(state)  # noqa: NPY002
    net = Network(ref.NN_ARCHITECTURE, init="seed", seed=seed)
    for index, layer in enumerate(net.get_params(), start=1):
        assert np.array_equal(layer["W"], reference[f"W{index}"])
        assert np.array_equal(layer["b"], reference[f"b{index}"][:, 0])


def test_one_iteration_equals_the_articles_forward_cost_accuracy_backward_and_update():
    X_train, _, y_train, _ = article_data()
    net = Network(ref.NN_ARCHITECTURE, init="seed", seed=2)
    # trained a little so that no layer is trivially near its initial state
    train(net, X_train, y_train, epochs=5, learning_rate=0.05, optimizer="adam")
    params = reference_params_of(net)
    Y = y_train.reshape(1, -1)

    Y_hat, memory = ref.full_forward_propagation(X_train.T, params, ref.NN_ARCHITECTURE)
    layers = net.forward_layers(X_train)
    for index, A in enumerate(layers[:-1], start=1):
        np.testing.assert_allclose(A, memory[f"A{index}"].T, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(layers[-1], Y_hat.T, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(net.predict_proba(X_train), Y_hat[0], rtol=1e-12, atol=1e-15)
    assert np.array_equal(net.predict(X_train), ref.convert_prob_into_class(Y_hat)[0])

    loss, accuracy = net.evaluate(X_train, y_train)
    assert loss == pytest.approx(float(ref.get_cost_value(Y_hat, Y)), rel=1e-12)
    assert accuracy == float(ref.get_accuracy_value(Y_hat, Y))

    grads = ref.full_backward_propagation(Y_hat, Y, memory, params, ref.NN_ARCHITECTURE)
    loss_again, our_grads = net.loss_and_gradients(X_train, y_train)
    assert loss_again == pytest.approx(loss, rel=1e-14)
    for index, layer in enumerate(our_grads, start=1):
        np.testing.assert_allclose(layer["W"], grads[f"dW{index}"], rtol=1e-9, atol=1e-16)
        np.testing.assert_allclose(layer["b"], grads[f"db{index}"][:, 0], rtol=1e-9, atol=1e-16)

    updated = ref.update({k: v.copy() for k, v in params.items()}, grads, ref.NN_ARCHITECTURE, 0.01)
    metrics = Trainer(net, X_train, y_train, learning_rate=0.01).step_epoch()
    assert metrics.loss == pytest.approx(loss, rel=1e-14)
    assert metrics.accuracy == accuracy
    for index, layer in enumerate(net.get_params(), start=1):
        np.testing.assert_allclose(layer["W"], updated[f"W{index}"], rtol=1e-12, atol=1e-16)
        np.testing.assert_allclose(layer["b"], updated[f"b{index}"][:, 0], rtol=1e-12, atol=1e-16)


def test_full_batch_sgd_reproduces_the_articles_run_to_round_off():
    X_train, _, y_train, _ = article_data()
    epochs = 200
    reference_params, costs, accuracies = reference_run(X_train, y_train, epochs)

    net = Network(ref.NN_ARCHITECTURE, init="seed", seed=2)
    history = train(net, X_train, y_train, epochs=epochs, learning_rate=0.01)

    assert history.epochs == epochs
    assert history.stopped_reason is None
    np.testing.assert_allclose(history.loss, np.array(costs, dtype=float), rtol=1e-12, atol=0)
    assert history.accuracy == [float(a) for a in accuracies]
    for index, layer in enumerate(net.get_params(), start=1):
        W, b = reference_params[f"W{index}"], reference_params[f"b{index}"][:, 0]
        # parameters near zero carry only absolute round-off (~1e-17 for weights of ~0.1)
        np.testing.assert_allclose(layer["W"], W, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(layer["b"], b, rtol=1e-12, atol=1e-15)


def test_verbose_lines_match_the_articles_numbers(capsys):
    X_train, _, y_train, _ = article_data()
    _, costs, accuracies = reference_run(X_train, y_train, 101)
    net = Network(ref.NN_ARCHITECTURE, init="seed", seed=2)
    train(net, X_train, y_train, epochs=101, learning_rate=0.01, verbose=True)
    assert capsys.readouterr().out.splitlines() == [
        f"Iteration: {i:05} - cost: {float(costs[i]):.5f} - accuracy: {float(accuracies[i]):.5f}"
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
    assert module.NN_ARCHITECTURE == ref.NN_ARCHITECTURE
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
