"""Colours and marker shapes shared by every panel.

The two classes use the Okabe-Ito palette, which stays distinct under the common forms of colour
blindness, and differ in marker shape too, so the classes never depend on colour alone.
"""

CLASS_COLORS = ("#D55E00", "#0072B2")  # class 0 vermillion, class 1 blue (Okabe-Ito)
CLASS_SYMBOLS = ("o", "s")  # class 0 circle, class 1 square
CLASS_NAMES = ("Class 0", "Class 1")

# Decision-region colormap: P(class 1) = 0 -> pale vermillion, 0.5 -> white, 1 -> pale blue.
# The regions are pastel so the saturated points stay readable on top of them.
REGION_STOPS = (0.0, 0.5, 1.0)
REGION_COLORS = ("#F7D0BA", "#FFFFFF", "#BCD7EC")

TRAIN_COLOR = "#333333"  # curves of training metrics
TEST_COLOR = "#009E73"  # curves of test metrics (Okabe-Ito bluish green)
BACKGROUND = "#FFFFFF"
FOREGROUND = "#222222"

# The window's cards, captions and toolbars.
STYLE_SHEET = """
QMainWindow, QScrollArea, QScrollArea > QWidget > QWidget#controlColumn { background: #F3F4F6; }
QFrame#panelCard, QFrame#statsCard, QFrame#foldStrip {
    background: #FFFFFF; border: 1px solid #DADDE3; border-radius: 8px;
}
QToolButton#panelTitle { color: #1F2933; border: none; padding: 0px; margin-left: -3px; }
QToolButton#panelTitle:hover { color: #0072B2; }
QLabel#panelSubtitle, QLabel#statCaption { color: #6B7280; }
QToolBar { spacing: 4px; border: none; padding: 2px 6px; }
QToolButton#trainButton { font-weight: 600; }
QStatusBar { color: #374151; }
QFrame#foldStrip QToolButton { color: #1F2933; border-radius: 4px; }
QFrame#foldStrip QToolButton:hover { background: #E8EEF6; }
"""
