"""In a versioned S3 bucket (moto's server), every older version of a reviews.json is deleted as
it is overwritten, so an erased reviewer's name survives in no object version; every object has
the API's Content-Type and Cache-Control."""

from __future__ import annotations

import uuid

import boto3
import pytest

from tests.helpers import publish
from tests.reviews.test_storage import s3_endpoint  # noqa: F401  (moto's server, a fixture)

from .conftest import api_urls
from .test_erasure import ZED, _erase, _reviews_by_both, _worker


@pytest.fixture
def bucket(s3_endpoint):  # noqa: F811
    name = f"photos-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


@pytest.fixture
def app_config(s3_endpoint, bucket):  # noqa: F811
    return {"PUBLISH_STORAGE": "s3", "S3_BUCKET": bucket, "S3_ENDPOINT_URL": s3_endpoint,
            "S3_REGION": "us-east-1", "S3_ACCESS_KEY": "testing", "S3_SECRET_KEY": "testing"}


def _every_version(s3, bucket: str) -> dict[tuple[str, str], bytes]:
    out = {}
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        for item in page.get("Versions", []):
            body = s3.get_object(Bucket=bucket, Key=item["Key"], VersionId=item["VersionId"])["Body"].read()
            out[(item["Key"], item["VersionId"])] = body
    return out


def test_in_s3_an_erased_name_is_in_no_object_version(app, client, shop, s3_endpoint, bucket):  # noqa: F811
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    _reviews_by_both(client, shop)
    _worker(app)
    publish(client, shop, "sku-1", 3, body="A third opinion.", email="carl@example.com")
    _worker(app)  # overwrites: the bucket keeps older versions of what has no names
    assert any(b"Zebulon" in body for body in _every_version(s3, bucket).values())

    _erase(client, shop, ZED["email"])
    _worker(app)

    versions = _every_version(s3, bucket)
    assert [key for key, body in versions.items() if b"Zebulon" in body or b"Zed " in body] == []
    key = f"published/{shop.public_key}/products/sku-1/reviews.json"
    assert [k for k, _ in versions if k == key] == [key]  # the current version only
    current = s3.get_object(Bucket=bucket, Key=key)
    answer = client.get(api_urls(shop, "sku-1")["reviews.json"])
    assert current["Body"].read() == answer.data
    assert current["ContentType"] == "application/json"
    assert current["CacheControl"] == answer.headers["Cache-Control"]
    badge = s3.head_object(Bucket=bucket, Key=f"published/{shop.public_key}/products/sku-1/badge.hy.svg")
    assert (badge["ContentType"], badge["CacheControl"]) == ("image/svg+xml", answer.headers["Cache-Control"])
    rating_versions = [k for k, _ in versions if k == f"published/{shop.public_key}/products/sku-1/rating.json"]
    assert len(rating_versions) >= 2  # a file without names keeps the bucket's versions
