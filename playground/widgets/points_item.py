"""Many markers of one style, drawn from NumPy arrays: the data plot's points at 100k and beyond.

A `PointsItem` holds its points as one ``(n, 2)`` float64 array: `setData` stores the array and
its bounds, with no Python work per point (pyqtgraph's `ScatterPlotItem` keeps a record per spot,
~0.7 s per 100k points). `paint` maps the points to device pixels with NumPy and blits one
pre-rendered marker per point with ``QPainter.drawPixmapFragments``, whose C++ array of fragments
is filled in place from NumPy memory.

The blitted markers are kept in an image of the viewport's pixels (at the screen's device pixel
ratio), reused for as long as the view transform, the viewport's size, the points and the style
stay as they are. The decision map under the points repaints ~20 times a second while a network
trains, and the preview of a stroke at every mouse move; both then cost one image blit here, not
a pass over every point. Points appended to the previous ones (a painted stroke) are drawn onto
that image, last as they would be in a full pass. Exports (pyqtgraph's exporters, at their own
scale) draw directly.

A paint draws at most PAINT_CHUNK points onto the image and asks for another paint for the rest,
so a million points (an import, a zoom) fill in over a few frames instead of blocking the GUI
thread for a fifth of a second; the drawing order stays the points' order.
"""

import math
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
import shiboken6
from numpy.typing import ArrayLike, NDArray
from pyqtgraph.graphicsItems.ScatterPlotItem import renderSymbol
from PySide6.QtCore import QPointF, QRectF, QTimer
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen, QPixmap, QTransform
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

# One QPainter::PixmapFragment: x, y (centre), sourceLeft, sourceTop, width, height, scaleX,
# scaleY, rotation, opacity; all qreal (float64), so a C-contiguous (n, 10) float64 array is an
# array of fragments.
_FRAGMENT_FIELDS = 10
_CHUNK = 8192  # fragments per drawPixmapFragments call
# Points drawn onto the cached image per paint; the rest next paint. The data plot has four
# items (two classes, train and test), which may all be filling in during one paint pass.
PAINT_CHUNK = 25_000
# Device coordinates beyond this are not sent to Qt (its raster engine works in 32-bit ints).
_DEVICE_LIMIT = 2.0**30


def map_to_device(transform: QTransform, positions: NDArray[np.float64]) -> NDArray[np.float64]:
    """Positions mapped by an affine ``QTransform`` (Qt's row-vector convention).

    Parameters
    ----------
    transform : QTransform
        Affine (its projective terms are ignored: items in a ViewBox are never projected).
    positions : (n, 2) float64 array

    Returns
    -------
    (n, 2) float64 array
    """
    t = transform
    x, y = positions[:, 0], positions[:, 1]
    mapped = np.empty_like(positions)
    mapped[:, 0] = x * t.m11() + y * t.m21() + t.dx()
    mapped[:, 1] = x * t.m12() + y * t.m22() + t.dy()
    return mapped


class _Marker:
    """One marker pre-rendered at a device pixel ratio, and the fragments that blit it."""

    def __init__(self, opts: dict, size: float, ratio: float):
        image = renderSymbol(opts["symbol"], size, opts["pen"], opts["brush"], dpr=ratio)
        image.setDevicePixelRatio(1.0)  # the fragments scale it by 1 / ratio
        self.pixmap = QPixmap.fromImage(image)
        self.ratio = ratio
        self.half = 0.5 * image.width() / ratio  # half its width in painter units
        side = image.width()
        # Drawn in chunks through one buffer: 1M points would need 80 MB of fragments at once.
        self._fragments = np.empty((_CHUNK, _FRAGMENT_FIELDS))
        self._fragments[:, 2:] = (0.0, 0.0, side, side, 1 / ratio, 1 / ratio, 0.0, 1.0)

    def draw(self, painter: QPainter, centres: NDArray[np.float64]) -> None:
        """Blit the marker centred at each of ``centres`` ((k, 2), the painter's units), in
        their order (a later point covers an earlier one)."""
        fragments = self._fragments
        first = shiboken6.wrapInstance(fragments.ctypes.data, QPainter.PixmapFragment)
        for start in range(0, len(centres), _CHUNK):
            chunk = centres[start : start + _CHUNK]
            fragments[: len(chunk), :2] = chunk
            painter.drawPixmapFragments(first, len(chunk), self.pixmap)


class PointsItem(pg.GraphicsObject):
    """Points of one style (symbol, size in pixels, pen, brush) in a pyqtgraph view.

    Parameters
    ----------
    symbol : str
        A pyqtgraph symbol name ("o", "s", ...).
    size : float
        The marker's width in screen pixels (independent of the zoom).
    pen : QPen
        The outline (pyqtgraph's ``mkPen`` makes cosmetic pens: widths in pixels).
    brush : QBrush
        The fill.

    Attributes
    ----------
    opts : dict
        The style as given: ``"symbol"``, ``"size"``, ``"pen"``, ``"brush"``; change it with
        `setStyle`.
    """

    def __init__(self, symbol: str, size: float, pen: QPen, brush: QBrush):
        super().__init__()
        self.opts: dict = {}
        self._positions = np.empty((0, 2))
        self._positions.setflags(write=False)
        self._bounds: QRectF | None = None  # of the positions, in data coordinates
        self._bounding_rect: QRectF | None = None  # with the markers' padding, in this view
        self._markers: dict[tuple[float, float], _Marker] = {}  # by (size, device pixel ratio)
        self._cache: tuple[tuple, QImage | None, QPointF] | None = None  # key, image, origin
        self._appended_from: int | None = None  # the cache lacks the points from this index
        self.setStyle(symbol, size, pen, brush)

    def __repr__(self) -> str:
        return f"PointsItem({len(self._positions)} points, symbol={self.opts['symbol']!r})"

    # ------------------------------------------------------------------ data and style

    @property
    def positions(self) -> NDArray[np.float64]:
        """The points shown, a read-only (n, 2) float64 array in data coordinates."""
        return self._positions

    def __len__(self) -> int:
        return len(self._positions)

    def drawing(self) -> bool:
        """Whether some points are not on the on-screen image yet: none painted since they
        changed, or a big set still filling in (PAINT_CHUNK points per paint)."""
        if not len(self._positions):
            return False
        return self._cache is None or self._appended_from is not None

    def setData(self, positions: ArrayLike) -> None:
        """Show these points instead of the previous ones.

        Parameters
        ----------
        positions : (n, 2) array of finite floats
            Data coordinates; kept as given when it is a float64 array (not copied), so the
            caller must not change it afterwards.

        Raises
        ------
        ValueError
            If the shape is not (n, 2) or a value is not finite; nothing changes then.
        """
        positions = np.asarray(positions, dtype=np.float64)
        if positions.ndim != 2 or positions.shape[1] != 2:
            raise ValueError(f"positions must have shape (n, 2), got {positions.shape}.")
        if positions.size and not np.isfinite(positions).all():
            raise ValueError("positions must be finite, got NaN or inf.")
        old = self._positions
        if np.array_equal(positions, old):
            return  # the same points: the cached image stays valid
        appended = len(positions) > len(old) and np.array_equal(positions[: len(old)], old)
        positions = positions.view()
        positions.setflags(write=False)
        self._positions = positions
        if len(positions):
            # column by column: ~10x faster than reducing the (n, 2) array along axis 0
            (x0, x1), (y0, y1) = ((column.min(), column.max()) for column in positions.T)
            self._bounds = QRectF(x0, y0, x1 - x0, y1 - y0)
        else:
            self._bounds = None
        if appended and self._cache is not None:
            cache, start = self._cache, self._appended_from
            self._changed()
            self._cache = cache  # the new points are drawn onto it at the next paint
            self._appended_from = len(old) if start is None else start
        else:
            self._changed()

    def setStyle(
        self,
        symbol: str | None = None,
        size: float | None = None,
        pen: QPen | None = None,
        brush: QBrush | None = None,
    ) -> None:
        """Change the markers' look; arguments left None keep their value."""
        new = {"symbol": symbol, "size": size, "pen": pen, "brush": brush}
        opts = {**self.opts, **{name: value for name, value in new.items() if value is not None}}
        if opts == self.opts:
            return
        self.opts = opts
        self._markers.clear()
        self._changed()

    def _changed(self) -> None:
        self.prepareGeometryChange()
        self._bounding_rect = None
        self._cache = None
        self._appended_from = None
        self.update()

    # ------------------------------------------------------------------ geometry

    def _padding_px(self) -> float:
        """Half a marker's extent in screen pixels, outline and antialiasing included."""
        pen_width = max(math.ceil(self.opts["pen"].widthF()), 1)
        return 0.5 * (self.opts["size"] + pen_width) + 1.0

    def boundingRect(self) -> QRectF:
        if self._bounds is None:
            return QRectF()
        if self._bounding_rect is None:
            px, py = self.pixelVectors()
            pad = self._padding_px()
            pad_x = 0.0 if px is None else pad * px.length()
            pad_y = 0.0 if py is None else pad * py.length()
            self._bounding_rect = self._bounds.adjusted(-pad_x, -pad_y, pad_x, pad_y)
        return QRectF(self._bounding_rect)

    def viewTransformChanged(self) -> None:
        # The padding is in pixels: the rect in data coordinates follows the zoom.
        self.prepareGeometryChange()
        self._bounding_rect = None
        super().viewTransformChanged()

    # ------------------------------------------------------------------ painting

    def _marker(self, size: float, ratio: float) -> _Marker:
        marker = self._markers.get((size, ratio))
        if marker is None:
            marker = self._markers[(size, ratio)] = _Marker(self.opts, size, ratio)
        return marker

    def _visible_centres(
        self,
        transform: QTransform,
        start: int,
        stop: int,
        marker: _Marker,
        width: float,
        height: float,
    ) -> NDArray[np.float64]:
        """Device positions of the points ``start:stop`` whose marker reaches into
        [0, width] x [0, height]."""
        centres = map_to_device(transform, self._positions[start:stop])
        edge = marker.half + 1.0
        x, y = centres[:, 0], centres[:, 1]
        inside = (x > -edge) & (x < width + edge) & (y > -edge) & (y < height + edge)
        return centres if inside.all() else centres[inside]

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem | None = None,
        widget: QWidget | None = None,
    ) -> None:
        if not len(self._positions):
            return
        transform = painter.transform()
        ratio = painter.device().devicePixelRatioF()
        if self._exportOpts is not False or widget is None:
            self._paint_directly(painter, transform, ratio)
            return
        width, height = widget.width(), widget.height()
        key = (
            transform.m11(), transform.m12(), transform.m21(), transform.m22(),
            transform.dx(), transform.dy(), width, height, ratio,
        )  # fmt: skip
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, None, QPointF())
            self._appended_from = 0  # all of them
        if self._appended_from is not None:
            start = self._appended_from
            stop = min(start + PAINT_CHUNK, len(self._positions))
            self._draw_onto_cache(transform, start, stop, width, height, ratio)
            if stop < len(self._positions):
                self._appended_from = stop
                QTimer.singleShot(0, self, self.update)  # the rest at the next paint
            else:
                self._appended_from = None
        _, image, origin = self._cache
        if image is not None:
            painter.save()
            painter.resetTransform()
            painter.drawImage(origin, image)
            painter.restore()

    def _draw_onto_cache(
        self, transform: QTransform, start: int, stop: int, width: int, height: int, ratio: float
    ) -> None:
        """Draw the points ``start:stop`` that reach into the viewport onto the cached image,
        grown (on whole device pixels, within the viewport) to take them in."""
        key, image, origin = self._cache
        marker = self._marker(self.opts["size"], ratio)
        centres = self._visible_centres(transform, start, stop, marker, width, height)
        if not len(centres):
            return
        edge = marker.half + 1.0
        low = np.maximum(centres.min(axis=0) - edge, 0.0)
        high = np.minimum(centres.max(axis=0) + edge, (width, height))
        left, top, right, bottom = _device_rect(low, high, ratio)
        if image is not None:
            held_left, held_top = round(origin.x() * ratio), round(origin.y() * ratio)
            held = (held_left, held_top, held_left + image.width(), held_top + image.height())
            left, top = min(left, held[0]), min(top, held[1])
            right, bottom = max(right, held[2]), max(bottom, held[3])
        if image is None or (left, top, right, bottom) != held:
            grown = QImage(right - left, bottom - top, QImage.Format.Format_ARGB32_Premultiplied)
            grown.setDevicePixelRatio(ratio)
            grown.fill(QColor(0, 0, 0, 0))
            grown_origin = QPointF(left / ratio, top / ratio)
            if image is not None:
                _paint_on(grown, lambda p: p.drawImage(origin - grown_origin, image))
            image, origin = grown, grown_origin
            self._cache = (key, image, origin)
        _paint_on(image, lambda p: marker.draw(p, centres - (origin.x(), origin.y())))

    def _paint_directly(self, painter: QPainter, transform: QTransform, ratio: float) -> None:
        """Draw every point with this painter (exports: their own scale, no cache)."""
        scale = self._exportOpts.get("resolutionScale", 1.0) if self._exportOpts else 1.0
        marker = self._marker(self.opts["size"] * scale, ratio)
        centres = np.clip(map_to_device(transform, self._positions), -_DEVICE_LIMIT, _DEVICE_LIMIT)
        painter.save()
        painter.resetTransform()
        marker.draw(painter, centres)
        painter.restore()


def _device_rect(
    low: NDArray[np.float64], high: NDArray[np.float64], ratio: float
) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) in whole device pixels around [low, high] (painter units)."""
    left, top = (int(v) for v in np.floor(low * ratio))
    right, bottom = (int(v) for v in np.ceil(high * ratio))
    return left, top, max(right, left + 1), max(bottom, top + 1)


def _paint_on(image: QImage, draw: Callable[[QPainter], None]) -> None:
    painter = QPainter(image)
    try:
        draw(painter)
    finally:
        painter.end()
