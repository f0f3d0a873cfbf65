"""The whole window, driven by real mouse and keyboard events (headless, pytest-qt)."""

import numpy as np
import pytest
from PySide6.QtCore import QObject, QPointF, Qt, QThread, Slot
from PySide6.QtWidgets import QApplication, QSpinBox, QStyle

import nn_engine
from playground import MainWindow, main_window
from playground.controller import Controller
from playground.state import AddPoints, Architecture, DataSettings, Hyperparameters


def show_active(qtbot, window):
    """Show ``window`` and wait until it is active: window shortcuts need an active window.

    (``qtbot.waitActive`` returns too early on the offscreen platform.)
    """
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


@pytest.fixture
def window(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)  # closed (and its thread stopped) after the test
    show_active(qtbot, w)
    return w


def key(qtbot, window, k, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(window, k, modifier)


def wait_paused(qtbot, window):
    """Wait until the worker has reported that it is paused (the speed shows "paused")."""
    qtbot.waitUntil(lambda: window.speedLabel.text() == "paused", timeout=10_000)


def train_until(qtbot, window, epoch):
    key(qtbot, window, Qt.Key.Key_Space)
    assert window.trainButton.text() == "Pause"
    qtbot.waitUntil(lambda: window.epoch >= epoch, timeout=20_000)


def pixel(window, x, y):
    """Viewport position of data point (x, y) on the data plot."""
    plot = window.dataPlot
    return plot.mapFromScene(plot.plotItem.vb.mapViewToScene(QPointF(x, y)))


def click_data(qtbot, window, x, y, button=Qt.MouseButton.LeftButton, modifier=None):
    modifier = Qt.KeyboardModifier.NoModifier if modifier is None else modifier
    qtbot.mouseClick(window.dataPlot.viewport(), button, modifier, pixel(window, x, y))


def message(window):
    return window.statusBar().currentMessage()


def test_contract_object_names(window):
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QDoubleSpinBox, QLabel

    for name, cls in [
        ("datasetCombo", QComboBox),
        ("generateButton", QAbstractButton),
        ("trainButton", QAbstractButton),
        ("stepButton", QAbstractButton),
        ("resetButton", QAbstractButton),
        ("addLayerButton", QAbstractButton),
        ("learningRateSpin", QDoubleSpinBox),
        ("optimizerCombo", QComboBox),
        ("batchSizeSpin", QSpinBox),
        ("epochLabel", QLabel),
    ]:
        assert isinstance(window.findChild(cls, name), cls), name
    for name in ("dataPlot", "lossPlot", "accuracyPlot"):
        assert window.findChild(QObject, name) is not None, name
    assert window.trainButton.text() == "Train"
    assert window.epochLabel.text() == "Epoch 0"


def test_menu_entries_show_their_shortcuts(window):
    assert window.trainAction.shortcut().toString() == "Space"
    assert [s.toString() for s in window.stepAction.shortcuts()] == ["S", "Right"]
    assert window.resetAction.shortcut().toString() == "R"
    assert "(Space)" in window.trainButton.toolTip()
    assert "(S or →)" in window.stepButton.toolTip()
    assert "(R)" in window.resetButton.toolTip()
    assert [a.text() for a in window.trainingMenu.actions()] == [
        "&Train",
        "&Step one epoch",
        "&Reset",
        "&New weights",
    ]
    assert window.newWeightsAction.shortcut().toString() == "W"
    assert [s.toString() for s in window.redoAction.shortcuts()] == ["Ctrl+Shift+Z", "Ctrl+Y"]


def test_generate_then_train_loss_falls_and_accuracy_rises(qtbot, window):
    window.dataPanel.pointsSpin.setValue(200)
    qtbot.mouseClick(window.findChild(QObject, "generateButton"), Qt.MouseButton.LeftButton)
    assert len(window.points) == 200
    qtbot.mouseClick(window.trainButton, Qt.MouseButton.LeftButton)
    assert window.trainButton.text() == "Pause"
    qtbot.waitUntil(lambda: window.epoch >= 200, timeout=20_000)
    qtbot.mouseClick(window.trainButton, Qt.MouseButton.LeftButton)
    assert window.trainButton.text() == "Train"
    wait_paused(qtbot, window)
    curves = window.metricsPlots.curves
    epochs = curves["loss"].xData
    assert epochs.tolist() == list(range(1, window.epoch + 1))
    loss, accuracy = curves["loss"].yData, curves["accuracy"].yData
    assert loss[-1] < 0.5 * loss[0]
    assert accuracy[-1] > accuracy[0]
    assert accuracy[-1] >= 0.9
    assert len(curves["val_loss"].yData) == len(epochs)  # 20 % test points by default
    assert window.epochLabel.text() == f"Epoch {window.epoch:,}"
    assert window.trainAccuracyLabel.text() == f"{accuracy[-1]:.1%}"


def test_pause_then_step_trains_exactly_one_epoch(qtbot, window):
    train_until(qtbot, window, 5)
    key(qtbot, window, Qt.Key.Key_Space)
    wait_paused(qtbot, window)
    paused = window.epoch
    assert window.worker.trainer_settings()["epoch"] == paused
    key(qtbot, window, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: window.epoch == paused + 1)
    key(qtbot, window, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: window.epoch == paused + 2)
    assert window.worker.trainer_settings()["epoch"] == paused + 2
    assert window.epochLabel.text() == f"Epoch {paused + 2:,}"
    assert window.trainButton.text() == "Train"


def test_reset_returns_to_epoch_zero_with_the_same_initial_weights(qtbot, window):
    initial = window.worker.network_params()
    arch, hp = window.architecture, window.hyperparameters
    seeded = nn_engine.Network(arch.to_engine(), **hp.network_kwargs()).get_params()
    train_until(qtbot, window, 20)
    assert not np.array_equal(window.worker.network_params()[0]["W"], initial[0]["W"])
    key(qtbot, window, Qt.Key.Key_R)
    assert window.trainButton.text() == "Train"
    qtbot.waitUntil(lambda: window.epochLabel.text() == "Epoch 0")
    after = window.worker.network_params()
    for a, b, c in zip(initial, after, seeded, strict=True):
        assert np.array_equal(a["W"], b["W"]) and np.array_equal(a["b"], b["b"])
        assert np.array_equal(a["W"], c["W"]) and np.array_equal(a["b"], c["b"])
    assert window.worker.trainer_settings() is None  # a fresh run: no epoch trained yet
    assert window.metricsPlots.latest()["epoch"] is None


def test_painting_and_erasing_with_the_mouse(qtbot, window):
    qtbot.mouseClick(window.dataPanel.clearButton, Qt.MouseButton.LeftButton)
    assert len(window.points) == 0
    window.dataPlot.set_view_rect((-2.0, -2.0, 2.0, 2.0))
    (x0, y0, x1, y1) = window.dataPlot.view_rect()
    tolerance = 2 * (x1 - x0) / window.dataPlot.width()  # two pixels

    click_data(qtbot, window, 0.5, 0.5)  # left: the active class, 0
    click_data(qtbot, window, -0.5, -0.5, Qt.MouseButton.RightButton)  # right: the other
    key(qtbot, window, Qt.Key.Key_2)
    assert window.dataPlot.active_class == 1
    assert window.dataPanel.class1Button.isChecked()
    click_data(qtbot, window, 1.0, -1.0)  # left, now class 1
    assert window.points.labels.tolist() == [0, 1, 1]
    np.testing.assert_allclose(
        window.points.X, [[0.5, 0.5], [-0.5, -0.5], [1.0, -1.0]], atol=tolerance
    )
    assert not window.points.is_test.any()

    click_data(qtbot, window, 0.5, 0.5, modifier=Qt.KeyboardModifier.ControlModifier)
    assert window.points.labels.tolist() == [1, 1]
    np.testing.assert_allclose(window.points.X, [[-0.5, -0.5], [1.0, -1.0]], atol=tolerance)
    assert window.undoAction.text() == "&Undo Erase 1 point"

    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.points.labels.tolist() == [0, 1, 1]
    key(qtbot, window, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert window.points.labels.tolist() == [1, 1]


def test_undo_and_redo_generate(qtbot, window):
    before = window.points.copy()
    window.dataPanel.dataSeedSpin.setValue(5)
    qtbot.mouseClick(window.dataPanel.generateButton, Qt.MouseButton.LeftButton)
    after = window.points.copy()
    assert after != before
    assert window.undoAction.text() == "&Undo Generate moons"
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.points == before
    shift_ctrl = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    key(qtbot, window, Qt.Key.Key_Z, shift_ctrl)
    assert window.points == after


def test_points_painted_while_training_join_without_a_restart(qtbot, window):
    train_until(qtbot, window, 5)
    count = len(window.points)
    click_data(qtbot, window, 0.0, 0.0)
    assert len(window.points) == count + 1
    reached = window.epoch
    qtbot.waitUntil(lambda: window.epoch >= reached + 5)  # still the same run
    assert window.is_training


def test_layer_edits_reach_the_network(qtbot, window):
    assert window.worker.network_sizes() == [2, 16, 16, 1]
    qtbot.mouseClick(window.layerEditor.addLayerButton, Qt.MouseButton.LeftButton)
    assert message(window) == "Network re-initialised: 2 → 16 → 16 → 16 → 1 · 609 parameters"
    assert window.worker.network_sizes() == [2, 16, 16, 16, 1]

    spin = window.findChild(QSpinBox, "layerUnitsSpin_0")
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "4")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert window.worker.network_sizes() == [2, 4, 16, 16, 1]

    combo = window.findChild(QObject, "layerActivationCombo_1")
    combo.setCurrentIndex(combo.findData("relu"))
    remove = window.findChild(QObject, "removeLayerButton_2")
    qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)
    layers = window.worker.network_architecture()
    assert [(la["output_dim"], la["activation"]) for la in layers] == [
        (4, "tanh"),
        (16, "relu"),
        (1, "sigmoid"),
    ]
    assert message(window) == "Network re-initialised: 2 → 4 → 16 → 1 · 109 parameters"
    assert window.epochLabel.text() == "Epoch 0"


def test_hyperparameter_changes_reach_the_running_worker(qtbot, window):
    train_until(qtbot, window, 3)
    spin = window.trainingPanel.learningRateSpin
    spin.setFocus()
    qtbot.keyClick(spin, Qt.Key.Key_Up)  # 0.01 -> 0.02
    assert window.worker.trainer_settings()["learning_rate"] == 0.02

    panel = window.trainingPanel
    panel.regularizationCombo.setCurrentIndex(panel.regularizationCombo.findData("l2"))
    rate = panel.regularizationRateSpin
    rate.setFocus()
    rate.selectAll()
    qtbot.keyClicks(rate, "0.001")
    qtbot.keyClick(rate, Qt.Key.Key_Return)
    batch = window.findChild(QSpinBox, "batchSizeSpin")
    batch.setFocus()
    for _ in range(6):
        qtbot.keyClick(batch, Qt.Key.Key_Up)  # full batch -> 1, 2, 4, 8, 16, 32
    settings = window.worker.trainer_settings()
    assert (settings["l1"], settings["l2"], settings["batch_size"]) == (0.0, 0.001, 32)
    assert settings["epoch"] >= 3  # the same run goes on
    assert window.is_training


def test_optimizer_change_starts_a_new_run(qtbot, window):
    combo = window.findChild(QObject, "optimizerCombo")
    combo.setCurrentIndex(combo.findData("sgd"))
    assert message(window).startswith("Optimizer is now SGD: network re-initialised")
    key(qtbot, window, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: window.epoch == 1)
    assert window.worker.trainer_settings()["optimizer"] == "sgd"


def test_invalid_states_give_messages_not_exceptions(qtbot, window):
    qtbot.mouseClick(window.dataPanel.clearButton, Qt.MouseButton.LeftButton)
    key(qtbot, window, Qt.Key.Key_Space)
    assert message(window) == (
        "Cannot train: need at least 2 points of each class "
        "(training points: 0 of class 0, 0 of class 1)."
    )
    assert window.trainButton.text() == "Train" and not window.is_training

    window.dataPlot.set_view_rect((-2.0, -2.0, 2.0, 2.0))
    click_data(qtbot, window, 0.5, 0.5)
    click_data(qtbot, window, 1.0, 0.5)
    key(qtbot, window, Qt.Key.Key_Space)  # one class only
    assert message(window) == (
        "Cannot train: need at least 2 points of each class "
        "(training points: 2 of class 0, 0 of class 1)."
    )
    assert not window.is_training
    click_data(qtbot, window, -0.5, -0.5, Qt.MouseButton.RightButton)
    key(qtbot, window, Qt.Key.Key_S)
    assert message(window) == (
        "Cannot train: need at least 2 points of each class "
        "(training points: 2 of class 0, 1 of class 1)."
    )
    assert window.epoch == 0


def test_erasing_a_class_while_training_pauses_with_a_message(qtbot, window):
    train_until(qtbot, window, 3)
    qtbot.mouseClick(window.dataPanel.clearButton, Qt.MouseButton.LeftButton)
    assert not window.is_training
    assert window.trainButton.text() == "Train"
    assert message(window).startswith("Training paused: need at least 2 points of each class")


def test_divergence_stops_training_with_a_message(qtbot, window):
    data = DataSettings(n_points=100, noise=0.1, seed=0, test_ratio=0.0)
    architecture = Architecture.from_units([8, 8], activation="linear")
    hyper = Hyperparameters(
        optimizer="sgd", learning_rate=10.0, init="seed", seed=1, precision="float64"
    )
    # The same run without the window, for the engine's message and restored epoch.
    points = data.generate()
    net = nn_engine.Network(architecture.to_engine(), **hyper.network_kwargs())
    trainer = nn_engine.Trainer(net, points.X, points.labels, **hyper.trainer_kwargs())
    with pytest.raises(nn_engine.DivergenceError) as diverged:
        trainer.run(1000)
    restored = diverged.value.restored_epoch

    window.set_data_settings(data)  # regenerates these points
    window.set_architecture(architecture)
    window.set_hyperparameters(hyper)
    key(qtbot, window, Qt.Key.Key_Space)
    expected = f"{diverged.value} — lower the learning rate"
    qtbot.waitUntil(lambda: message(window) == expected, timeout=10_000)
    assert expected.startswith("loss exceeded ")
    assert window.trainButton.text() == "Train"
    # The worker's report after giving up the failed epochs (running ones say "… epochs/s").
    qtbot.waitUntil(
        lambda: (
            (window.epochLabel.text(), window.speedLabel.text()) == (f"Epoch {restored}", "paused")
        )
    )
    # The curves went back with the engine: training on continues them without a gap.
    assert window.metricsPlots.curves["loss"].xData.tolist() == list(range(1, restored + 1))
    window.set_hyperparameters(
        Hyperparameters(
            optimizer="sgd", learning_rate=0.001, init="seed", seed=1, precision="float64"
        )
    )
    key(qtbot, window, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: window.epoch == restored + 1)
    assert window.metricsPlots.curves["loss"].xData.tolist() == list(range(1, restored + 2))


def test_an_exception_in_the_worker_is_shown_and_the_app_keeps_working(qtbot, window, monkeypatch):
    def broken(self, interrupt=None):
        raise RuntimeError("boom")

    monkeypatch.setattr(nn_engine.Trainer, "step_batch", broken)  # the worker trains by batch
    key(qtbot, window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: message(window) == "Training stopped by an error: RuntimeError: boom")
    assert window.trainButton.text() == "Train"
    monkeypatch.undo()
    key(qtbot, window, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: window.epoch == 1)


def test_shortcuts_work_while_a_spin_box_has_the_focus(qtbot, window):
    window.trainingPanel.learningRateSpin.setFocus()
    qtbot.keyClick(window.trainingPanel.learningRateSpin, Qt.Key.Key_Space)
    assert window.is_training
    qtbot.keyClick(window.trainingPanel.learningRateSpin, Qt.Key.Key_Space)
    assert not window.is_training


def test_class_keys_eraser_and_show_test(qtbot, window):
    key(qtbot, window, Qt.Key.Key_2)
    assert window.dataPanel.active_class() == 1 and window.dataPlot.active_class == 1
    key(qtbot, window, Qt.Key.Key_1)
    assert window.dataPanel.active_class() == 0 and window.dataPlot.active_class == 0
    key(qtbot, window, Qt.Key.Key_E)
    assert window.dataPlot.eraser and window.dataPanel.eraserButton.isChecked()
    qtbot.mouseClick(window.dataPanel.class1Button, Qt.MouseButton.LeftButton)
    assert not window.dataPlot.eraser and window.dataPlot.active_class == 1

    assert all(s.isVisible() for s in window.dataPlot.test_scatters)
    qtbot.mouseClick(window.dataPanel.showTestCheck, Qt.MouseButton.LeftButton)
    assert not any(s.isVisible() for s in window.dataPlot.test_scatters)
    assert not window.showTestAction.isChecked()
    key(qtbot, window, Qt.Key.Key_T)
    assert all(s.isVisible() for s in window.dataPlot.test_scatters)
    assert window.dataPanel.showTestCheck.isChecked()


class SnapshotRecorder(QObject):
    def __init__(self):
        super().__init__()
        self.snapshots = []

    @Slot(object)
    def on_snapshot(self, snapshot):
        self.snapshots.append(snapshot)


def test_the_decision_map_follows_the_view_while_paused(qtbot, window):
    recorder = SnapshotRecorder()
    window.worker.sigSnapshot.connect(recorder.on_snapshot)
    window.dataPlot.set_view_rect((-4.0, -3.0, 4.0, 3.0))
    qtbot.waitUntil(
        lambda: any(
            s.grid is not None and s.rect == window.dataPlot.view_rect() for s in recorder.snapshots
        )
    )
    x0, y0, x1, y1 = window.dataPlot.view_rect()
    assert x0 <= -4.0 and x1 >= 4.0 and y0 <= -3.0 and y1 >= 3.0
    image = window.dataPlot.regions_item
    rect = image.mapRectToParent(image.boundingRect())
    assert (rect.left(), rect.top(), rect.right(), rect.bottom()) == pytest.approx((x0, y0, x1, y1))
    assert window.epoch == 0


class RecordingController(Controller):
    """Records the thread in which the handlers of the worker's signals run."""

    slot_threads: list = []

    def _on_snapshot(self, snapshot):
        self.slot_threads.append(("snapshot", QThread.currentThread()))
        super()._on_snapshot(snapshot)

    def _on_worker_stopped(self, message, commands_done, error):
        self.slot_threads.append(("error" if error else "stopped", QThread.currentThread()))
        super()._on_worker_stopped(message, commands_done, error)


def test_slots_that_touch_widgets_run_in_the_gui_thread(qtbot, monkeypatch):
    # A subclass overriding the slots must still run them in the GUI thread (PySide6 would
    # run an overridden slot in the emitting thread if the worker connected to it directly).
    RecordingController.slot_threads = []
    monkeypatch.setattr(main_window, "Controller", RecordingController)
    window = MainWindow()
    window.slot_threads = RecordingController.slot_threads
    qtbot.addWidget(window)
    show_active(qtbot, window)
    train_until(qtbot, window, 5)
    window.pause()
    qtbot.mouseClick(window.dataPanel.clearButton, Qt.MouseButton.LeftButton)
    window.worker.step()  # bypasses the window's check: the worker itself refuses
    qtbot.waitUntil(lambda: any(kind == "stopped" for kind, _ in window.slot_threads))
    monkeypatch.setattr(nn_engine.Trainer, "step_epoch", lambda self: 1 / 0)
    window.undo_stack.undo()
    window.step()
    qtbot.waitUntil(lambda: any(kind == "error" for kind, _ in window.slot_threads))

    gui_thread = QApplication.instance().thread()
    assert {kind for kind, _ in window.slot_threads} == {"snapshot", "stopped", "error"}
    names = {thread.objectName() for _, thread in window.slot_threads}
    assert names == {gui_thread.objectName()} and gui_thread.objectName() != "trainingThread"
    assert all(thread is gui_thread for _, thread in window.slot_threads)
    assert window.worker.thread() is window.training_thread
    assert window.training_thread is not gui_thread


def test_closing_while_training_stops_the_thread(qtbot):
    window = MainWindow()
    show_active(qtbot, window)
    train_until(qtbot, window, 10)
    assert window.training_thread.isRunning()
    window.close()
    assert window.training_thread.isFinished()
    with pytest.raises(RuntimeError, match="the training worker has stopped"):
        window.worker.network_sizes()
    window.deleteLater()


def test_fits_1024_by_700(qtbot, window):
    hint = window.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 700
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.size().toTuple() == (1024, 700))
    assert window.dataPlot.width() >= 300 and window.dataPlot.height() >= 300


def test_undo_and_redo_look_like_undo_and_redo_not_epoch_arrows(window):
    style = window.style()
    arrows = [
        style.standardIcon(QStyle.StandardPixmap.SP_ArrowBack).pixmap(16).toImage(),
        style.standardIcon(QStyle.StandardPixmap.SP_ArrowForward).pixmap(16).toImage(),
    ]
    for action in (window.undoAction, window.redoAction):
        image = action.icon().pixmap(16).toImage()
        assert not image.isNull() and all(image != arrow for arrow in arrows)
    assert window.undoButton.parent() is window.editToolBar
    assert window.trainButton.parent() is window.trainingToolBar
    window.push_edit(AddPoints([[0.0, 0.0]], [1]))
    assert window.undoAction.toolTip().startswith("Undo")
