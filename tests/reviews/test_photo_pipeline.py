"""The photo pipeline: what it accepts, what it refuses, and that nothing but pixels leaves it."""

from __future__ import annotations

import io
import struct
import warnings
from functools import cache

import pytest
from PIL import Image, ImageFile

from reviews_service.errors import DomainError
from reviews_service.reviews.photos import ProcessedPhoto, process_photo, sniff_format
from tests import photo_corpus as corpus

ACCEPTED = [case for case in corpus.CORPUS if case.status is None]
REFUSED = [case for case in corpus.CORPUS if case.status is not None]
# Strings that only a leaked piece of metadata or payload could put into an output file.
LEAKS = [b"Exif", b"ICC_PROFILE", b"http://ns.adobe.com/xap", b"SpyCam", b"SECRET", b"<script",
         corpus.HTML_TAIL, corpus.SECRET_COMMENT, corpus.SECRET_TEXT.encode()]
# Three-letter markers can occur by chance inside compressed pixel data, so they are looked for
# in the container's non-pixel parts only.
SHORT_LEAKS = [b"GPS", b"xmp"]


@cache
def processed(name: str) -> ProcessedPhoto:
    return process_photo(getattr(corpus, name)())


def renditions(name: str):
    result = processed(name)
    return [result.display, result.thumb]


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def metadata_region(data: bytes) -> bytes:
    """Every byte of the container that is not compressed pixel data."""
    if data.startswith(b"\xff\xd8"):
        # Segments up to the first start-of-scan, which is where encoders put all metadata.
        region, pos = b"", 2
        while data[pos + 1] != 0xDA:
            assert data[pos] == 0xFF
            (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
            region += data[pos:pos + 2 + length]
            pos += 2 + length
        return region
    return b"".join(fourcc + body for fourcc, body in webp_chunks(data)
                    if fourcc not in (b"VP8 ", b"VP8L", b"ALPH"))


def jpeg_markers(data: bytes) -> list[int]:
    """The markers of the segments before the first start-of-scan."""
    markers, pos = [], 2
    while data[pos + 1] != 0xDA:
        markers.append(data[pos + 1])
        pos += 2 + struct.unpack(">H", data[pos + 2:pos + 4])[0]
    return markers


def webp_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, pos = [], 12
    while pos < len(data):
        fourcc, (size,) = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])
        chunks.append((fourcc, data[pos + 8:pos + 8 + size]))
        pos += 8 + size + (size & 1)
    return chunks


@pytest.mark.parametrize("case", ACCEPTED, ids=lambda case: case.name)
def test_acceptable_photo_is_processed(case):
    result = processed(case.name)
    assert result.content_type in ("image/jpeg", "image/webp")
    assert result.ext == {"image/jpeg": "jpg", "image/webp": "webp"}[result.content_type]
    for rendition in (result.display, result.thumb):
        assert decoded(rendition.data).format == {"jpg": "JPEG", "webp": "WEBP"}[result.ext]


@pytest.mark.parametrize("case", REFUSED, ids=lambda case: case.name)
def test_hostile_upload_is_refused_with_its_status(case):
    with pytest.raises(DomainError) as caught:
        process_photo(case.make())
    assert caught.value.status == case.status
    assert list(caught.value.errors) == ["photo"]


@pytest.mark.parametrize("name", ["png_bomb", "over_limit_bomb", "png_header_only"])
def test_pixel_bomb_is_refused_before_decoding(name, monkeypatch):
    def no_decoding(self):
        raise AssertionError("the pixels of a bomb must never be decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(DomainError) as caught:
        process_photo(getattr(corpus, name)())
    assert caught.value.status == 422


def test_pixel_limit_is_configurable():
    with pytest.raises(DomainError) as caught:
        process_photo(corpus.good_jpeg((800, 600)), max_pixels=800 * 600 - 1)
    assert caught.value.status == 422


def test_refusing_a_bomb_leaves_pillow_and_warnings_as_they_were():
    limit, filters = Image.MAX_IMAGE_PIXELS, list(warnings.filters)
    with pytest.raises(DomainError):
        process_photo(corpus.png_bomb())
    assert Image.MAX_IMAGE_PIXELS == limit
    assert warnings.filters == filters
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_upload_over_the_byte_limit_is_413():
    with pytest.raises(DomainError) as caught:
        process_photo(corpus.good_jpeg(), max_bytes=1000)
    assert caught.value.status == 413


def test_empty_upload_is_422():
    with pytest.raises(DomainError) as caught:
        process_photo(b"")
    assert caught.value.status == 422


@pytest.mark.parametrize("maker, expected", [
    (corpus.good_jpeg, "JPEG"), (corpus.good_png, "PNG"), (corpus.good_webp, "WEBP"),
    (corpus.gif, None), (corpus.svg, None), (corpus.psd, None), (corpus.pdf, None), (bytes, None),
])
def test_format_is_sniffed_from_content(maker, expected):
    assert sniff_format(maker()) == expected


def test_exif_orientation_is_applied():
    # Stored 60x40 with orientation 6 ("rotate 90 degrees clockwise to view"): the left (red)
    # half of the stored image must end up on top.
    image = decoded(processed("jpeg_with_metadata").display.data)
    assert image.size == (40, 60)
    red, blue = image.getpixel((20, 5)), image.getpixel((20, 55))
    assert red[0] > 180 and red[2] < 80
    assert blue[2] > 180 and blue[0] < 80


@pytest.mark.parametrize("case", ACCEPTED, ids=lambda case: case.name)
def test_output_holds_no_metadata(case):
    for rendition in renditions(case.name):
        image = decoded(rendition.data)
        for key in ("exif", "icc_profile", "comment", "xmp", "XML:com.adobe.xmp", "Comment"):
            assert key not in image.info
        assert not getattr(image, "text", {})
        assert len(image.getexif()) == 0
        for leak in LEAKS:
            assert leak not in rendition.data
        region = metadata_region(rendition.data).lower()
        for leak in SHORT_LEAKS:
            assert leak.lower() not in region


@pytest.mark.parametrize("case", ACCEPTED, ids=lambda case: case.name)
def test_output_container_has_only_pixel_segments(case):
    for rendition in renditions(case.name):
        if rendition.data.startswith(b"\xff\xd8"):
            # APP0 (JFIF), DQT, SOF0/SOF2, DHT, DRI: no APP1 (EXIF, XMP), APP2 (ICC), COM.
            assert set(jpeg_markers(rendition.data)) <= {0xE0, 0xDB, 0xC0, 0xC2, 0xC4, 0xDD}
        else:
            chunks = dict(webp_chunks(rendition.data))
            assert set(chunks) <= {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}
            # VP8X flags: ICC 0x20, EXIF 0x08, XMP 0x04, animation 0x02.
            assert chunks.get(b"VP8X", b"\0")[0] & 0x2E == 0


def test_trailing_html_after_a_jpeg_is_dropped():
    for rendition in renditions("jpeg_with_html_tail"):
        assert b"<html" not in rendition.data
        assert rendition.data.endswith(b"\xff\xd9")


@pytest.mark.parametrize("case", ACCEPTED, ids=lambda case: case.name)
def test_renditions_fit_their_boxes_and_keep_the_aspect_ratio(case):
    source = Image.open(io.BytesIO(case.make()))
    result = processed(case.name)
    display, thumb = result.display, result.thumb
    assert (decoded(display.data).size, decoded(thumb.data).size) == (
        (display.width, display.height), (thumb.width, thumb.height))
    assert max(display.width, display.height) <= 1600
    assert max(thumb.width, thumb.height) <= 400
    assert display.width * display.height <= source.width * source.height
    assert thumb.width <= display.width and thumb.height <= display.height
    source_ratio = max(source.size) / min(source.size)
    assert max(display.width, display.height) / min(display.width, display.height) == pytest.approx(
        source_ratio, rel=0.02)


def test_camera_photo_is_scaled_to_display_and_thumb_size():
    result = processed("large_jpeg")
    assert (result.display.width, result.display.height) == (1600, 1200)
    assert (result.thumb.width, result.thumb.height) == (400, 300)


def test_small_photo_is_never_upscaled():
    result = processed("small_jpeg")
    assert (result.display.width, result.display.height) == (300, 200)
    assert (result.thumb.width, result.thumb.height) == (300, 200)


@pytest.mark.parametrize("name", ["palette_png_with_transparency", "la_png"])
def test_transparent_image_is_stored_as_webp_with_its_alpha(name):
    result = processed(name)
    assert (result.content_type, result.ext) == ("image/webp", "webp")
    image = decoded(result.display.data)
    assert image.mode == "RGBA"
    assert image.getpixel((5, 5))[3] == 0
    assert image.getpixel((50, 5))[3] == 255


def test_fully_opaque_alpha_channel_is_stored_as_jpeg():
    assert processed("opaque_rgba_png").content_type == "image/jpeg"


def test_16bit_png_keeps_its_greys():
    image = decoded(processed("png_16bit").display.data)
    assert image.getpixel((0, 10))[0] < 10
    assert 120 < image.getpixel((32, 10))[0] < 140
    assert image.getpixel((63, 10))[0] > 245


def test_cmyk_jpeg_comes_out_rgb_with_its_colour():
    image = decoded(processed("cmyk_jpeg").display.data)
    assert image.mode == "RGB"
    red, green, blue = image.getpixel((60, 40))
    assert red > 230 and green < 25 and blue < 25


def test_wide_gamut_photo_is_converted_to_srgb_before_its_profile_is_dropped():
    # (180, 120, 80) in Display P3 is a more saturated (~191, 117, 70) in sRGB; simply dropping
    # the profile would have kept the source numbers and shown a duller colour.
    red, green, blue = decoded(processed("wide_gamut_jpeg").display.data).getpixel((32, 32))
    assert red >= 186 and blue <= 75 and 112 <= green <= 122
