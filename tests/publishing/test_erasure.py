"""An erased reviewer's name survives in no published file: the erasure queues the products'
files, due at once, and the worker overwrites them (each `.gz` and `.br` too). S3: test_s3.py."""

from __future__ import annotations

from tests.helpers import publish, run

from .conftest import api_urls, every_file, product_folder

ZED = {"email": "zebulon@example.com", "display_name": "Zebulon Quixote"}
BEA = {"email": "bea@example.com", "display_name": "Beatrix Friend"}


def _reviews_by_both(client, shop) -> None:
    publish(client, shop, "sku-1", 5, body="Zed likes them.", **ZED)
    publish(client, shop, "sku-2", 2, body="Zed is not sure.", **ZED)
    publish(client, shop, "sku-1", 4, body="Bea likes them.", **BEA)


def _erase(client, shop, email: str) -> None:
    answer = client.post("/api/v1/customers/erase", json={"email": email}, headers=shop.headers)
    assert answer.status_code == 200, answer.get_json()


def _worker(app) -> None:
    result = run(app.test_cli_runner(), "worker", "--once")
    assert result.exit_code == 0, result.output


def test_an_erased_name_is_in_no_published_file(app, client, shop, published_root):
    _reviews_by_both(client, shop)
    _worker(app)
    before = every_file(published_root)
    assert any("Zebulon" in body.decode() for body in before.values())

    _erase(client, shop, ZED["email"])
    _worker(app)

    after = every_file(published_root)
    assert after.keys() == before.keys()  # .gz and .br siblings included, decompressed
    assert [name for name, body in after.items() if b"Zebulon" in body or b"Zed " in body] == []
    assert b"Beatrix F." in after[f"{shop.public_key}/products/sku-1/reviews.json"]
    for product_id in ("sku-1", "sku-2"):
        folder = product_folder(published_root, shop, product_id)
        for name, url in api_urls(shop, product_id).items():
            assert (folder / name).read_bytes() == client.get(url).data
