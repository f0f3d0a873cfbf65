"""DataSettings.noise is scaled per data set: 0.2 shows each shape clearly, 1 is very noisy."""

import numpy as np
import pytest

import nn_engine
from playground.state import DataSettings
from playground.state.data_settings import GENERATOR_CHOICES, NOISE_SCALE
from playground.state.presets import CIRCLES, SPIRAL, XOR


def jitter(generator: str, noise: float) -> np.ndarray:
    """The points' offsets from the same data set without noise (the same seed draws the
    same points, then the same standard normal numbers, scaled by the noise)."""
    noisy = DataSettings(generator=generator, n_points=2000, noise=noise, seed=7).generate().X
    clean = DataSettings(generator=generator, n_points=2000, noise=0.0, seed=7).generate().X
    return noisy - clean


def test_every_generator_has_a_scale():
    assert set(NOISE_SCALE) == set(GENERATOR_CHOICES)
    assert NOISE_SCALE == {
        "moons": 1.0,
        "circles": 0.5,
        "xor": 0.5,
        "gaussians": 1.0,
        "spiral": 0.25,
    }


@pytest.mark.parametrize("generator", ["moons", "circles", "xor", "spiral"])
def test_generate_passes_the_scaled_noise_to_the_engine(generator):
    settings = DataSettings(generator=generator, n_points=300, noise=0.6, seed=4)
    X, y = nn_engine.datasets.GENERATORS[generator](300, noise=0.6 * NOISE_SCALE[generator], seed=4)
    command = settings.generate()
    np.testing.assert_array_equal(command.X, X)
    np.testing.assert_array_equal(command.labels, y)
    assert settings.engine_noise() == 0.6 * NOISE_SCALE[generator]


@pytest.mark.parametrize("generator", ["moons", "circles", "xor", "spiral"])
def test_spread_grows_in_proportion_to_the_noise(generator):
    # The same standard normal draws scaled: the spread at 1.0 is five times that at 0.2.
    low, high = jitter(generator, 0.2), jitter(generator, 1.0)
    np.testing.assert_allclose(high, 5 * low, rtol=1e-9, atol=1e-12)
    assert low.std() == pytest.approx(0.2 * NOISE_SCALE[generator], rel=0.05)


def test_default_noise_keeps_the_circles_apart():
    # Radii 1 and 0.5: at noise 0.2 (jitter 0.1 per coordinate) few points cross the middle.
    command = DataSettings(generator="circles", n_points=2000, noise=0.2, seed=1).generate()
    radius = np.hypot(*command.X.T)
    crossed = np.where(command.labels == 0, radius < 0.75, radius > 0.75)
    assert crossed.mean() < 0.02
    very_noisy = DataSettings(generator="circles", n_points=2000, noise=1.0, seed=1).generate()
    radius = np.hypot(*very_noisy.X.T)
    crossed = np.where(very_noisy.labels == 0, radius < 0.75, radius > 0.75)
    assert crossed.mean() > 0.25


def test_default_noise_keeps_the_spiral_arms_apart():
    # Nearest clean point of each noisy point: on its own arm for nearly all at 0.2.
    def own_arm_share(noise: float) -> float:
        noisy = DataSettings(generator="spiral", n_points=1000, noise=noise, seed=3).generate()
        clean = DataSettings(generator="spiral", n_points=1000, noise=0.0, seed=3).generate()
        distances = np.linalg.norm(noisy.X[:, None, :] - clean.X[None, :, :], axis=2)
        nearest = distances.argmin(axis=1)
        return float((clean.labels[nearest] == noisy.labels).mean())

    assert own_arm_share(0.2) > 0.95
    assert own_arm_share(1.0) < 0.8


def test_gaussians_spread_is_0_3_plus_noise():
    for noise in (0.0, 0.2, 1.0):
        command = DataSettings(generator="gaussians", n_points=4000, noise=noise, seed=2).generate()
        centres = np.where(command.labels[:, None] == 1, 1.0, -1.0)
        assert (command.X - centres).std() == pytest.approx(0.3 + noise, rel=0.05)


def test_presets_keep_the_data_they_were_measured_on():
    # Before the scale, these presets asked the engine for 0.1, 0.1 and 0.05 directly.
    assert XOR.data_settings.engine_noise() == 0.1
    assert CIRCLES.data_settings.engine_noise() == 0.1
    assert SPIRAL.data_settings.engine_noise() == 0.05
