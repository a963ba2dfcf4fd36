"""Matplotlib figures shared by the tour report and the examples: image grids, histograms, curves.

Every function builds figures with matplotlib's object-oriented API on an Agg canvas
(``matplotlib.figure.Figure`` + ``FigureCanvasAgg``), never through ``pyplot``: no global backend is
changed, no GUI window opens, nothing is kept in pyplot's figure list, so nothing has to be closed and the
helpers are safe in scripts, tests, servers and threads alike. In Jupyter, a returned ``Figure`` displays as
usual. matplotlib itself is imported on first use only, so ``import fastdip.viz`` is cheap.

Display ranges are never guessed silently: unsigned integer images are shown over their dtype's full range
[0, L-1], boolean images over [0, 1], float and signed-integer images over their own minimum..maximum,
unless ``vmin`` / ``vmax`` are given.
"""

from __future__ import annotations

import math
from pathlib import Path

__all__ = ["new_figure", "plot_curve", "plot_histogram", "save", "show_image", "show_images"]


def new_figure(nrows: int = 1, ncols: int = 1, *, size=(4.0, 3.0), **subplot_kw):
    """Create a figure with a grid of axes on an Agg canvas (no pyplot, nothing to close).

    Parameters
    ----------
    nrows, ncols : int, optional
        The grid of axes.
    size : (float, float), optional
        Width and height of *one* cell in inches.
    **subplot_kw
        Passed to ``Figure.subplots`` (e.g. ``sharex=True``).

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure, with constrained layout.
    axes : matplotlib.axes.Axes or ndarray of them
        As ``Figure.subplots`` returns them (``squeeze`` applies).

    References
    ----------
    J. D. Hunter, "Matplotlib: A 2D graphics environment", *Computing in Science & Engineering* 9(3),
    90-95, 2007, DOI 10.1109/MCSE.2007.55.

    Examples
    --------
    >>> from fastdip import viz
    >>> fig, axes = viz.new_figure(2, 3)
    >>> len(fig.axes), axes.shape
    (6, (2, 3))
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(size[0] * ncols, size[1] * nrows), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, **subplot_kw)
    return fig, axes


def _display_range(image, vmin, vmax):
    import numpy as np

    arr = np.asarray(image)
    if arr.dtype == bool:
        lo, hi = 0, 1
    elif arr.dtype.kind == "u":
        lo, hi = 0, np.iinfo(arr.dtype).max
    elif arr.dtype.kind == "i":
        lo, hi = int(arr.min()), int(arr.max())
    else:
        finite = arr[np.isfinite(arr)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    return (lo if vmin is None else vmin), (hi if vmax is None else vmax)


def _displayable(image, func: str, param: str = "image"):
    """Check an image that matplotlib is to show: grey (M, N) or colour (M, N, 3|4), real, non-empty."""
    from fastdip import _validate

    arr = _validate.image(image, func, param=param, ndim=(2, 3), allow_bool=True)
    if arr.ndim == 3 and arr.shape[-1] not in (3, 4):
        _validate.fail(func, param, arr, "a grey (M, N) or colour (M, N, 3) / (M, N, 4) image")
    return arr


def show_image(image, ax=None, *, title=None, cmap="gray", vmin=None, vmax=None):
    """Show one image on an axes, without ticks, over an explicit display range.

    Parameters
    ----------
    image : ndarray
        A grey-level (M, N) image, or a colour (M, N, 3) one shown as RGB (uint8, or float in [0, 1]).
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure with one axes.
    title : str, optional
        Axes title.
    cmap, vmin, vmax
        As in :func:`show_images`.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    TypeError, ValueError
        If ``image`` is not a real (or bool) grey (M, N) or colour (M, N, 3|4) image.

    References
    ----------
    J. D. Hunter, "Matplotlib: A 2D graphics environment", *Computing in Science & Engineering* 9(3),
    90-95, 2007, DOI 10.1109/MCSE.2007.55.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip import viz
    >>> ax = viz.show_image(np.arange(16, dtype=np.uint8).reshape(4, 4), title="ramp")
    >>> ax.images[0].get_clim()
    (0.0, 255.0)
    """
    import numpy as np

    im = _displayable(image, "show_image")
    if ax is None:
        _, ax = new_figure(size=(3.0, 3.0 * im.shape[0] / max(im.shape[1], 1)))
    if im.ndim == 3 and im.shape[-1] in (3, 4):
        ax.imshow(im, interpolation="antialiased")
    else:
        lo, hi = _display_range(im, vmin, vmax)
        ax.imshow(im.astype(np.uint8) if im.dtype == bool else im, cmap=cmap, vmin=lo, vmax=hi,
                  interpolation="antialiased")
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title, fontsize="medium")
    return ax


def show_images(images, titles=None, *, ncols=None, cmap="gray", vmin=None, vmax=None, size=3.0,
                suptitle=None):
    """Show images side by side in a grid, without axes ticks.

    Parameters
    ----------
    images : sequence of ndarray
        Grey-level (M, N) images, or colour (M, N, 3) images shown as RGB (uint8, or float in [0, 1]).
        Boolean images are shown as black (False) and white (True).
    titles : sequence of str, optional
        One title per image.
    ncols : int, optional
        Images per row; default all in one row, up to 4.
    cmap : str, optional
        Colour map for grey-level images.
    vmin, vmax : float, optional
        The display range of every grey-level image. Default: the dtype's full range [0, L-1] for unsigned
        integer images, [0, 1] for boolean ones, the image's own min..max for float and signed-integer ones
        (say so in a caption).
    size : float, optional
        Width of one cell in inches (cells keep the first image's aspect ratio).
    suptitle : str, optional
        A title over the whole figure.

    Returns
    -------
    matplotlib.figure.Figure
        A figure with exactly one axes per image.

    Raises
    ------
    ValueError
        If ``images`` is empty or one 2-D array, an image is empty or not (M, N) / (M, N, 3|4), or ``titles``
        has another length.
    TypeError
        If ``images`` is not a sequence, or an image is not a real (or bool) array.

    References
    ----------
    J. D. Hunter, "Matplotlib: A 2D graphics environment", *Computing in Science & Engineering* 9(3),
    90-95, 2007, DOI 10.1109/MCSE.2007.55.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip import viz
    >>> fig = viz.show_images([np.zeros((4, 4), np.uint8), np.eye(4) > 0, np.ones((4, 6))],
    ...                       ["zeros", "eye", "ones"], ncols=2)
    >>> len(fig.axes)
    3
    >>> [ax.get_title() for ax in fig.axes]
    ['zeros', 'eye', 'ones']
    """
    import numpy as np

    if isinstance(images, np.ndarray) and images.ndim == 2:
        raise ValueError("show_images: images must be a sequence of images, got one 2-D array; pass [image], "
                         "or use show_image")
    if isinstance(images, (str, bytes)) or not hasattr(images, "__iter__"):
        raise TypeError(f"show_images: images must be a sequence of images (list, tuple or 3-D stack), "
                        f"got {type(images).__name__}")
    images = [_displayable(im, "show_images", f"images[{i}]") for i, im in enumerate(images)]
    if not images:
        raise ValueError("show_images: images must contain at least one image, got an empty sequence")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"show_images: titles must have one entry per image ({len(images)}), got {len(titles)}")
    ncols = min(len(images), 4) if ncols is None else max(1, min(int(ncols), len(images)))
    nrows = math.ceil(len(images) / ncols)
    rows, cols = images[0].shape[:2]
    fig, axes = new_figure(nrows, ncols, size=(size, size * rows / cols + (0.3 if titles else 0.0)),
                           squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        if i >= len(images):
            fig.delaxes(ax)
            continue
        show_image(images[i], ax, title=None if titles is None else titles[i], cmap=cmap, vmin=vmin, vmax=vmax)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def plot_histogram(image, ax=None, *, cumulative=False, bins=None, color="0.25", title=None, log=False):
    """Plot an image's histogram (counts per grey level), optionally with its cumulative curve.

    Parameters
    ----------
    image : ndarray
        The image; integer images get one bin per level (``fastdip.histogram.histogram``'s default),
        float images 256 bins over their range unless ``bins`` is given.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure with one axes.
    cumulative : bool, optional
        Also draw the cumulative histogram, scaled so that its end (all pixels) meets the highest bar, on the
        same axes (read its shape, not its values).
    bins : int, optional
        Number of bins (passed to ``fastdip.histogram.histogram``).
    color : str, optional
        Bar colour.
    title : str, optional
        Axes title.
    log : bool, optional
        Logarithmic count axis.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 3.3.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip import viz
    >>> ax = viz.plot_histogram(np.array([[0, 1], [1, 255]], np.uint8), cumulative=True)
    >>> len(ax.figure.axes), len(ax.lines)
    (1, 1)
    """
    import numpy as np

    from fastdip import histogram as _histogram

    from fastdip import _validate

    image = _validate.image(image, "plot_histogram")
    if bins is None and image.dtype.kind == "f":
        bins = 256
    counts, edges = _histogram.histogram(image) if bins is None else _histogram.histogram(image, bins=bins)
    counts = np.asarray(counts, dtype=np.float64)
    edges = np.asarray(edges, dtype=np.float64)
    if ax is None:
        _, ax = new_figure()
    ax.stairs(counts, edges, fill=True, color=color, label="histogram")
    if cumulative:
        cdf = np.cumsum(counts)
        scale = counts.max() / cdf[-1] if cdf[-1] > 0 else 1.0
        ax.plot(edges[1:], cdf * scale, color="tab:red", linewidth=1.5, label="cumulative (scaled)")
        ax.legend(loc="upper left", fontsize="small", frameon=False)
    if log:
        ax.set_yscale("log")
    ax.set_xlim(edges[0], edges[-1])
    ax.set_xlabel("grey level")
    ax.set_ylabel("pixels")
    if title:
        ax.set_title(title, fontsize="medium")
    return ax


def plot_curve(x, y, ax=None, *, label=None, title=None, xlabel=None, ylabel=None, style="-", logx=False,
               logy=False, **line_kw):
    """Plot one curve y(x) (call again with the returned ``ax`` to add more).

    Parameters
    ----------
    x, y : array_like
        The abscissae and ordinates, same length.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure with one axes.
    label : str, optional
        Legend entry (a legend is drawn when any curve has a label).
    title, xlabel, ylabel : str, optional
        Axes texts (left unchanged when None).
    style : str, optional
        A matplotlib format string such as ``'-'``, ``'o'`` or ``'--'``.
    logx, logy : bool, optional
        Logarithmic axes.
    **line_kw
        Passed to ``Axes.plot`` (``color``, ``linewidth``, ...).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    References
    ----------
    J. D. Hunter, "Matplotlib: A 2D graphics environment", *Computing in Science & Engineering* 9(3),
    90-95, 2007, DOI 10.1109/MCSE.2007.55.

    Examples
    --------
    Transfer curve of the negative of an 8-bit image, s = 255 - r:

    >>> import numpy as np
    >>> from fastdip import viz
    >>> r = np.arange(256)
    >>> ax = viz.plot_curve(r, 255 - r, label="negative", xlabel="input level r", ylabel="output level s")
    >>> ax = viz.plot_curve(r, r, ax, label="identity", style="--")
    >>> len(ax.figure.axes), len(ax.lines)
    (1, 2)
    """
    if ax is None:
        _, ax = new_figure()
    ax.plot(x, y, style, label=label, **line_kw)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    if title is not None:
        ax.set_title(title, fontsize="medium")
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    if label is not None:
        ax.legend(fontsize="small", frameon=False)
    return ax


def save(fig, path, *, dpi=100, close=True) -> Path:
    """Write a figure to a file (PNG unless the suffix says otherwise), creating the parent folder.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure (from these helpers, or any matplotlib figure).
    path : str or os.PathLike
        The file to write; an existing file is replaced.
    dpi : int, optional
        Resolution.
    close : bool, optional
        If the figure belongs to pyplot's figure list, close it afterwards (figures made by these
        helpers do not, and need nothing).

    Returns
    -------
    pathlib.Path
        The path written.

    References
    ----------
    J. D. Hunter, "Matplotlib: A 2D graphics environment", *Computing in Science & Engineering* 9(3),
    90-95, 2007, DOI 10.1109/MCSE.2007.55.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from fastdip import viz
    >>> fig, ax = viz.new_figure()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = viz.save(fig, pathlib.Path(tmp) / "empty.png")
    ...     out.read_bytes()[:4] == b"\\x89PNG"
    True
    """
    import sys

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    if close and "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close(fig)
    return path
