"""A corpus of good, awkward and hostile uploads for the photo pipeline and the photo upload API.

Each generator returns the bytes of one upload, made on the fly (no binary fixtures in the repo).
`CORPUS` lists them with the outcome they must get: the HTTP status of the refusal, or None when
the photo must be accepted.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from PIL import ExifTags, Image, ImageChops, ImageCms, PngImagePlugin

SECRET_COMMENT = b"SECRET-COMMENT-do-not-publish"
SECRET_TEXT = "SECRET-TEXT-CHUNK-do-not-publish"
HTML_TAIL = b"<html><script>alert('stored xss')</script></html>"
XMP_PACKET = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/'
              b'02/22-rdf-syntax-ns#"><rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
              b'xmp:CreatorTool="SECRET-XMP-TOOL"/></rdf:RDF></x:xmpmeta>')
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
RED, BLUE = (220, 30, 30), (30, 30, 220)


def photo(size: tuple[int, int] = (800, 600)) -> Image.Image:
    """An RGB image with smooth gradients and grain, so that it encodes like a real photo."""
    width, height = size
    red = Image.linear_gradient("L").rotate(90).resize(size)
    green = Image.radial_gradient("L").resize(size)
    blobs = Image.effect_noise((max(1, width // 16), max(1, height // 16)), 60).resize(size, Image.Resampling.BICUBIC)
    grain = Image.effect_noise(size, 12)
    channels = [ImageChops.add(band, grain, offset=-128) for band in (red, green, blobs)]
    return Image.merge("RGB", channels)


def _save(image: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def good_jpeg(size: tuple[int, int] = (800, 600)) -> bytes:
    return _save(photo(size), "JPEG", quality=90)


def good_png() -> bytes:
    return _save(photo((640, 480)), "PNG")


def good_webp() -> bytes:
    return _save(photo((640, 480)), "WEBP", quality=85)


def small_jpeg() -> bytes:
    """300x200: smaller than both renditions, so it must come out at its own size."""
    return good_jpeg((300, 200))


@lru_cache(maxsize=1)
def large_jpeg() -> bytes:
    """A 4000x3000 (12-megapixel) camera-sized JPEG."""
    return good_jpeg((4000, 3000))


def jpeg_with_html_tail() -> bytes:
    """A valid JPEG with an HTML payload after its EOI marker: accepted, and the tail dropped."""
    return good_jpeg((200, 150)) + HTML_TAIL


def srgb_icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def wide_gamut_icc() -> bytes:
    """A minimal ICC v2 RGB display profile with Display P3 primaries and gamma 2.2."""
    def s15(*values: float) -> bytes:
        return b"".join(struct.pack(">i", round(v * 65536)) for v in values)

    name = b"Display P3 (test)"
    desc = b"desc\0\0\0\0" + struct.pack(">I", len(name) + 1) + name + b"\0" + bytes(8 + 2 + 1 + 67)
    tags = [
        (b"desc", desc),
        (b"cprt", b"text\0\0\0\0public domain\0"),
        (b"wtpt", b"XYZ \0\0\0\0" + s15(0.9642, 1.0, 0.8249)),
        (b"rXYZ", b"XYZ \0\0\0\0" + s15(0.5151, 0.2412, -0.0011)),
        (b"gXYZ", b"XYZ \0\0\0\0" + s15(0.2920, 0.6922, 0.0419)),
        (b"bXYZ", b"XYZ \0\0\0\0" + s15(0.1571, 0.0666, 0.7841)),
    ] + [(sig, b"curv\0\0\0\0" + struct.pack(">IH", 1, 563)) for sig in (b"rTRC", b"gTRC", b"bTRC")]
    offset = 128 + 4 + 12 * len(tags)
    table, body = struct.pack(">I", len(tags)), b""
    for sig, data in tags:
        data += bytes(-len(data) % 4)
        table += sig + struct.pack(">II", offset + len(body), len(data))
        body += data
    # Header after the size field: CMM, version 2.1, class/space/PCS, date, magic, flags,
    # the D50 illuminant, then creator, ID and reserved bytes.
    header = (bytes(4) + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ " + bytes(12) + b"acsp"
              + bytes(28) + s15(0.9642, 1.0, 0.8249) + bytes(48))
    return struct.pack(">I", 4 + len(header) + len(table) + len(body)) + header + table + body


def _spy_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "SpyCam"
    exif[ExifTags.Base.Model] = "Exif Leaker 3000"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 31.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (13.0, 24.0, 36.0)
    gps[ExifTags.GPS.GPSMapDatum] = "GPS WGS-84"
    return exif


def two_tone(size: tuple[int, int] = (60, 40)) -> Image.Image:
    """Left half red, right half blue: shows which way an orientation turned the image."""
    image = Image.new("RGB", size, RED)
    image.paste(BLUE, (size[0] // 2, 0, size[0], size[1]))
    return image


def jpeg_with_metadata() -> bytes:
    """60x40 (landscape as stored) with EXIF orientation 6, GPS, XMP, a comment and an ICC profile."""
    return _save(two_tone(), "JPEG", quality=95, exif=_spy_exif(orientation=6),
                 comment=SECRET_COMMENT, icc_profile=srgb_icc(), xmp=XMP_PACKET)


def wide_gamut_jpeg() -> bytes:
    """A flat colour tagged with a Display P3 profile: must be converted to sRGB, not just stripped."""
    return _save(Image.new("RGB", (64, 64), (180, 120, 80)), "JPEG", quality=95,
                 icc_profile=wide_gamut_icc())


def mismatched_icc_jpeg() -> bytes:
    """An RGB JPEG carrying a Lab profile that lcms cannot apply: accepted, profile ignored."""
    lab = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    return _save(photo((64, 64)), "JPEG", icc_profile=lab)


def cmyk_jpeg() -> bytes:
    return _save(Image.new("CMYK", (120, 80), (0, 255, 255, 0)), "JPEG")


def mpo_jpeg() -> bytes:
    """A multi-picture (stereo camera) JPEG: accepted as its primary image."""
    frames = [photo((160, 120)), two_tone((160, 120))]
    return _save(frames[0], "MPO", save_all=True, append_images=frames[1:])


def png_16bit() -> bytes:
    """A 16-bit greyscale ramp from black to white: must keep its greys, not clip them to white."""
    row = b"".join(struct.pack("<H", x * 1040) for x in range(64))
    return _save(Image.frombytes("I;16", (64, 64), row * 64), "PNG")


def palette_png_with_transparency() -> bytes:
    """A palette PNG whose left half is palette entry 0, declared fully transparent by tRNS."""
    image = Image.new("P", (64, 32), 0)
    image.putpalette([0, 0, 0, *RED] + [0] * 762)
    image.paste(1, (32, 0, 64, 32))
    return _save(image, "PNG", transparency=0)


def la_png() -> bytes:
    image = Image.new("LA", (64, 32), (200, 255))
    image.paste((50, 0), (0, 0, 32, 32))
    return _save(image, "PNG")


def opaque_rgba_png() -> bytes:
    """An RGBA PNG with no transparent pixel: stored as JPEG like any photo."""
    return _save(photo((128, 96)).convert("RGBA"), "PNG")


def png_with_metadata() -> bytes:
    """PNG with tEXt, zTXt and iTXt (XMP) chunks, an eXIf chunk with GPS, and an iCCP profile."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SECRET_TEXT)
    info.add_text("Author", SECRET_TEXT, zip=True)
    info.add_itxt("XML:com.adobe.xmp", XMP_PACKET.decode())
    return _save(photo((96, 64)), "PNG", pnginfo=info, exif=_spy_exif(), icc_profile=srgb_icc())


def webp_with_metadata() -> bytes:
    return _save(photo((96, 64)), "WEBP", exif=_spy_exif(), icc_profile=srgb_icc(), xmp=XMP_PACKET)


def _frames() -> list[Image.Image]:
    return [Image.new("RGB", (64, 64), colour) for colour in (RED, BLUE, (30, 200, 30))]


def animated_png() -> bytes:
    first, *rest = _frames()
    return _save(first, "PNG", save_all=True, append_images=rest, duration=100, loop=0)


def animated_webp() -> bytes:
    first, *rest = _frames()
    return _save(first, "WEBP", save_all=True, append_images=rest, duration=100, loop=0)


def gif() -> bytes:
    return _save(two_tone(), "GIF")


def svg() -> bytes:
    return (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
            b'<script>alert(document.cookie)</script><rect width="10" height="10"/></svg>')


def html() -> bytes:
    return b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def psd() -> bytes:
    """The header of a Photoshop file, as if renamed to photo.jpg."""
    return b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, 64, 64, 8, 3) + bytes(64)


def truncated_jpeg() -> bytes:
    data = good_jpeg((400, 300))
    return data[: len(data) // 2]


def truncated_png() -> bytes:
    data = good_png()
    return data[: len(data) // 2]


def corrupt_webp() -> bytes:
    """The RIFF/WEBP magic, then garbage where the VP8 bitstream should be."""
    body = b"WEBPVP8 " + struct.pack("<I", 64) + bytes(range(64))
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@lru_cache(maxsize=4)
def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A valid 1-bit PNG of `width` x `height` black pixels: tens of KB on disk, huge decoded.

    Rows are compressed in batches, so the full pixel buffer never exists while generating it.
    """
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    row = bytes(1 + (width + 7) // 8)  # filter byte 0, then packed bits
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(row * min(1000, height - y)) for y in range(0, height, 1000)]
    parts.append(compressor.flush())
    return (PNG_SIGNATURE + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", b"".join(parts))
            + _png_chunk(b"IEND", b""))


def png_header_only(width: int = 20_000, height: int = 20_000) -> bytes:
    """Only the signature and an IHDR declaring a 20000x20000 RGB image: no pixel data at all."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return PNG_SIGNATURE + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IEND", b"")


def over_limit_bomb() -> bytes:
    """8000x8000 (64 MP): over our 40 MP limit but under Pillow's own, so only our check stops it."""
    return png_bomb(8000, 8000)


@dataclass(frozen=True)
class Case:
    """One upload and the outcome it must get: the status of the refusal, or None if accepted."""

    name: str
    make: Callable[[], bytes]
    status: int | None


CORPUS: list[Case] = [
    *(Case(f.__name__, f, None) for f in (
        good_jpeg, good_png, good_webp, small_jpeg, large_jpeg, jpeg_with_html_tail,
        jpeg_with_metadata, wide_gamut_jpeg, mismatched_icc_jpeg, cmyk_jpeg, mpo_jpeg, png_16bit,
        palette_png_with_transparency, la_png, opaque_rgba_png, png_with_metadata,
        webp_with_metadata)),
    *(Case(f.__name__, f, 415) for f in (gif, svg, html, pdf, psd)),
    *(Case(f.__name__, f, 422) for f in (
        truncated_jpeg, truncated_png, corrupt_webp, animated_png, animated_webp, png_bomb,
        png_header_only, over_limit_bomb)),
]
