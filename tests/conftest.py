"""Test-wide setup: headless Qt, PySide6 for pyqtgraph, a hypothesis profile for slow CI machines.

The environment variables must be set before anything imports Qt or pyqtgraph.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PYQTGRAPH_QT_LIB"] = "PySide6"

from hypothesis import HealthCheck, settings  # noqa: E402

# Two shared cores: wall-clock deadlines would make property tests flaky, not stricter.
settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("default")
