"""The white rounded cards that frame the window's panels (see the window's style sheet)."""

from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget


def card(title: str, content: QWidget, subtitle: bool = False) -> tuple[QFrame, QLabel | None]:
    card = QFrame()
    card.setObjectName("panelCard")
    card.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
    layout = QVBoxLayout(card)
    layout.setContentsMargins(10, 8, 10, 10)
    layout.setSpacing(6)
    heading = QLabel(title)
    heading.setObjectName("panelTitle")
    font = heading.font()
    font.setPointSizeF(font.pointSizeF() * 1.1)
    heading.setFont(font)
    layout.addWidget(heading)
    extra = None
    if subtitle:
        extra = QLabel()
        extra.setObjectName("panelSubtitle")
        extra.setWordWrap(True)
        layout.addWidget(extra)
    layout.addWidget(content)
    return card, extra


def plain_card(content: QWidget) -> QFrame:
    card = QFrame()
    card.setObjectName("panelCard")
    layout = QVBoxLayout(card)
    layout.setContentsMargins(6, 6, 6, 6)
    layout.addWidget(content)
    return card
