"""Synthetic camera photos for the benchmarks (bench/ does not import from tests/)."""

from __future__ import annotations

import io

from PIL import Image, ImageChops


def camera_jpeg(size: tuple[int, int] = (4000, 3000), quality: int = 90) -> bytes:
    """A JPEG with smooth gradients, blotches and sensor-like grain: encodes like a real photo.

    Pure noise would be the slowest possible JPEG to decode and a flat image the fastest; a
    12-megapixel result of this weighs ~5 MB, like a phone camera's.
    """
    width, height = size
    red = Image.linear_gradient("L").rotate(90).resize(size)
    green = Image.radial_gradient("L").resize(size)
    blobs = Image.effect_noise((width // 16, height // 16), 60).resize(size, Image.Resampling.BICUBIC)
    grain = Image.effect_noise(size, 12)
    image = Image.merge("RGB", [ImageChops.add(band, grain, offset=-128) for band in (red, green, blobs)])
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()
