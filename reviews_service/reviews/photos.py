"""The photo pipeline: untrusted upload bytes in, two clean re-encoded renditions out.

Every photo a shopper uploads goes through `process_photo` before anything is stored. The original
bytes are never kept or served: Pillow decodes them (after the format and the pixel count have been
checked from the header alone), and what leaves is a fresh image built from pixel data only, so no
EXIF, GPS position, XMP, ICC profile, comment, text chunk or trailing payload survives.
"""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps

from ..errors import Invalid, TooLarge, Unsupported

JPEG_QUALITY = 82
WEBP_QUALITY = 82

# Output format: JPEG for everything opaque (the smallest file every client decodes), and WebP
# for images that really use transparency. A transparent 1600 px photo as PNG weighs several MB;
# lossy WebP with an alpha plane is a tenth of that, and every current browser shows it.
_JPEG_OUT = ("image/jpeg", "jpg")
_WEBP_OUT = ("image/webp", "webp")

# What a hostile or broken file makes Pillow raise while opening or decoding it. Any of them means
# the upload is damaged, never that the service is: it must become a 422, not a 500.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error, zlib.error)
_BOMB_ERRORS = (Image.DecompressionBombError, Image.DecompressionBombWarning)
_ALPHA_MODES = frozenset({"RGBA", "RGBa", "LA", "La", "PA"})


@dataclass(frozen=True)
class Rendition:
    """One encoded image, ready to store."""

    data: bytes
    width: int
    height: int


@dataclass(frozen=True)
class ProcessedPhoto:
    """The display and thumbnail renditions of an upload, in one format."""

    display: Rendition
    thumb: Rendition
    content_type: str
    ext: str


def sniff_format(data: bytes) -> str | None:
    """Name the format of `data` from its magic bytes: "JPEG", "PNG", "WEBP", or None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def process_photo(data: bytes, *, max_pixels: int = 40_000_000, display_px: int = 1600,
                  thumb_px: int = 400, max_bytes: int = 25 * 1024 * 1024) -> ProcessedPhoto:
    """Check, decode, orient and re-encode an uploaded photo, stripped of all metadata.

    Returns a display rendition fitting in `display_px` square and a thumbnail fitting in
    `thumb_px` square; neither is ever larger than the source. Raises `TooLarge` (413) when the
    upload exceeds `max_bytes`, `Unsupported` (415) unless its content is JPEG, PNG or WebP, and
    `Invalid` (422, field "photo") when it is truncated, corrupt, animated, or has more than
    `max_pixels` pixels.
    """
    if len(data) > max_bytes:
        raise TooLarge(f"The photo is larger than {max_bytes // (1024 * 1024)} MB.", field="photo")
    if not data:
        raise Invalid("The photo is empty.", field="photo")
    fmt = sniff_format(data)
    if fmt is None:
        raise Unsupported("Photos must be JPEG, PNG or WebP images.", field="photo")

    image, icc = _decode(data, fmt, max_pixels=max_pixels, display_px=display_px)
    # A JPEG's draft decode has already halved it in the DCT domain, leaving a reduction of less
    # than 2x, where Pillow's antialiasing bilinear filter is within 0.5 dB PSNR of bicubic
    # (measured on the bench photo against a full-resolution Lanczos) at two thirds of its cost.
    shrunk = _shrink(image, display_px, Image.Resampling.BILINEAR)
    colour = _to_srgb(_drop_opaque_alpha(shrunk), icc)
    # A fresh image holds pixels and nothing else: no info dict, so the encoder has no EXIF,
    # ICC profile or comment to copy (JPEG comments survive re-encoding unless info is cleared).
    display = Image.new(colour.mode, colour.size)
    display.paste(colour)
    # The thumbnail comes from the display image: it is already oriented, clean, and 16x smaller.
    thumb = _shrink(display, thumb_px, Image.Resampling.BICUBIC)
    content_type, ext = _WEBP_OUT if display.mode == "RGBA" else _JPEG_OUT
    return ProcessedPhoto(display=_encode(display), thumb=_encode(thumb),
                          content_type=content_type, ext=ext)


def _decode(data: bytes, fmt: str, *, max_pixels: int, display_px: int) -> tuple[Image.Image, bytes | None]:
    """Open `data` as `fmt`, vet its header, decode it and apply its EXIF orientation.

    Returns the decoded image in a mode `_shrink` can resample, and the source's ICC profile.
    """
    # Pillow only warns about images over its own limit; make that a refusal too. catch_warnings
    # swaps the process-wide filter list, so it is not thread-safe on Python < 3.14: that is why
    # it is only a second line of defence behind the explicit size check in `_check_header`.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            # `formats` restricts Pillow to the format the magic bytes named, so a file that sniffs
            # as PNG can never be handed to another of Pillow's many parsers.
            image = Image.open(io.BytesIO(data), formats=[fmt])
            _check_header(image, max_pixels)
            if image.format in ("JPEG", "MPO"):
                # Let libjpeg decode at 1/2, 1/4 or 1/8 scale in the DCT domain, skipping most of
                # the inverse DCT and colour conversion: a 12 MP photo comes out at 2000x1500,
                # never smaller than the display size, and the 48 MB full-size buffer is never allocated.
                image.draft("RGB", _fit(image.size, display_px))
            # Decoding happens here; with LOAD_TRUNCATED_IMAGES off (we never turn it on), a
            # truncated file raises instead of coming out half grey.
            image.load()
            icc = image.info.get("icc_profile") or None
            return _normalize_mode(_orient(image), icc), icc
        except _BOMB_ERRORS:
            raise Invalid("The photo has too many pixels to be processed safely.", field="photo") from None
        except _DECODE_ERRORS:
            raise Invalid("The photo is damaged or truncated and cannot be read.", field="photo") from None


def _check_header(image: Image.Image, max_pixels: int) -> None:
    """Refuse, from the header alone, what must never be decoded: too many pixels, or animation."""
    width, height = image.size
    if width * height > max_pixels:
        raise Invalid(f"The photo is {width}x{height}, over the limit of {max_pixels:,} pixels.",
                      field="photo")
    # MPO (stereo or multi-picture camera JPEG) holds a still primary image; we keep that one.
    if image.format != "MPO" and getattr(image, "n_frames", 1) > 1:
        raise Invalid("Animated images are not accepted; upload a still photo.", field="photo")


def _orient(image: Image.Image) -> Image.Image:
    """Rotate or flip `image` the way its EXIF orientation tag says a viewer would show it."""
    try:
        ImageOps.exif_transpose(image, in_place=True)
    except (SyntaxError, ValueError, KeyError, TypeError, struct.error, OSError):
        # A malformed EXIF block costs the photo its orientation, not its acceptance.
        pass
    return image


def _normalize_mode(image: Image.Image, icc: bytes | None) -> Image.Image:
    """Bring any decoded mode to RGB or RGBA, or CMYK when its ICC profile will convert it later."""
    mode = image.mode
    if mode.startswith("I"):
        # 16-bit greyscale: Pillow clips to 255 when converting to L, which turns most of the
        # image white; scale the 0..65535 range down instead. A 16-bit tRNS colour key is dropped.
        image = image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
        image.info.pop("transparency", None)
        mode = "L"
    has_alpha = mode in _ALPHA_MODES or "transparency" in image.info
    if mode == "CMYK" and icc:
        return image
    target = "RGBA" if has_alpha else "RGB"
    # Palette, 1-bit, grey and grey+alpha all go through convert, which honours tRNS transparency.
    return image if mode == target else image.convert(target)


def _fit(size: tuple[int, int], box: int) -> tuple[int, int]:
    """The size of `size` scaled to fit in a `box` square, never enlarged."""
    width, height = size
    scale = min(box / width, box / height, 1.0)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _shrink(image: Image.Image, box: int, resample: Image.Resampling) -> Image.Image:
    """`image` resampled to fit in a `box` square, or `image` itself if it already fits."""
    size = _fit(image.size, box)
    if size == image.size:
        return image
    # As Image.thumbnail does: box-reduce by a whole factor first (fast), then filter over at
    # least twice the target size, which looks the same as filtering all the way.
    return image.resize(size, resample, reducing_gap=2.0)


def _drop_opaque_alpha(image: Image.Image) -> Image.Image:
    """Drop an alpha channel that is fully opaque, so that the photo can be stored as JPEG."""
    if image.mode == "RGBA" and image.getchannel("A").getextrema() == (255, 255):
        return image.convert("RGB")
    return image


def _to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """Convert `image` to sRGB with its ICC profile, since the profile itself will be stripped.

    Without this, a Display P3 phone photo would look washed out and a CMYK one would get
    Pillow's naive formula. A profile that is already sRGB, or that is broken, is skipped.
    """
    target = "RGBA" if image.mode == "RGBA" else "RGB"
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if "srgb" not in ImageCms.getProfileDescription(source).lower():
                srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
                converted = ImageCms.profileToProfile(image, source, srgb, outputMode=target)
                if converted is not None:
                    return converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            # A profile lcms cannot use (corrupt, or made for another colour space than the
            # pixels) costs colour accuracy only.
            pass
    return image if image.mode == target else image.convert(target)


def _encode(image: Image.Image) -> Rendition:
    """Encode a clean RGB image as JPEG, or an RGBA one as WebP, with no metadata."""
    buffer = io.BytesIO()
    if image.mode == "RGBA":
        image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
    else:
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return Rendition(data=buffer.getvalue(), width=image.width, height=image.height)
