"""The article's full experiment, with nn_engine.

"Let's code a Neural Network in plain NumPy" trains a 2-25-50-50-25-1 network (ReLU hidden
layers, one sigmoid output) on scikit-learn's moons, 1000 points with noise 0.2 (data seed 100),
10 % held out for testing (split seed 42), initialised with the article's ``randn * 0.1`` from
seed 2, by full-batch gradient descent with learning rate 0.01 for 10 000 epochs. It prints the
article's progress line every 50 epochs and the test accuracy at the end (0.98 in the article).

Run it with ``python examples/article_experiment.py`` (about 15-30 s on one core).
"""

import time

from nn_engine import Network, datasets, train

N_SAMPLES = 1000
NOISE = 0.2
DATA_SEED = 100
TEST_SIZE = 0.1
SPLIT_SEED = 42
# (input_dim, output_dim, activation) of each layer: 2-25-50-50-25-1, ReLU, then one sigmoid
LAYERS = [(2, 25, "relu"), (25, 50, "relu"), (50, 50, "relu"), (50, 25, "relu"), (25, 1, "sigmoid")]
NN_ARCHITECTURE = [  # the article's format: one dict per layer
    {"input_dim": n_in, "output_dim": n_out, "activation": activation}
    for n_in, n_out, activation in LAYERS
]
INIT_SEED = 2
LEARNING_RATE = 0.01
EPOCHS = 10_000


def main() -> float:
    """Run the experiment; returns the test accuracy."""
    X, y = datasets.moons(N_SAMPLES, noise=NOISE, seed=DATA_SEED)
    X_train, X_test, y_train, y_test = datasets.train_test_split(
        X, y, test_size=TEST_SIZE, seed=SPLIT_SEED
    )
    net = Network(NN_ARCHITECTURE, init="seed", seed=INIT_SEED)
    print(f"{net}, {len(X_train)} training and {len(X_test)} test samples")

    start = time.perf_counter()
    history = train(net, X_train, y_train, epochs=EPOCHS, learning_rate=LEARNING_RATE, verbose=True)
    elapsed = time.perf_counter() - start
    if history.stopped_reason is not None:
        print(f"Training stopped: {history.stopped_reason}")

    train_accuracy = float((net.predict(X_train) == y_train).mean())
    test_accuracy = float((net.predict(X_test) == y_test).mean())
    print(f"Trained {history.epochs} epochs in {elapsed:.1f} s")
    print(f"Train set accuracy: {train_accuracy:.2f}")
    print(f"Test set accuracy: {test_accuracy:.2f}")
    return test_accuracy


if __name__ == "__main__":
    main()
