"""The U-Net's named blocks, as in the lecture's figure: a double convolution, a way down (pool then double
convolution) and a way up (upsample, concatenate the skip, double convolution). 2-D and 3-D alike.

Ronneberger, Fischer & Brox (2015) use unpadded ("valid") 3x3 convolutions; these blocks use 'same' padding
(padding 1) so that a level keeps its spatial size and the skip connections need no cropping.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["TwoConv", "Down", "Up"]


def _layers(dims: int):
    """(Conv, BatchNorm, MaxPool, ConvTranspose) classes for 2-D or 3-D data."""
    if dims == 2:
        return nn.Conv2d, nn.BatchNorm2d, nn.MaxPool2d, nn.ConvTranspose2d
    return nn.Conv3d, nn.BatchNorm3d, nn.MaxPool3d, nn.ConvTranspose3d


class TwoConv(nn.Sequential):
    """Two 3x3 (3x3x3) convolutions with 'same' padding, each followed by batch norm (optional) and ReLU.

    Parameters
    ----------
    in_channels, out_channels : int
        Channels in and out.
    dims : {2, 3}, optional
        Spatial dimensions.
    batch_norm : bool, optional
        Put a batch normalisation (Ioffe & Szegedy 2015) between each convolution and its ReLU; the
        convolutions then have no bias (the norm's shift replaces it).

    Returns
    -------
    TwoConv
        A module mapping (N, in_channels, *S) to (N, out_channels, *S), same spatial size S.

    References
    ----------
    O. Ronneberger, P. Fischer, T. Brox, "U-Net: Convolutional networks for biomedical image segmentation",
    MICCAI 2015, LNCS 9351, 234-241, DOI 10.1007/978-3-319-24574-4_28.

    Examples
    --------
    >>> import torch
    >>> block = TwoConv(1, 4)
    >>> tuple(block(torch.zeros(2, 1, 9, 7)).shape)
    (2, 4, 9, 7)
    """

    def __init__(self, in_channels: int, out_channels: int, *, dims: int = 2, batch_norm: bool = True):
        conv, norm, _, _ = _layers(dims)
        layers = []
        for cin in (in_channels, out_channels):
            layers.append(conv(cin, out_channels, kernel_size=3, padding=1, bias=not batch_norm))
            if batch_norm:
                layers.append(norm(out_channels))
            layers.append(nn.ReLU(inplace=True))
        super().__init__(*layers)


class Down(nn.Sequential):
    """One step down the U: 2x2 (2x2x2) max pooling, which halves each size (rounding down), then
    :class:`TwoConv`.

    Parameters
    ----------
    in_channels, out_channels : int
        Channels in and out.
    dims : {2, 3}, optional
        Spatial dimensions.
    batch_norm : bool, optional
        Use batch normalisation in the double convolution.

    Returns
    -------
    Down
        A module mapping (N, in_channels, *S) to (N, out_channels, *(S // 2)).

    References
    ----------
    O. Ronneberger, P. Fischer, T. Brox, "U-Net: Convolutional networks for biomedical image segmentation",
    MICCAI 2015, DOI 10.1007/978-3-319-24574-4_28.

    Examples
    --------
    >>> import torch
    >>> tuple(Down(4, 8)(torch.zeros(1, 4, 16, 12)).shape)
    (1, 8, 8, 6)
    """

    def __init__(self, in_channels: int, out_channels: int, *, dims: int = 2, batch_norm: bool = True):
        _, _, pool, _ = _layers(dims)
        super().__init__(pool(2), TwoConv(in_channels, out_channels, dims=dims, batch_norm=batch_norm))


class Up(nn.Module):
    """One step up the U: upsample by 2, concatenate the skip connection from the same level of the way
    down, then :class:`TwoConv`.

    Parameters
    ----------
    in_channels : int
        Channels of the coarser input.
    skip_channels : int
        Channels of the skip connection.
    out_channels : int
        Channels out.
    dims : {2, 3}, optional
        Spatial dimensions.
    up : {'transposed', 'nearest'}, optional
        'transposed': a learned 2x2 transposed convolution with stride 2 ("up-convolution" in the paper)
        that also halves the channels; 'nearest': nearest-neighbour upsampling followed by a 1x1
        convolution that halves the channels (no checkerboard artefacts, Odena et al. 2016).
    batch_norm : bool, optional
        Use batch normalisation in the double convolution.

    Returns
    -------
    Up
        A module whose ``forward(x, skip)`` maps (N, in_channels, *S) and (N, skip_channels, *T) with
        T = 2 S (or 2 S + 1 per axis) to (N, out_channels, *T). A size that is one larger than 2 S is matched
        by padding the upsampled map (replicating its last row/column) before concatenating.

    References
    ----------
    O. Ronneberger, P. Fischer, T. Brox, "U-Net: Convolutional networks for biomedical image segmentation",
    MICCAI 2015, DOI 10.1007/978-3-319-24574-4_28. A. Odena, V. Dumoulin, C. Olah, "Deconvolution and
    checkerboard artifacts", Distill 2016, DOI 10.23915/distill.00003.

    Examples
    --------
    >>> import torch
    >>> up = Up(8, 4, 4)
    >>> tuple(up(torch.zeros(1, 8, 4, 3), torch.zeros(1, 4, 9, 7)).shape)
    (1, 4, 9, 7)
    """

    def __init__(self, in_channels: int, skip_channels: int, out_channels: int, *, dims: int = 2,
                 up: str = "transposed", batch_norm: bool = True):
        super().__init__()
        conv, _, _, transposed = _layers(dims)
        half = max(in_channels // 2, 1)
        if up == "transposed":
            self.up = transposed(in_channels, half, kernel_size=2, stride=2)
        else:
            self.up = nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"), conv(in_channels, half, 1))
        self.conv = TwoConv(half + skip_channels, out_channels, dims=dims, batch_norm=batch_norm)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        x = self.up(x)
        short = [s - u for s, u in zip(skip.shape[2:], x.shape[2:])]
        if any(short):  # an odd size on the way down lost one row/column: replicate the last one
            pad = []
            for d in reversed(short):
                pad += [0, d]
            x = nn.functional.pad(x, pad, mode="replicate")
        return self.conv(torch.cat([skip, x], dim=1))
