"""Sample images bundled with fastdip, one loader per image, all usable offline.

=================== ==================== ======= ===================================================
name                shape                dtype   what it shows (licence; see the LICENSES file)
=================== ==================== ======= ===================================================
astronaut           (512, 512, 3)        uint8   astronaut Eileen Collins, colour (public domain)
brain_mri           (25, 41, 33)         int16   MRI volume of a head, 2 mm voxels (MIT, nibabel)
brick               (512, 512)           uint8   brick wall texture (CC0)
camera              (512, 512)           uint8   a photographer with a camera on a tripod (CC0)
cell                (660, 550)           uint8   quantitative phase image of a cell (CC0)
chelsea             (300, 451, 3)        uint8   Chelsea the cat, colour (CC0)
clock               (300, 400)           uint8   motion-blurred wall clock (public domain)
coins               (303, 384)           uint8   Greek coins from Pompeii (no known copyright restrictions)
hubble_deep_field   (872, 1000, 3)       uint8   Hubble eXtreme Deep Field, colour JPEG (public domain)
microaneurysms      (102, 102)           uint8   retina detail with microaneurysms (CC0)
=================== ==================== ======= ===================================================

Every call returns a new array the caller may modify; files are decoded once per process. ``names()``
lists the images and ``load(name)`` loads one by name. The images are scikit-image's sample files, copied
unchanged; the volume comes from nibabel's test data, stored as .npy so that loading it needs no nibabel.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np

from .. import _validate
from ..io import imread

__all__ = [
    "astronaut",
    "brain_mri",
    "brick",
    "camera",
    "cell",
    "chelsea",
    "clock",
    "coins",
    "hubble_deep_field",
    "load",
    "microaneurysms",
    "names",
]

# name -> file in images/
_FILES = {
    "astronaut": "astronaut.png",
    "brain_mri": "brain_mri.npy",
    "brick": "brick.png",
    "camera": "camera.png",
    "cell": "cell.png",
    "chelsea": "chelsea.png",
    "clock": "clock.png",
    "coins": "coins.png",
    "hubble_deep_field": "hubble_deep_field.jpg",
    "microaneurysms": "microaneurysms.png",
}


@lru_cache(maxsize=None)
def _decoded(name: str) -> np.ndarray:
    """The decoded image, read-only, shared: callers get copies."""
    ref = resources.files(__name__).joinpath("images").joinpath(_FILES[name])
    with resources.as_file(ref) as path:
        image = imread(path)
    image.flags.writeable = False
    return image


def _load(name: str) -> np.ndarray:
    return _decoded(name).copy()


def names() -> list[str]:
    """The names of the bundled images, sorted.

    Returns
    -------
    list of str
        Each name is also a loader function of this module and a valid argument of :func:`load`.

    References
    ----------
    .. [1] The LICENSES file next to this module: source, author and licence of each image.

    Examples
    --------
    >>> from fastdip import data
    >>> data.names()[:4]
    ['astronaut', 'brain_mri', 'brick', 'camera']
    >>> len(data.names())
    10
    """
    return sorted(_FILES)


def load(name: str) -> np.ndarray:
    """Load a bundled image by name.

    Parameters
    ----------
    name : str
        One of :func:`names`.

    Returns
    -------
    ndarray
        A new array, as the loader function of the same name returns it.

    Raises
    ------
    ValueError
        ``name`` is not one of :func:`names` (the message lists them).

    References
    ----------
    .. [1] The LICENSES file next to this module: source, author and licence of each image.

    Examples
    --------
    >>> from fastdip import data
    >>> data.load("coins").shape
    (303, 384)
    >>> data.load("lena")                                   # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: data.load: name must be one of 'astronaut', 'brain_mri', ..., got 'lena'
    """
    _validate.choice(name, "data.load", "name", names())
    return _load(name)


def astronaut() -> np.ndarray:
    """Colour photograph of the astronaut Eileen Collins.

    Eileen Collins was the first woman to pilot (STS-63, 1995) and to command (STS-93, 1999) a Space Shuttle.
    Skin, a textured suit, flags and a dark helmet make it a general colour test image.

    Returns
    -------
    (512, 512, 3) uint8 ndarray
        RGB image.

    Notes
    -----
    NASA photograph from the NASA Great Images database, public domain; file from scikit-image
    (``skimage.data.astronaut``), unchanged.

    References
    ----------
    .. [1] NASA Great Images, https://flic.kr/p/r9qvLn

    Examples
    --------
    >>> from fastdip import data
    >>> img = data.astronaut()
    >>> img.shape, img.dtype
    ((512, 512, 3), dtype('uint8'))
    """
    return _load("astronaut")


def brain_mri() -> np.ndarray:
    """Small anatomical MRI volume of a human head, around the lateral ventricles.

    Cerebrospinal fluid is dark and white matter bright; 2 mm isotropic voxels. A real 3-D volume for
    n-D filters, morphology, segmentation and slicing.

    Returns
    -------
    (25, 41, 33) int16 ndarray
        Planes, rows, columns: 25 axial planes from inferior to superior, 41 rows from anterior (top) to
        posterior, 33 columns from the patient's right to left (radiological view). Values from -610 to 30393.

    Notes
    -----
    nibabel's test file ``nibabel/tests/data/anatomical.nii`` (nibabel 5.4.2, MIT licence), converted once to
    .npy as ``np.asarray(nib.load(f).dataobj).transpose(2, 1, 0)[:, ::-1, :]`` (values unchanged), so loading
    it needs no nibabel.

    References
    ----------
    .. [1] M. Brett et al., NiBabel, https://nipy.org/nibabel/ (doi:10.5281/zenodo.591597).

    Examples
    --------
    >>> from fastdip import data
    >>> vol = data.brain_mri()
    >>> vol.shape, vol.dtype
    ((25, 41, 33), dtype('int16'))
    >>> vol[12].shape                                       # one axial plane
    (41, 33)
    """
    return _load("brain_mri")


def brick() -> np.ndarray:
    """Grey-level image of a brick wall: a regular texture.

    Returns
    -------
    (512, 512) uint8 ndarray

    Notes
    -----
    From the CC0Textures texture "Bricks25" (CC0), perspective-corrected, rotated, cropped and scaled by
    scikit-image (``skimage.data.brick``); file unchanged.

    References
    ----------
    .. [1] CC0Textures (now ambientCG), https://cc0textures.com/view.php?tex=Bricks25

    Examples
    --------
    >>> from fastdip import data
    >>> img = data.brick()
    >>> img.shape, img.dtype
    ((512, 512), dtype('uint8'))
    """
    return _load("brick")


def camera() -> np.ndarray:
    """Grey-level photograph of a person with a camera on a tripod, the classic "cameraman" scene.

    Large flat regions, sharp edges and fine detail: a standard image for segmentation, filtering and
    denoising examples.

    Returns
    -------
    (512, 512) uint8 ndarray

    Notes
    -----
    Photograph by Lav Varshney, CC0; file from scikit-image (``skimage.data.camera``), unchanged.

    References
    ----------
    .. [1] scikit-image issue 3927 (the replacement of the older cameraman image),
       https://github.com/scikit-image/scikit-image/issues/3927

    Examples
    --------
    >>> from fastdip import data
    >>> img = data.camera()
    >>> img.shape, img.dtype
    ((512, 512), dtype('uint8'))
    """
    return _load("camera")


def cell() -> np.ndarray:
    """Quantitative phase image of a cell floating in saline.

    The cell has a high phase value above the background; a banding artefact in the background makes it a
    good test for thresholding. Pixel spacing 0.107 micrometre.

    Returns
    -------
    (660, 550) uint8 ndarray

    Notes
    -----
    Retrieved from a digital hologram with qpformat by Paul Müller et al.; CC0. File from scikit-image
    (``skimage.data.cell``), unchanged.

    References
    ----------
    .. [1] P. Müller, M. Schürmann, S. Girardo, G. Cojoc, J. Guck, "Accurate evaluation of size and
       refractive index for spherical objects in quantitative phase imaging", Optics Express 26(8):
       10729-10743 (2018), doi:10.1364/OE.26.010729

    Examples
    --------
    >>> from fastdip import data
    >>> img = data.cell()
    >>> img.shape, img.dtype
    ((660, 550), dtype('uint8'))
    """
    return _load("cell")


def chelsea() -> np.ndarray:
    """Colour photograph of Chelsea the cat.

    Texture, prominent horizontal and diagonal edges, and features at several scales.

    Returns
    -------
    (300, 451, 3) uint8 ndarray
        RGB image.

    Notes
    -----
    Photograph by Stefan van der Walt, CC0; file from scikit-image (``skimage.data.chelsea``), unchanged.

    References
    ----------
    .. [1] S. van der Walt et al., "scikit-image: image processing in Python", PeerJ 2:e453 (2014),
       doi:10.7717/peerj.453 (the sample-data collection this file comes from).

    Examples
    --------
    >>> from fastdip import data
    >>> img = data.chelsea()
    >>> img.shape, img.dtype
    ((300, 451, 3), dtype('uint8'))
    """
    return _load("chelsea")


def clock() -> np.ndarray:
    """Grey-level photograph of a wall clock, blurred by a roughly horizontal camera motion.

    A real motion-blurred image for inverse filtering and deconvolution.

    Returns
    -------
    (300, 400) uint8 ndarray

    Notes
    -----
    Photograph by Stefan van der Walt, released into the public domain; scikit-image's ``clock_motion.png``
    (``skimage.data.clock``), unchanged.

    References
    ----------
    .. [1] S. van der Walt et al., "scikit-image: image processing in Python", PeerJ 2:e453 (2014),
       doi:10.7717/peerj.453

    Examples
    --------
    >>> from fastdip import data
    >>> img = data.clock()
    >>> img.shape, img.dtype
    ((300, 400), dtype('uint8'))
    """
    return _load("clock")


def coins() -> np.ndarray:
    """Grey-level image of Greek coins from Pompeii on a grey background.

    The background shares grey levels with the coins, so a single global threshold is not quite enough:
    a classic for segmentation, labelling and counting.

    Returns
    -------
    (303, 384) uint8 ndarray

    Notes
    -----
    Brooklyn Museum Collection, "No known copyright restrictions"; file from scikit-image
    (``skimage.data.coins``), unchanged.

    References
    ----------
    .. [1] Brooklyn Museum, https://www.brooklynmuseum.org/opencollection/archives/image/51611

    Examples
    --------
    >>> from fastdip import data
    >>> img = data.coins()
    >>> img.shape, img.dtype
    ((303, 384), dtype('uint8'))
    """
    return _load("coins")


def hubble_deep_field() -> np.ndarray:
    """Colour image of the Hubble eXtreme Deep Field: many small objects at several scales.

    Returns
    -------
    (872, 1000, 3) uint8 ndarray
        RGB image, decoded from the distributed JPEG (so it carries JPEG artefacts).

    Notes
    -----
    NASA image, public domain; file from scikit-image (``skimage.data.hubble_deep_field``), unchanged.

    References
    ----------
    .. [1] HubbleSite, http://hubblesite.org/newscenter/archive/releases/2012/37/image/a/

    Examples
    --------
    >>> from fastdip import data
    >>> img = data.hubble_deep_field()
    >>> img.shape, img.dtype
    ((872, 1000, 3), dtype('uint8'))
    """
    return _load("hubble_deep_field")


def microaneurysms() -> np.ndarray:
    """Grey-level detail of a retina (green channel) with vessels and small dark microaneurysms.

    Small dark spots on a smooth background: a test for morphological top-hats and spot detection.

    Returns
    -------
    (102, 102) uint8 ndarray

    Notes
    -----
    Crop of image 07_dr.JPG of the High-Resolution Fundus (HRF) Image Database; CC0 given by the owner,
    Andreas Maier. File from scikit-image (``skimage.data.microaneurysms``), unchanged.

    References
    ----------
    .. [1] A. Budai, R. Bock, A. Maier, J. Hornegger, G. Michelson, "Robust Vessel Segmentation in Fundus
       Images", International Journal of Biomedical Imaging 2013, doi:10.1155/2013/154860

    Examples
    --------
    >>> from fastdip import data
    >>> img = data.microaneurysms()
    >>> img.shape, img.dtype
    ((102, 102), dtype('uint8'))
    """
    return _load("microaneurysms")
