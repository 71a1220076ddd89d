"""Scripts written without spaces between words (Lao, Thai, Khmer, Burmese, Chinese, Japanese): a
listed word matches where its grapheme clusters appear in sequence, never inside a cluster and
never without the tone marks and vowel signs it is written with; duplicates are compared cluster
by cluster. Words of the spaced scripts still match whole words only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reviews_service.moderation import rules
from tests.factories import make_product
from tests.helpers import server_review, set_settings, write_review

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


class FakeHistory:
    def __init__(self, texts=()):
        self.texts = list(texts)

    def earlier_texts(self, facts, since):
        return self.texts

    def product_reviews_since(self, facts, since):
        return 0


def facts(text: str, locale: str) -> rules.ReviewFacts:
    return rules.ReviewFacts(id=1, shop_id=1, product_id=1, title="", body=text, author_name="A.",
                             email="a@example.com", locale=locale, visitor_hash="v" * 32, ip_hash="i" * 32,
                             source="widget", verified_buyer=True, created_at=NOW)


def decide(text: str, locale: str, history=(), **settings) -> rules.Decision:
    return rules.evaluate(facts(text, locale), settings, recent=FakeHistory(history))


# (locale, the shop's word, a review that has it, a review that has not: a different word that
# shares its letters, or the same letters with a mark on the last one, which makes another cluster)
WORDS = [
    # "crappy" / "khaki trousers": กากี ends in the cluster กี, not in ก.
    ("th", "กาก", "สินค้ากากมาก ใช้วันเดียวก็พัง", "กางเกงสีกากีใส่สบายมาก"),
    # "damn" / "hard to find": ห่า and หา differ by a tone mark only.
    ("th", "ห่า", "ของห่าอะไรเนี่ย ใช้ไม่ได้เลย", "หาซื้อยากมาก ดีใจที่ได้ของ"),
    # "lying" / "dust": both start with ຂີ້.
    ("lo", "ຂີ້ຕົວະ", "ຮ້ານນີ້ຂີ້ຕົວະ ສິນຄ້າບໍ່ຄືຮູບ", "ກ່ອງມີຂີ້ຝຸ່ນໜ້ອຍໜຶ່ງ ແຕ່ສິນຄ້າດີ"),
    # "crappy" / "khaki shirt".
    ("lo", "ກາກ", "ສິນຄ້າກາກຫຼາຍ ໃຊ້ມື້ດຽວກໍເພ", "ເສື້ອສີກາກີໃສ່ສະບາຍຫຼາຍ"),
    # "tiger" / "shirt": ເສືອ and ເສື້ອ differ by a tone mark only.
    ("lo", "ເສືອ", "ລາຍເສືອງາມຫຼາຍ", "ເສື້ອຕົວນີ້ໃສ່ສະບາຍ"),
    # "stupid" / "to weigh": ば and は differ by the voiced mark only.
    ("ja", "ばか", "説明書がばかみたいに分かりにくい。", "毎朝体重をはかるのに便利です。"),
    ("ja", "クソ", "クソみたいな品質でした。", "クッションがソフトで気持ちいい。"),
    ("zh", "垃圾", "这个产品真是垃圾，用了一天就坏了。", "包装很好，物流也快。"),
    ("km", "ឆ្កួត", "ផលិតផលនេះឆ្កួតណាស់", "ផលិតផលនេះល្អណាស់"),
    ("my", "ခွေး", "ဒီဆိုင်ခွေးပဲ", "ဒီဆိုင်ကောင်းတယ်"),
]


@pytest.mark.parametrize(("locale", "word", "holding", "clean"), WORDS)
def test_a_shops_word_matches_by_clusters_in_scripts_without_spaces(locale, word, holding, clean):
    held = decide(holding, locale, rule_profanity_words=[word])
    assert (held.action, held.rule) == ("hold", "profanity")
    assert repr(word) in held.detail
    assert decide(clean, locale, rule_profanity_words=[word]).rule == "auto_publish_verified"


def test_a_word_written_with_decomposed_marks_or_split_by_invisible_characters_still_matches():
    assert decide("説明書がは\u3099かみたい", "ja", rule_profanity_words=["ばか"]).rule == "profanity"
    assert decide("ສິນຄ້າກ\u200bາກຫຼາຍ", "lo", rule_profanity_words=["ກາກ"]).rule == "profanity"


def test_spaced_scripts_keep_whole_words_beside_and_inside_unspaced_text():
    assert decide("ສິນຄ້າrubbish", "lo", rule_profanity_words=["rubbish"]).rule == "profanity"
    assert decide("A classic glass, ສວຍຫຼາຍ", "lo", rule_profanity_words=["ass"]).rule == "auto_publish_verified"
    assert decide("Շատ վատ ապրանք", "hy", rule_profanity_words=["վատ"]).rule == "profanity"
    assert decide("Շատ վատթար", "hy", rule_profanity_words=["վատ"]).rule == "auto_publish_verified"


def test_a_shipped_list_in_an_unspaced_script_matches_inside_a_sentence():
    # The word as a list file would hold it, with a prefix star that adds nothing there.
    assert decide("ของห่าอะไรเนี่ย", "th", rule_profanity_words=["ห่า*"]).rule == "profanity"


# --- duplicates ----------------------------------------------------------------------------------

LAO = "ເສື້ອຕົວນີ້ໃສ່ສະບາຍ ຜ້າໜາດີ ສີບໍ່ຕົກ"


@pytest.mark.parametrize(("locale", "text", "near"), [
    ("lo", LAO, LAO.replace("ສະບາຍ", "ສະບາຍຫຼາຍ")),
    ("th", "ส่งของเร็วมาก แพ็คมาดี สินค้าตรงปก ใช้ดีมาก", "ส่งของเร็วมาก แพ็คมาดี สินค้าตรงปก ใช้ดีมากๆ"),
    ("ja", "靴のサイズがぴったりで、とても歩きやすいです。", "靴のサイズがぴったりで、とても歩きやすいです！！"),
])
def test_nearly_the_same_text_in_a_script_without_spaces_is_a_duplicate(locale, text, near):
    assert decide(text, locale, [near]).rule == "duplicate"


def test_the_tone_marks_and_vowel_signs_of_a_lao_text_are_part_of_it():
    # Without its marks the text reads other words (ໃສ: clear, ໃສ່: to wear; ຜາ: cliff, ຜ້າ: cloth).
    bare = "ເສືອຕົວນີ້ໃສສະບາຍ ຜາໜາດີ ສີບໍຕົກ"
    assert decide(LAO, "lo", [bare]).rule == "auto_publish_verified"


def test_a_different_japanese_review_from_the_same_person_is_no_duplicate():
    assert decide("靴のサイズがぴったりで歩きやすいです", "ja",
                  ["靴のサイズがぶかぶかで歩きにくいです"]).rule == "auto_publish_verified"


# --- through HTTP ----------------------------------------------------------------------------------

@pytest.fixture
def app_config():
    return {"PUBLIC_WRITE_LIMIT": "1000 per minute"}


def test_a_shops_lao_word_holds_the_review_and_leaves_the_others_published(app, client, shop):
    make_product(app, shop, "sku-1", "ເສື້ອ")
    make_product(app, shop, "sku-2", "ໂສ້ງ")
    answered = set_settings(client, shop, rule_profanity_words=["ຂີ້ຕົວະ"])
    assert answered["settings"]["rule_profanity_words"] == ["ຂີ້ຕົວະ"]

    held = server_review(client, shop, write_review(client, shop, verified=True, locale="lo",
                                                       body="ຮ້ານນີ້ຂີ້ຕົວະ ສິນຄ້າບໍ່ຄືຮູບ"))
    published = server_review(client, shop, write_review(client, shop, verified=True, locale="lo",
                                                            body="ກ່ອງມີຂີ້ຝຸ່ນໜ້ອຍໜຶ່ງ ແຕ່ສິນຄ້າດີ"))

    assert (held["status"], held["moderation_rule"]) == ("pending", "profanity")
    assert (published["status"], published["moderation_rule"]) == ("published", "auto_publish_verified")
