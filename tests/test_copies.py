"""Which documents are copies of one another, and which copy speaks for them."""

from assistant.library.copies import copies_of_each_other, fingerprint, groups
from assistant.schema import DocumentMeta

from .test_api import NOTICE_2025, NOTICE_2026, REPOST_2025

TITLE = "某省工业和信息化厅关于组织推荐2025年度省级特色产业集群的通知"


def meta(doc_id: str, source: str, date: str, **more) -> DocumentMeta:
    return DocumentMeta(doc_id=doc_id, path=f"{doc_id}.txt", title=TITLE, source=source, date=date, content_hash=doc_id, **more)


def test_a_repost_with_chrome_and_no_line_breaks_is_a_copy_and_next_years_notice_is_not():
    notice, repost, later = (fingerprint(t) for t in (NOTICE_2025, REPOST_2025, NOTICE_2026))
    assert copies_of_each_other(notice, repost) and copies_of_each_other(repost, notice)
    assert not copies_of_each_other(notice, later)  # the same words, other figures


def test_a_traditional_copy_with_pinyin_inserted_is_still_a_copy():
    spun = "某省工業和信息化廳(gong ye)關於組織推薦" + NOTICE_2025.split("关于组织推荐", 1)[1].replace("集群", "集羣")
    assert copies_of_each_other(fingerprint(NOTICE_2025), fingerprint(spun))


def test_the_issuers_own_copy_speaks_for_the_group_even_when_a_repost_is_earlier():
    texts = {"portal": REPOST_2025, "own": NOTICE_2025, "next": NOTICE_2026}
    metas = [meta("portal", "某市政府门户网站", "2025-05-01"), meta("own", "某省工业和信息化厅", "2025-05-08"), meta("next", "某省工业和信息化厅", "2026-04-02")]
    assert groups(metas, texts) == {"portal": "own", "own": "own"}


def test_without_the_issuers_copy_the_one_stating_its_number_and_signing_date_then_the_earliest_wins():
    texts = {"a": REPOST_2025, "b": NOTICE_2025}
    signed = [meta("a", "门户网站", "2025-05-12"), meta("b", "新闻网", "2025-05-20", doc_number="某工信函〔2025〕31号", signed_on="2025-05-08")]
    assert groups(signed, texts)["a"] == "b"
    unsigned = [meta("a", "门户网站", "2025-05-12"), meta("b", "新闻网", "2025-05-20")]
    assert groups(unsigned, texts)["b"] == "a"
