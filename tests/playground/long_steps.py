"""A training step that lasts until the test says so: a deterministic stand-in for an epoch
of seconds (a big network on many points), without timing anything."""

import threading

import nn_engine


class LongStep:
    """Makes one training step (the ``step``-th call, 0-based, of ``Network.forward_backward``
    with an interrupt) stop inside its forward pass, after the first layer, until
    :meth:`release` is called: the step is under way and has not finished.

    ``entered`` is set when the step reaches that point. Released, the step goes on to its
    next layer check, where the trainer's interrupt decides whether it is abandoned;
    ``interrupted`` then says whether it was (None until the step has ended either way).
    """

    def __init__(self, monkeypatch, step: int = 0):
        self.entered = threading.Event()
        self.interrupted: bool | None = None
        self._gate = threading.Event()
        self._calls = 0
        original = nn_engine.Network.forward_backward

        def forward_backward(net, X, y, grad, interrupted=None):
            if interrupted is None:
                return original(net, X, y, grad, interrupted)
            call, self._calls = self._calls, self._calls + 1
            if call != step:
                return original(net, X, y, grad, interrupted)
            checks = [0]

            def check() -> bool:
                checks[0] += 1
                if checks[0] == 2:  # before the second layer: the first one took "long"
                    self.entered.set()
                    if not self._gate.wait(30):
                        raise AssertionError("the test never released the long step")
                return interrupted()

            try:
                result = original(net, X, y, grad, check)
            except nn_engine.TrainingInterrupted:
                self.interrupted = True
                raise
            self.interrupted = False
            return result

        monkeypatch.setattr(nn_engine.Network, "forward_backward", forward_backward)

    def release(self) -> None:
        self._gate.set()
