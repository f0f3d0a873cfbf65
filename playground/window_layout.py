"""How the window is laid out: its menus, toolbars and the three columns between them.

The window (``playground.main_window``) creates its panels and actions; these functions place
them::

    menus ........................................................ [◧] [◨]  panel toggles
    [Train][Step][Reset][New weights] [↶][↷]  [Epoch 1,234 | Train ... | Test ...]  toolbars
    ┌ controls ┐ ┌ data plot ─────────────────────┐ ┌ network view (when there is one) ┐
    │ Data     │ │                                │ ├ rightTabs: Metrics | ...         ┤
    │ Network  │ │  the largest element, always   │ │   loss                           │
    │ Training │ │                                │ │   accuracy                       │
    └──────────┘ └────────────────────────────────┘ └──────────────────────────────────┘

The three columns sit in the splitter ``mainSplitter``, whose sizes QSettings remembers. Each
side column folds into a strip of section names (``playground.widgets.side_column``): by View ▸
Controls (Ctrl+B) and View ▸ the right column (Ctrl+Shift+B), by the buttons at the right end of
the menu bar, or by itself when the window gets too narrow for it (the right column first); a
column that folded for lack of room unfolds again when the window is wide enough.

The stats strip sits in the toolbar row, where it costs no height of its own; when the row is
too narrow, Step, Reset and New weights lose their text (not their icon and tooltip), and below
that the stats get a row of their own. With both columns folded and the stats on their own
row, the window gets as narrow as about 470 px; the data plot never gets smaller than
``DATA_PLOT_MINIMUM``.
"""

from PySide6.QtCore import (
    QByteArray,
    QDataStream,
    QEvent,
    QObject,
    QPointF,
    QRectF,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import QAction, QColor, QIcon, QKeySequence, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.widgets.cards import card, plain_card
from playground.widgets.side_column import STRIP_WIDTH, FoldingColumn

SPLITTER_STATE_MARKER = 0xFF  # QSplitter.saveState() begins with it, then its version (Qt 6: 1)
# The data plot is never smaller than this (the window's minimum size follows from it).
DATA_PLOT_MINIMUM = QSize(300, 250)
# A side column folds for lack of room rather than leave the data plot less than this width.
DATA_PLOT_COMFORTABLE_WIDTH = 400
# The right column's share of the width beyond its own minimum and the data plot's comfortable
# width, at first: the data plot gets the room first in a small window, both grow together.
RIGHT_COLUMN_SHARE = 0.4
# The network view's share of the right column's height, at first (the user may drag it).
NETWORK_VIEW_HEIGHT, METRICS_HEIGHT = 3, 2


class LetShortcutsThrough(QObject):
    """Event filter: spin boxes let Space, S, R, W and D through (Train, Step, Reset, New, D).

    A focused spin box normally claims every printable key, so after clicking its arrows the
    window shortcuts would stop working. These keys are never valid input for a number.
    """

    KEYS = frozenset({Qt.Key.Key_Space, Qt.Key.Key_S, Qt.Key.Key_R, Qt.Key.Key_W, Qt.Key.Key_D})

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        return (
            event.type() == QEvent.Type.ShortcutOverride
            and event.key() in self.KEYS
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
        )


def panel_icon(edge: Qt.Edge) -> QIcon:
    """A window outline with its left or right panel drawn filled when the action is on."""
    icon = QIcon()
    for state, filled in ((QIcon.State.Off, False), (QIcon.State.On, True)):
        for scale in (1, 2):
            pixmap = QPixmap(16 * scale, 16 * scale)
            pixmap.setDevicePixelRatio(scale)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            ink = QColor("#374151")
            painter.setPen(QPen(ink, 1.2))
            frame = QRectF(1.5, 2.5, 13, 11)
            painter.drawRoundedRect(frame, 2, 2)
            x = 6.0 if edge == Qt.Edge.LeftEdge else 10.0
            painter.drawLine(QPointF(x, 2.5), QPointF(x, 13.5))
            if filled:
                left = 1.5 if edge == Qt.Edge.LeftEdge else x
                panel = QRectF(left, 2.5, 4.5, 11)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(ink)
                painter.drawRoundedRect(panel, 1.5, 1.5)
            painter.end()
            icon.addPixmap(pixmap, QIcon.Mode.Normal, state)
    return icon


def build_menus_and_toolbars(window: QMainWindow) -> None:
    """The menus (File, Edit, View, Training), the toolbars and the panel toggles.

    Toolbars: the run controls, undo/redo apart from them (they undo edits, not epochs), and
    the stats strip. Sets ``window.fileMenu`` ..., ``window.controlColumnAction`` and
    ``window.rightColumnAction`` (checkable, View menu) and the toolbar buttons' objectNames
    (``trainButton``, ``stepButton``, ``resetButton``, ...).
    """
    window.controlColumnAction = _column_action(
        window, "&Controls", "Ctrl+B", "the controls (Data, Network, Training)", Qt.Edge.LeftEdge
    )
    window.rightColumnAction = _column_action(
        window, "&Right Column", "Ctrl+Shift+B", "the right column", Qt.Edge.RightEdge
    )
    menus = window.menuBar()
    window.fileMenu = menus.addMenu("&File")
    window.fileMenu.addAction(window.quitAction)
    window.editMenu = menus.addMenu("&Edit")
    window.editMenu.addActions([window.undoAction, window.redoAction])
    window.editMenu.addSeparator()
    window.editMenu.addActions([*window.classActions, window.eraserAction])
    window.editMenu.addSeparator()
    window.editMenu.addActions([window.generateAction, window.clearAction])
    window.viewMenu = menus.addMenu("&View")
    window.viewMenu.addActions([window.showTestAction, window.fitViewAction])
    window.viewMenu.addSeparator()
    window.viewMenu.addActions([window.controlColumnAction, window.rightColumnAction])
    window.trainingMenu = menus.addMenu("&Training")
    run_actions = [
        window.trainAction,
        window.stepAction,
        window.resetAction,
        window.newWeightsAction,
    ]
    window.trainingMenu.addActions(run_actions)

    toolbar = _toolbar(window, "Training", "trainingToolBar")
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    toolbar.addActions(run_actions)
    # Undo and redo stand apart from the run controls: they undo edits, not epochs.
    edit_bar = _toolbar(window, "Edit", "editToolBar")
    edit_bar.setContentsMargins(14, 0, 0, 0)  # a gap after the run controls
    edit_bar.addActions([window.undoAction, window.redoAction])
    stats_bar = _toolbar(window, "Statistics", "statsToolBar")
    stats_bar.addWidget(window.stats)
    window.trainingToolBar, window.editToolBar, window.statsToolBar = toolbar, edit_bar, stats_bar
    for action, name in (
        (window.trainAction, "trainButton"),
        (window.stepAction, "stepButton"),
        (window.resetAction, "resetButton"),
        (window.newWeightsAction, "newWeightsButton"),
        (window.undoAction, "undoButton"),
        (window.redoAction, "redoButton"),
    ):
        button = toolbar.widgetForAction(action) or edit_bar.widgetForAction(action)
        button.setObjectName(name)
        setattr(window, name, button)
    window._update_train_controls(False)
    window.trainButton.setMinimumWidth(window.trainButton.sizeHint().width() + 12)
    for button in (window.undoButton, window.redoButton):
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    window.toolbarFitting = ToolbarFitting(window)

    toggles = QWidget()
    toggles.setObjectName("panelToggles")
    toggles_layout = QHBoxLayout(toggles)
    toggles_layout.setContentsMargins(0, 0, 4, 0)
    toggles_layout.setSpacing(2)
    for action, name in (
        (window.controlColumnAction, "controlColumnButton"),
        (window.rightColumnAction, "rightColumnButton"),
    ):
        button = QToolButton()
        button.setObjectName(name)
        button.setDefaultAction(action)
        button.setAutoRaise(True)
        button.setIconSize(QSize(16, 16))
        toggles_layout.addWidget(button)
        setattr(window, name, button)
    menus.setCornerWidget(toggles, Qt.Corner.TopRightCorner)
    window.panelToggles = toggles
    window.addActions(
        [*run_actions, *window.classActions, window.eraserAction, window.showTestAction]
        + [window.fitViewAction, window.controlColumnAction, window.rightColumnAction]
    )  # shortcuts work wherever the focus is in the window


def _toolbar(window: QMainWindow, title: str, name: str) -> QToolBar:
    toolbar = QToolBar(title, window)
    toolbar.setObjectName(name)
    toolbar.setMovable(False)
    toolbar.setIconSize(QSize(18, 18))
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
    return toolbar


def _column_action(window: QMainWindow, text: str, keys: str, what: str, edge: Qt.Edge) -> QAction:
    action = QAction(text, window, checkable=True, checked=True)
    action.setShortcut(QKeySequence(keys))
    action.setIcon(panel_icon(edge))
    action.setToolTip(f"Show or hide {what} ({keys})")
    return action


def build_central_layout(window: QMainWindow) -> None:
    """The control column, the data plot and the right column in the splitter
    ``window.mainSplitter`` (see the module doc).

    Sets ``window.controlColumn`` and ``window.rightColumn`` (FoldingColumns), ``window.
    rightTabs`` (a QTabWidget whose first tab is the metric plots; tabs may be added),
    ``window.rightSplitter`` (the network view, when the window has a ``networkView``, over
    ``rightTabs``), ``window.columnFolding`` and the Data card's subtitle ``window.
    dataSourceLabel``.
    """
    scroll, cards = _control_scroll_area(window)
    window.controlColumn = FoldingColumn(
        scroll,
        Qt.Edge.LeftEdge,
        "Controls",
        lambda: [(name, _reveal_in(scroll, each)) for name, each in cards],
    )
    window.controlColumn.setObjectName("controlColumnFold")

    center = QWidget()
    center.setObjectName("dataColumn")
    center_layout = QVBoxLayout(center)
    center_layout.setContentsMargins(4, 8, 4, 8)
    window.dataPlot.setMinimumSize(DATA_PLOT_MINIMUM)
    center_layout.addWidget(plain_card(window.dataPlot), 1)

    window.rightColumn = _right_column(window)

    splitter = ColumnSplitter(Qt.Orientation.Horizontal)
    splitter.setObjectName("mainSplitter")
    splitter.setChildrenCollapsible(False)
    for widget in (window.controlColumn, center, window.rightColumn):
        splitter.addWidget(widget)
    window.mainSplitter = splitter
    window.setCentralWidget(splitter)
    window.columnFolding = ColumnFolding(
        splitter,
        window.controlColumn,
        window.rightColumn,
        window.controlColumnAction,
        window.rightColumnAction,
    )


def _control_scroll_area(window: QMainWindow) -> tuple[QScrollArea, list[tuple[str, QFrame]]]:
    column = QWidget()
    column.setObjectName("controlColumn")
    column_layout = QVBoxLayout(column)
    column_layout.setContentsMargins(8, 8, 4, 8)
    column_layout.setSpacing(8)
    data_card, window.dataSourceLabel = card("Data", window.dataPanel, subtitle=True)
    window.dataSourceLabel.setObjectName("dataSourceLabel")
    cards = [
        ("Data", data_card),
        ("Network", card("Network", window.layerEditor)[0]),
        ("Training", card("Training", window.trainingPanel)[0]),
    ]
    for _, each in cards:
        column_layout.addWidget(each)
    column_layout.addStretch(1)
    scroll = QScrollArea()
    scroll.setObjectName("controlScroll")
    scroll.setWidget(column)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setMinimumWidth(
        column.sizeHint().width() + scroll.verticalScrollBar().sizeHint().width()
    )
    return scroll, cards


def _reveal_in(scroll: QScrollArea, widget: QWidget):
    # After the unfolded column's layout has run, or the scroll area would aim at old geometry.
    return lambda: QTimer.singleShot(0, lambda: scroll.ensureWidgetVisible(widget, 0, 8))


def _right_column(window: QMainWindow) -> FoldingColumn:
    tabs = QTabWidget()
    tabs.setObjectName("rightTabs")
    tabs.setDocumentMode(True)
    tabs.setTabBarAutoHide(True)  # one tab needs no tab bar
    tabs.addTab(window.metricsPlots, "Metrics")
    hidden = getattr(window, "hiddenSpaceView", None)
    if hidden is not None:
        tabs.addTab(hidden, "Hidden space")
    for button in tabs.tabBar().findChildren(QToolButton):  # shown when tabs do not fit
        direction = "left" if "Left" in button.objectName() else "right"
        button.setToolTip(f"Scroll the tabs {direction}")
    window.rightTabs = tabs
    splitter = QSplitter(Qt.Orientation.Vertical)
    splitter.setObjectName("rightSplitter")
    splitter.setChildrenCollapsible(False)
    network_view = getattr(window, "networkView", None)
    if network_view is not None:
        splitter.addWidget(plain_card(network_view))
        splitter.setStretchFactor(0, NETWORK_VIEW_HEIGHT)
    splitter.addWidget(plain_card(tabs))
    splitter.setStretchFactor(splitter.count() - 1, METRICS_HEIGHT)
    if network_view is not None:
        splitter.setSizes([100 * NETWORK_VIEW_HEIGHT, 100 * METRICS_HEIGHT])
    window.rightSplitter = splitter
    holder = QWidget()
    holder.setObjectName("rightColumn")
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(4, 8, 8, 8)
    layout.addWidget(splitter)

    def sections():
        shown = [("Network", lambda: None)] if network_view is not None else []
        for index in range(tabs.count()):
            shown.append((tabs.tabText(index).replace("&", ""), _select(tabs, index)))
        return shown

    title = "Network and Metrics" if network_view is not None else "Metrics"
    window.rightColumnAction.setText(f"&{title}")
    window.rightColumnAction.setToolTip(
        f"Show or hide the {title.lower()} ({window.rightColumnAction.shortcut().toString()})"
    )
    column = FoldingColumn(holder, Qt.Edge.RightEdge, title, sections)
    column.setObjectName("rightColumnFold")
    return column


def _select(tabs: QTabWidget, index: int):
    return lambda: tabs.setCurrentIndex(index)


def saved_splitter_sizes(state: QByteArray) -> list[int] | None:
    """The sizes in a ``QSplitter.saveState()``, None if it is not one.

    Read from the bytes because a hidden splitter's ``sizes()`` after ``restoreState`` are
    already squeezed into whatever width it has before the window is laid out.
    """
    stream = QDataStream(state)
    if stream.readInt32() != SPLITTER_STATE_MARKER or stream.readInt32() not in (0, 1):
        return None
    count = stream.readUInt32()
    if count > 16:
        return None
    sizes = [stream.readInt32() for _ in range(count)]
    return sizes if stream.status() == QDataStream.Status.Ok else None


class ColumnSplitter(QSplitter):
    """The three columns' splitter; restoring its saved state tells :attr:`folding` to take
    the saved widths as the user's."""

    folding: "ColumnFolding | None" = None

    def restoreState(self, state: QByteArray) -> bool:  # Qt override
        restored = super().restoreState(state)
        sizes = saved_splitter_sizes(state) if restored else None
        if sizes is not None and len(sizes) == 3 and self.folding is not None:
            self.folding.adopt_sizes(sizes)
        return restored


class ColumnFolding(QObject):
    """Sizes and folds the side columns so that the data plot always keeps its room.

    The widths follow from the splitter's width and three remembered choices: the control
    column's width (at first as narrow as its content allows), the right column's share of
    the spare width beside it (``RIGHT_COLUMN_SHARE`` at first; see :meth:`_right_spare`), and
    which columns are folded. A drag of a handle
    changes the first two, so shrinking the window and widening it again gives back the same
    layout.

    * The View actions (and the menu bar's toggles) fold and unfold a column. Unfolding one
      where there is no room for both folds the other.
    * When the window is too narrow for a column, it folds by itself (the right column first,
      unless the user unfolded it last) and unfolds again when the window is wide enough,
      unless the user folded it in between.
    * A drag of a splitter handle stops where a column would get narrower than its content
      (QSplitter would otherwise squeeze the column beyond the neighbour it pushes), and
      neither side column gets wider than the data plot.
    """

    def __init__(
        self,
        splitter: ColumnSplitter,
        left: FoldingColumn,
        right: FoldingColumn,
        left_action: QAction,
        right_action: QAction,
    ) -> None:
        super().__init__(splitter)
        self._splitter = splitter
        self._left, self._right = left, right
        self._actions = {left: left_action, right: right_action}
        self._squeezed: set[FoldingColumn] = set()  # folded for lack of room
        self._kept_longest = left  # folds last when room runs out
        self._left_width = left.unfolded_minimum_width()
        self._right_share = RIGHT_COLUMN_SHARE
        self._pending = False
        self._fitting = False
        for column, action in self._actions.items():
            column.sigFoldedChanged.connect(
                lambda folded, squeezed, column=column: self._on_folded(column, folded, squeezed)
            )
            action.toggled.connect(lambda on, column=column: self.set_unfolded(column, on))
            column.sigUnfoldRequested.connect(lambda column=column: self.set_unfolded(column, True))
        splitter.splitterMoved.connect(self._on_splitter_moved)
        splitter.installEventFilter(self)
        for index in (1, 2):
            splitter.handle(index).installEventFilter(self)
        splitter.folding = self

    @property
    def squeezed(self) -> frozenset[FoldingColumn]:
        """The columns folded for lack of room (they unfold when the window is wide enough)."""
        return frozenset(self._squeezed)

    def set_unfolded(self, column: FoldingColumn, unfolded: bool) -> None:
        """Unfold (True) or fold (False) ``column`` as the user asked."""
        self._squeezed.discard(column)
        if unfolded:
            self._kept_longest = column
            other = self._other(column)
            if not other.folded and self._minimum_width({column, other}) > self._available():
                self._squeezed.add(other)  # it comes back when the window is wide enough
                other.set_folded(True)
        column.set_folded(not unfolded)
        self.fit()

    def adopt_sizes(self, sizes: list[int] | None = None) -> None:
        """Take these sizes (by default the splitter's) as the user's choice of widths."""
        left, centre, right = self._splitter.sizes() if sizes is None else sizes
        if not self._left.folded and left >= self._left.unfolded_minimum_width():
            self._left_width = left
        spare = self._right_spare(centre + right)
        if not self._right.folded and spare > 0:
            share = (right - self._right.unfolded_minimum_width()) / spare
            self._right_share = min(max(share, 0.0), 1.0)

    def fit(self) -> None:
        """Fold what has no room, unfold what was squeezed and fits again, and size the
        columns (see the class doc)."""
        if self._fitting or self._splitter.width() <= 0:
            return
        self._fitting = True
        try:
            self._fold_to_fit()
            self._splitter.setSizes(self._sizes())
        finally:
            self._fitting = False

    # -- internals --------------------------------------------------------------------------------

    def _other(self, column: FoldingColumn) -> FoldingColumn:
        return self._right if column is self._left else self._left

    def _available(self) -> int:
        return self._splitter.width() - self._splitter.handleWidth() * 2

    def _centre_minimum(self) -> int:
        centre = self._splitter.widget(1)
        return max(centre.minimumSizeHint().width(), centre.minimumWidth())

    def _minimum_width(self, unfolded: set[FoldingColumn]) -> int:
        """The width the three columns need with these side columns unfolded, the data plot's
        column at its comfortable width."""
        sides = sum(
            column.unfolded_minimum_width() if column in unfolded else STRIP_WIDTH
            for column in (self._left, self._right)
        )
        return max(self._centre_minimum(), DATA_PLOT_COMFORTABLE_WIDTH) + sides

    def _fold_to_fit(self) -> None:
        available = self._available()
        wanted = {c for c in (self._left, self._right) if not c.folded or c in self._squeezed}
        unfolded = set(wanted)
        for column in (self._other(self._kept_longest), self._kept_longest):
            if column in unfolded and self._minimum_width(unfolded) > available:
                unfolded.discard(column)
        for column in (self._left, self._right):
            if column in wanted and column not in unfolded and not column.folded:
                self._squeezed.add(column)
                column.set_folded(True)
            elif column in unfolded and column.folded:
                column.set_folded(False)

    def _sizes(self) -> list[int]:
        available = self._available()
        centre_minimum = self._centre_minimum()
        left_minimum = self._left.unfolded_minimum_width()
        right_minimum = self._right.unfolded_minimum_width()
        right_fixed = STRIP_WIDTH if self._right.folded else right_minimum
        if self._left.folded:
            left = STRIP_WIDTH
        else:
            # A wider control column than its minimum only while the plot stays comfortable.
            comfortable = max(centre_minimum, DATA_PLOT_COMFORTABLE_WIDTH)
            room = available - comfortable - right_fixed
            left = max(min(self._left_width, room, (available - right_fixed) // 2), left_minimum)
        rest = available - left
        if self._right.folded:
            right = STRIP_WIDTH
        else:
            right = right_minimum + round(self._right_spare(rest) * self._right_share)
            right = max(min(right, rest - centre_minimum, rest // 2), right_minimum)
        return [left, rest - right, right]

    def _right_spare(self, beside_left: int) -> int:
        """What the right column's share is of: the width beside the control column, less the
        right column's minimum and the data plot's comfortable width."""
        comfortable = max(self._centre_minimum(), DATA_PLOT_COMFORTABLE_WIDTH)
        return max(beside_left - comfortable - self._right.unfolded_minimum_width(), 0)

    def _on_folded(self, column: FoldingColumn, folded: bool, squeezed: bool) -> None:
        # squeezed: sized below its content by someone else than fit() (restored sizes, say)
        if squeezed:
            self._squeezed.add(column)
        elif not folded:
            self._squeezed.discard(column)
        action = self._actions[column]
        blocked = action.blockSignals(True)
        action.setChecked(not folded)
        action.blockSignals(blocked)
        if squeezed:
            self._schedule_fit()  # not now: this runs inside the splitter's own layout pass

    def _schedule_fit(self) -> None:
        if not self._pending:
            self._pending = True
            QTimer.singleShot(0, self._run_scheduled_fit)

    def _run_scheduled_fit(self) -> None:
        self._pending = False
        self.fit()

    def _on_splitter_moved(self, pos: int, index: int) -> None:
        self.adopt_sizes()
        left, centre, right = self._splitter.sizes()
        if max(left, right) > centre:  # the data plot stays the largest element
            self.fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        kind = event.type()
        if watched is self._splitter:
            if kind in (QEvent.Type.Resize, QEvent.Type.Show):
                self.fit()
        elif kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease):
            pressed = kind == QEvent.Type.MouseButtonPress
            for column in (self._left, self._right):  # a handle's drag begins or ends
                column.hold_minimum(pressed)
        return False


class ToolbarFitting(QObject):
    """Keeps the toolbars on one row while they fit (see the module doc)."""

    COMPACTABLE = ("stepButton", "resetButton", "newWeightsButton")
    SLACK = 24  # the toolbar area's margins and spacing, and a little air

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._buttons = [getattr(window, name) for name in self.COMPACTABLE]
        self._saving = {}  # text-beside-icon width minus icon-only width, per button
        for button in self._buttons:
            wide = button.sizeHint().width()
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
            self._saving[button] = wide - button.sizeHint().width()
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        window.installEventFilter(self)

    @property
    def compact(self) -> bool:
        """True while Step, Reset and New weights show their icon only."""
        return self._buttons[0].toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly

    @property
    def stats_on_own_row(self) -> bool:
        return self._window.toolBarBreak(self._window.statsToolBar)

    def fit(self, width: int) -> None:
        window = self._window
        bars = (window.trainingToolBar, window.editToolBar, window.statsToolBar)
        shown = [bar for bar in bars if not bar.isHidden()]
        # Measured in the wide style, whatever the current one is.
        wide = sum(bar.sizeHint().width() for bar in shown) + self.SLACK
        if self.compact:
            wide += sum(self._saving.values())
        saving = sum(self._saving.values()) if not window.trainingToolBar.isHidden() else 0
        compact = wide > width
        own_row = wide - saving > width
        if own_row:
            compact = False  # on two rows there is room for the words again
        style = (
            Qt.ToolButtonStyle.ToolButtonIconOnly
            if compact
            else Qt.ToolButtonStyle.ToolButtonTextBesideIcon
        )
        for button in self._buttons:
            if button.toolButtonStyle() != style:
                button.setToolButtonStyle(style)
        if own_row != self.stats_on_own_row:
            if own_row:
                window.insertToolBarBreak(window.statsToolBar)
            else:
                window.removeToolBarBreak(window.statsToolBar)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if watched is self._window and event.type() == QEvent.Type.Resize:
            self.fit(event.size().width())
        return False
