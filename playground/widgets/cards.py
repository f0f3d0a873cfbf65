"""The white rounded cards that frame the window's panels (see the window's style sheet).

A titled card folds: a click on its title (an arrow and the name) hides everything below it,
so that in a short window the user can put away the Data card and see the Training card whole.
"""

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)


class CardTitle(QToolButton):
    """A card's title: an arrow and the name; checked while the card is open."""

    def __init__(self, title: str, parts: list[QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("panelTitle")
        self.setText(title)
        self.setCheckable(True)
        self.setChecked(True)
        self.setAutoRaise(True)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setArrowType(Qt.ArrowType.DownArrow)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(f"Fold or unfold the {title} card")
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)
        font.setBold(True)
        self.setFont(font)
        self._parts = parts
        self.toggled.connect(self._show_parts)

    def _show_parts(self, shown: bool) -> None:
        self.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        for part in self._parts:
            part.setVisible(shown)


def card(title: str, content: QWidget, subtitle: bool = False) -> tuple[QFrame, QLabel | None]:
    """A titled card around ``content`` that folds (see the module doc), and its subtitle
    label when ``subtitle`` (a wrapped grey line under the title), else None. The title is
    the card's ``title`` attribute."""
    frame = QFrame()
    frame.setObjectName("panelCard")
    frame.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(10, 6, 10, 10)
    layout.setSpacing(6)
    parts: list[QWidget] = []
    extra = None
    if subtitle:
        extra = QLabel()
        extra.setObjectName("panelSubtitle")
        extra.setWordWrap(True)
        parts.append(extra)
    parts.append(content)
    frame.title = CardTitle(title, parts)
    layout.addWidget(frame.title, 0, Qt.AlignmentFlag.AlignLeft)
    for part in parts:
        layout.addWidget(part)
    return frame, extra


def plain_card(content: QWidget) -> QFrame:
    """A card with no title around ``content``."""
    frame = QFrame()
    frame.setObjectName("panelCard")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(6, 6, 6, 6)
    layout.addWidget(content)
    return frame


def edit_icon(theme_name: str, glyph: str) -> QIcon:
    """The desktop theme's icon ``theme_name`` (e.g. "edit-undo"), or, where there is no icon
    theme (Windows, macOS, a bare X server), ``glyph`` (↶, ↷) drawn in the text colour: never
    the ◀ ▶ arrows that read as "epoch back / forward" beside the run controls."""
    if QIcon.hasThemeIcon(theme_name):
        return QIcon.fromTheme(theme_name)
    icon = QIcon()
    for size in (16, 24, 32):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        font = QFont()
        font.setPixelSize(int(size * 0.95))
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QApplication.palette().color(QPalette.ColorRole.WindowText))
        painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, glyph)
        painter.end()
        icon.addPixmap(pixmap)
    return icon
