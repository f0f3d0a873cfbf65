"""A side column of the window that folds into a narrow strip of section names.

Unfolded, the column shows its content. Folded, it shows a strip (``STRIP_WIDTH`` px) with a
chevron and one button per section, its name written bottom to top; a click asks to unfold the
column (``sigUnfoldRequested``: the window makes room for it) and brings that section into view.

Its ``minimumSizeHint`` is the strip's width whether folded or not, so a window of three
columns can always shrink to "strip, plot, strip" instead of refusing to get narrower (except
while :meth:`FoldingColumn.hold_minimum` holds it, during a drag of a splitter handle). The
window folds a column before it gets narrower than its content; should anything else squeeze
it so (a restored splitter state, say), it folds by itself and says so with
``sigFoldedChanged(True, squeezed=True)``.
"""

from collections.abc import Callable, Sequence

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QSizePolicy,
    QStyle,
    QStyleOptionToolButton,
    QStylePainter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

STRIP_WIDTH = 34  # with the inset of 6 px on the window's side

# (name, what to show once unfolded); asked again each time the column folds, so sections
# added later (a new tab) appear in the strip too.
Section = tuple[str, Callable[[], None]]


class UprightTextButton(QToolButton):
    """A flat tool button whose text runs bottom to top, for a narrow vertical strip."""

    PADDING = 8

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setText(text)
        self.setAutoRaise(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:  # Qt override
        metrics = self.fontMetrics()
        along = metrics.horizontalAdvance(self.text()) + 2 * self.PADDING
        return QSize(metrics.height() + self.PADDING, along)

    def minimumSizeHint(self) -> QSize:  # Qt override
        return self.sizeHint()

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        painter = QStylePainter(self)
        option = QStyleOptionToolButton()
        self.initStyleOption(option)
        option.text = ""
        painter.drawComplexControl(QStyle.ComplexControl.CC_ToolButton, option)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.translate(0, self.height())
        painter.rotate(-90)
        painter.setPen(self.palette().buttonText().color())
        painter.drawText(
            QRect(0, 0, self.height(), self.width()), Qt.AlignmentFlag.AlignCenter, self.text()
        )


class FoldingColumn(QWidget):
    """``content`` that folds into a strip on one ``edge`` of the window (see the module doc).

    Parameters
    ----------
    content : QWidget
        What the column shows unfolded.
    edge : Qt.Edge
        LeftEdge or RightEdge: the side of the window the column sits on (the chevron points
        inwards to unfold).
    title : str
        Names the column in tooltips ("Show the controls").
    sections : callable returning a sequence of (name, reveal) pairs
        The strip's buttons; asked whenever the column folds.

    Attributes
    ----------
    sigFoldedChanged : Signal(bool, bool)
        (folded, squeezed): squeezed is True when the column folded because it got narrower
        than its content needs, False when :meth:`set_folded` was called.
    sigUnfoldRequested : Signal()
        A button of the strip was clicked. Whoever sizes the columns unfolds it (with
        :meth:`set_folded`) and makes room for it; the section is revealed once it is unfolded.
    """

    sigFoldedChanged = Signal(bool, bool)
    sigUnfoldRequested = Signal()

    def __init__(
        self,
        content: QWidget,
        edge: Qt.Edge,
        title: str,
        sections: Callable[[], Sequence[Section]] = tuple,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        assert edge in (Qt.Edge.LeftEdge, Qt.Edge.RightEdge)
        self.content = content
        self.edge = edge
        self.title = title
        self._sections = sections
        self._folded = False
        self._preferred_width = 0  # the last width it had unfolded, to unfold to
        self._holding_minimum = False

        # The strip: a narrow card, inset like the window's other cards.
        self.strip = QWidget()
        self.strip.setFixedWidth(STRIP_WIDTH)
        inset = QVBoxLayout(self.strip)
        outer, inner = (6, 0) if edge == Qt.Edge.LeftEdge else (0, 6)
        inset.setContentsMargins(outer, 8, inner, 8)
        strip_card = QFrame()
        strip_card.setObjectName("foldStrip")
        inset.addWidget(strip_card)
        self._strip_layout = QVBoxLayout(strip_card)
        self._strip_layout.setContentsMargins(0, 4, 0, 4)
        self._strip_layout.setSpacing(2)
        self.unfoldButton = QToolButton()
        self.unfoldButton.setObjectName("unfoldButton")
        self.unfoldButton.setAutoRaise(True)
        inwards = Qt.ArrowType.RightArrow if edge == Qt.Edge.LeftEdge else Qt.ArrowType.LeftArrow
        self.unfoldButton.setArrowType(inwards)
        self.unfoldButton.setToolTip(f"Show the {title.lower()}")
        self.unfoldButton.clicked.connect(self.sigUnfoldRequested)
        self._strip_layout.addWidget(self.unfoldButton, 0, Qt.AlignmentFlag.AlignHCenter)
        self._section_buttons: list[UprightTextButton] = []
        self._strip_layout.addStretch(1)
        self.strip.hide()

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.content)
        layout.addWidget(self.strip)

    # -- public API -------------------------------------------------------------------------------

    @property
    def folded(self) -> bool:
        return self._folded

    @property
    def section_buttons(self) -> list[UprightTextButton]:
        """The strip's section buttons (rebuilt each time the column folds)."""
        return list(self._section_buttons)

    def unfolded_minimum_width(self) -> int:
        """The narrowest width at which the content is shown whole."""
        hint = self.content.minimumSizeHint().width()
        return max(hint, self.content.minimumWidth())

    def unfolded_width(self) -> int:
        """The width to unfold to: the last width it had unfolded, at least its minimum."""
        return max(self._preferred_width, self.unfolded_minimum_width())

    def set_unfolded_width(self, width: int) -> None:
        self._preferred_width = int(width)

    def hold_minimum(self, hold: bool) -> None:
        """While held, an unfolded column reports its content's minimum width as its own, so
        that a splitter drag stops there instead of squeezing it (the window holds it while a
        splitter handle is dragged)."""
        self._holding_minimum = bool(hold)
        self.updateGeometry()

    def set_folded(self, folded: bool) -> None:
        """Show the strip (True) or the content (False); emits sigFoldedChanged on a change."""
        self._set_folded(bool(folded), squeezed=False)

    # -- internals --------------------------------------------------------------------------------

    def _set_folded(self, folded: bool, squeezed: bool) -> None:
        if folded == self._folded:
            return
        self._folded = folded
        if folded:
            self._rebuild_strip()
        self.content.setVisible(not folded)
        self.strip.setVisible(folded)
        self.setMaximumWidth(STRIP_WIDTH if folded else 16_777_215)  # QWIDGETSIZE_MAX
        self.updateGeometry()
        self.sigFoldedChanged.emit(folded, squeezed)

    def _rebuild_strip(self) -> None:
        layout = self._strip_layout
        for button in self._section_buttons:
            layout.removeWidget(button)
            button.deleteLater()
        self._section_buttons = []
        for index, (name, reveal) in enumerate(self._sections(), start=1):
            button = UprightTextButton(name)
            button.setObjectName(f"foldSection{index}")
            button.setToolTip(f"Show the {self.title.lower()}: {name}")
            button.clicked.connect(lambda _=False, reveal=reveal: self._unfold_and(reveal))
            layout.insertWidget(index, button, 0, Qt.AlignmentFlag.AlignHCenter)
            self._section_buttons.append(button)

    def _unfold_and(self, reveal: Callable[[], None]) -> None:
        self.sigUnfoldRequested.emit()
        if not self._folded:
            reveal()

    # -- Qt overrides -----------------------------------------------------------------------------

    def minimumSizeHint(self) -> QSize:  # Qt override
        # As narrow as the strip (see the module doc); as tall as the shown part needs.
        shown = self.strip if self._folded else self.content
        held = self._holding_minimum and not self._folded
        width = self.unfolded_minimum_width() if held else STRIP_WIDTH
        return QSize(width, shown.minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        self._fold_if_squeezed()

    def showEvent(self, event: QShowEvent) -> None:  # Qt override
        super().showEvent(event)
        self._fold_if_squeezed()  # it may have been sized while hidden

    def _fold_if_squeezed(self) -> None:
        if self._folded or not self.isVisible():
            return
        if self.width() < self.unfolded_minimum_width():
            self._set_folded(True, squeezed=True)
        else:
            self._preferred_width = self.width()
