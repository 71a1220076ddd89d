"""Referral codes from names in any script: transliterated (anyascii) into the codes' letters,
"FRIEND" only for a name with no letters at all; a Latin name gives the code it always gave."""

from __future__ import annotations

import re

import pytest

from tests.factories import order_payload

from .conftest import code_of, order

CODE = re.compile(r"^[A-Z]{1,8}-[A-HJ-NP-Z2-9]{5}$")


@pytest.mark.parametrize(("name", "part"), [
    ("Անի Հակոբյան", "ANI"), ("ნინო ბერიძე", "NINO"), ("ສົມພອນ ວົງສາ", "SOMPHN"),
    ("Дмитрий Иванов", "DMITRIY"), ("محمد العلي", "MHMD"), ("王小明", "WANGXIAO"),
    ("Ana Buyer", "ANA"), ("Zoë Ann", "ZOE"), ("😀", "FRIEND"),
])
def test_a_name_in_any_script_gives_a_readable_code(client, program, name, part):
    code = code_of(client, program, order(client, program, "c@example.com", name))

    assert CODE.match(code), code
    assert code.split("-")[0] == part


@pytest.mark.parametrize(("locale", "part"), [("vi", "LAN"), ("en", "NGUYEN")])
def test_a_vietnamese_full_name_gives_the_given_name_in_vietnamese_only(client, program, locale, part):
    payload = order_payload(customer={"email": "lan@example.com", "name": "Nguyễn Thị Lan", "locale": locale})
    answer = client.post("/api/v1/orders", json=payload, headers=program.headers).json

    assert code_of(client, program, answer).startswith(part + "-")


def test_the_code_takes_the_given_name_sent(client, program):
    payload = order_payload(customer={"email": "lan@example.com", "name": "Nguyễn Thị Lan",
                                      "given_name": "Lan", "family_name": "Nguyễn", "locale": "vi"})
    answer = client.post("/api/v1/orders", json=payload, headers=program.headers).json

    assert code_of(client, program, answer).startswith("LAN-")
