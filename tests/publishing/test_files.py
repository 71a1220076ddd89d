"""The published files are the API's answers, byte for byte, under the contract's names: each
product's rating, badges (the shop's default language and every widget language) and first page
of reviews, the shop's rating, each beside its `.gz` and `.br`."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from reviews_service import create_app
from reviews_service.cli import main
from reviews_service.config import ConfigError
from reviews_service.ratings import words
from tests.conftest import base_config
from tests.factories import make_product, make_shop
from tests.helpers import publish, run, upload

from .conftest import FILES, api_urls, every_file, product_folder, read_all, run_tasks, tasks

IDS = ["sku-1", "shoe/42 blue", "Größe M", "v1.2_final"]


def _reply(client, shop, review_id: str, body: str) -> None:
    answer = client.post(f"/api/v1/reviews/{review_id}/reply", json={"body": body}, headers=shop.headers)
    assert answer.status_code in (200, 201), answer.get_json()


@pytest.mark.parametrize("product_id", IDS)
def test_each_file_is_the_api_answer_byte_for_byte(app, client, shop, published_root, product_id):
    first = publish(client, shop, product_id, 5, email="ana@example.com", title="Great", body="Warm.",
                    photo_ids=[upload(client, shop)])
    publish(client, shop, product_id, 2, email="ben@example.com", body="Too small.")
    _reply(client, shop, first["id"], "Thank you, Ana!")

    assert run_tasks(app).failed == 0

    folder = product_folder(published_root, shop, product_id)
    urls = api_urls(shop, product_id)
    assert sorted(urls) == sorted(p.name for p in folder.iterdir() if p.suffix not in (".gz", ".br"))
    for name, url in urls.items():
        answer = client.get(url)
        assert answer.status_code == 200
        assert read_all(folder / name) == [answer.data] * 3, name
    reviews = (folder / "reviews.json").read_text()
    assert "Thank you, Ana!" in reviews and "Too small." in reviews


def test_the_shop_rating_is_the_api_answer(app, client, shop, published_root):
    publish(client, shop, "sku-1", 5)
    publish(client, shop, "sku-2", 3, email="other@example.com")

    run_tasks(app)

    assert read_all(published_root / shop.public_key / "rating.json") == [client.get(f"{shop.public}/rating").data] * 3


def test_a_product_name_that_is_not_a_safe_file_name_is_its_base64url(app, client, shop, published_root):
    publish(client, shop, "shoe/42 blue", 4)

    run_tasks(app)

    assert (published_root / shop.public_key / "products" / "~c2hvZS80MiBibHVl" / "rating.json").is_file()


@pytest.mark.parametrize("product_id", ["é" * 80, "../" * 60])
def test_a_product_whose_id_has_no_file_name_is_skipped(app, client, shop, published_root, product_id):
    publish(client, shop, product_id, 4)
    publish(client, shop, "sku-1", 5, email="other@example.com")

    stats = run_tasks(app)

    assert stats.failed == 0
    names = {path.split("/")[2] for path in every_file(published_root) if "/products/" in path}
    assert names == {"sku-1"}


def test_nothing_but_the_files_is_left_in_the_folder(app, client, shop, published_root):
    publish(client, shop, "sku-1", 5)

    run_tasks(app)

    files = every_file(published_root)
    assert not [name for name in files if ".tmp" in name or name.rsplit("/", 1)[-1].startswith(".")]
    expected = {"rating.json", "reviews.json", "badge.svg"} | {f"badge.{lang}.svg" for lang in words.languages()}
    folder = f"{shop.public_key}/products/sku-1/"
    assert {name[len(folder):] for name in files if name.startswith(folder)} == {
        name + suffix for name in expected for suffix in ("", ".gz", ".br")}


# --- reviews-service publish ------------------------------------------------------------------------

def test_the_publish_command_writes_every_product_of_every_shop(app, client, shop, published_root):
    other = make_shop(app, "Shop B")
    make_product(app, shop, "never-reviewed")
    make_product(app, other, "sku-9")

    result = run(app.test_cli_runner(), "publish")

    assert result.exit_code == 0, result.output
    assert "Published" in result.output
    for keys, product_id in ((shop, "never-reviewed"), (other, "sku-9")):
        folder = product_folder(published_root, keys, product_id)
        for name in FILES:
            assert read_all(folder / name) == [client.get(api_urls(keys, product_id)[name]).data] * 3
        assert (published_root / keys.public_key / "rating.json").is_file()


def test_the_help_page_lists_the_publish_command():
    page = CliRunner().invoke(main, ["--help"]).output

    assert re.search(r"^  publish\s{2,}\(Re\)publish the static files", page, re.MULTILINE), page


def test_the_publish_command_can_take_one_shop(app, shop, published_root):
    other = make_shop(app, "Shop B")
    make_product(app, shop, "sku-1")
    make_product(app, other, "sku-9")

    result = run(app.test_cli_runner(), "publish", "--shop", shop.public_key)

    assert result.exit_code == 0, result.output
    assert (published_root / shop.public_key / "products" / "sku-1" / "rating.json").is_file()
    assert not (published_root / other.public_key).exists()


def test_the_publish_command_queues_nothing(app, shop):
    make_product(app, shop, "sku-1")

    run(app.test_cli_runner(), "publish")

    assert tasks(app) == []


def test_a_product_url_with_an_encoded_slash_reads_the_same_file(app, client, shop, published_root):
    publish(client, shop, "a/b", 5)
    run_tasks(app)

    answer = client.get(f"{shop.public}/products/{quote('a/b', safe='')}/rating")

    assert (product_folder(published_root, shop, "a/b") / "rating.json").read_bytes() == answer.data


@pytest.mark.parametrize(("settings", "message"), [
    ({"PUBLISH_STORAGE": "ftp"}, "REVIEWS_PUBLISH_STORAGE must be empty (off), local or s3, got 'ftp'"),
    ({"PUBLISH_STORAGE": "s3"}, "REVIEWS_PUBLISH_STORAGE=s3 needs REVIEWS_S3_BUCKET (the photos' bucket settings)"),
])
def test_a_publishing_setting_that_cannot_work_stops_the_start(tmp_path, settings, message):
    with pytest.raises(ConfigError) as refused:
        create_app(base_config(tmp_path, **settings))

    assert str(refused.value) == message
