"""Each cleaning step on real snippets from the seed pages."""

from assistant.ingest.clean import (
    clean_body,
    cut_trailing_chrome,
    drop_chrome_lines,
    normalize_whitespace,
    remove_spam,
    repeated_spam,
    strip_pinyin,
)
from assistant.ingest.quality import score_text
from assistant.script import to_simplified

from .conftest import seed_text

PROMO = "6RK速刷资讯——每天刷点最新资讯,了解这个世界多一点SUSHUAPOS.COM"


def test_pinyin_after_characters_is_removed():
    assert strip_pinyin("當(dāng)前位置:主頁") == "當前位置:主頁"
    assert strip_pinyin("數(shù)量全國(guó)第一") == "數量全國第一"
    assert strip_pinyin("產（chǎn）業") == "產業"


def test_parentheses_that_are_not_pinyin_survive():
    text = "中小企業(SME)與專精特新(專業化、精細化)以及智慧城市news(Network)"
    assert strip_pinyin(text) == text


def test_pinyin_removal_on_a_whole_seed_leaves_no_toned_syllables():
    cleaned = strip_pinyin(seed_text("first100"))
    assert "(dāng)" not in cleaned and "(chǎn)" not in cleaned.split("當?")[0]
    assert "首批100個集群去年產值超2.5萬億元" in cleaned


def test_whitespace_is_normalised_line_by_line():
    assert normalize_whitespace("  培育優質中小企業\u3000\r\n\xa0 廣東 ") == "培育優質中小企業\n廣東"


def test_breadcrumbs_share_widgets_and_notices_are_chrome():
    lines = [
        "当前位置: 主页 > 国内要闻 >",
        "當前位置:主頁 > 新聞中心 > 產業規劃 >",
        "分享到",
        "微信公眾號",
        "版權所有:中國產業經濟信息網京ICP備11041399號-2京公網安備11010502035964",
        "本站信息快照查询为非营利公共服务,如有侵权请联系我们进行删除。",
        "如无异议,至此,浙江国家级中小企业特色产业集群增至23个。",
    ]
    assert drop_chrome_lines(lines) == ["如无异议,至此,浙江国家级中小企业特色产业集群增至23个。"]


def test_teaser_tail_is_cut_but_an_early_marker_is_not():
    article = ["工信部有关负责人介绍,迄今已累计培育认定300个国家级中小企业特色产业集群。" * 3] * 4
    tail = ["热门资讯", "推荐资讯", "快问|裁员40%?资生堂中国回应", "日榜"]
    assert cut_trailing_chrome(article + tail) == article
    early = ["延伸阅读", *article]
    assert cut_trailing_chrome(early) == early


def test_a_page_crawled_as_one_line_loses_its_teasers_but_not_its_text():
    body = "各地要在每年3月31日前报送集群上一年度发展情况。本批集群认定有效期为三年。" * 4
    line = body + " 相关阅读：集群都分布在哪些行业？｜ 一文读懂集群认定标准 ｜ 县域经济如何借力集群"
    assert cut_trailing_chrome([line]) == [body]
    early = "相关阅读：一文读懂认定标准。" + body  # at the start it is more likely the article's own words
    assert cut_trailing_chrome([early]) == [early]


def test_snapshot_and_copyright_blocks_end_the_article():
    lines = seed_text("zhejiang").split("\n")
    body = clean_body(lines)
    assert "快照" not in body and "临空经济" not in body and "更多关于" not in body
    assert body.rstrip().endswith("也能推动集群高质量跃升。")


def test_promo_appended_to_every_paragraph_is_found_and_removed():
    paragraphs = [p for p in seed_text("national").split("\n") if p.strip()]
    assert PROMO in repeated_spam(paragraphs)
    cleaned = remove_spam(paragraphs, repeated_spam(paragraphs))
    assert not any("SUSHUAPOS" in p for p in cleaned)
    assert "近日,工业和信息化部印发《关于2024年度中小企业特色产业集群名单的通告》,新认定100个国家级中小企业特色产业集群,认定有效期为三年。" in cleaned


def test_ordinary_repeated_phrases_are_not_spam():
    paragraphs = [
        "浙江国家级中小企业特色产业集群增至23个。",
        "全国已有30个省份具备各自的国家级中小企业特色产业集群。",
        "国家级中小企业特色产业集群东部地区156个。",
    ]
    assert repeated_spam(paragraphs) == []


def test_repeated_title_inside_the_body_is_dropped():
    title = "涌金楼丨浙江新增入选最多,这支“国家队”有多重要?"
    body = clean_body(["日前,工信部发布2024年度中小企业特色产业集群公示名单。", title, "如无异议。"], title)
    assert title not in body


def test_traditional_text_is_indexed_in_simplified():
    assert to_simplified("中小企業特色產業集群數量全國第一") == "中小企业特色产业集群数量全国第一"


def test_mojibake_is_counted_not_deleted():
    snippet = "主導產業為當?shù)刂еa(chǎn)業,對集群產值貢獻率達86.5%,創造超過170萬個就業崗位"
    signals = score_text(to_simplified(snippet))
    assert signals.mojibake_markers >= 2
    clean = score_text("主导产业为当地支柱产业,对集群产值贡献率达86.5%,创造超过170万个就业岗位")
    assert clean.mojibake_markers == 0 and clean.score > signals.score


def test_pinyin_residue_is_repaired_and_destroyed_characters_make_a_sentence_unfit():
    from assistant.ingest.clean import repair_residue

    assert repair_residue("集群产业(chǎn)发展良好。") == ("集群产业发展良好。", True)
    assert repair_residue("浙江增至23个(GDP)，有多重要?") == ("浙江增至23个(GDP)，有多重要?", True)
    assert repair_residue("主导产业为当?shù)刂еa(chǎn)业,对集群产")[1] is False  # 地 and 主导 are gone
    assert repair_residue("支持?jǐn)?shù)字化服务商") == ("支持□□字化服务商", True)  # destroyed characters show as □
    assert repair_residue("我们?yōu)橹行∑髽I(yè)对接更多资源")[1] is False  # ∑ is wreckage, not text


def test_no_sentence_offered_for_quoting_carries_encoding_wreckage(ingested):
    import re

    from langchain_core.documents import Document

    from assistant.answering.evidence import sentences_from

    got = ingested.store.all_chunks()
    docs = [Document(page_content=t, metadata={**m, "chunk_id": i}) for i, t, m in zip(got["ids"], got["documents"], got["metadatas"])]
    sentences = sentences_from(docs)
    assert len(sentences) > 100
    wreck = re.compile(r"[\u4e00-\u9fff][?？][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]|[\u0400-\u04ff]|\ufffd|[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔù][a-zü]*\)")
    assert [s.original for s in sentences if wreck.search(s.original) or wreck.search(s.simplified)] == []


def test_a_sentence_with_a_destroyed_clause_is_quoted_without_it():
    from assistant.ingest.clean import quotable

    broken = "首批集群均具有较强影响力,主导产业为当?shù)刂еa(chǎn)业,对集群产值贡献率达86.5%。"
    assert quotable(broken) == "首批集群均具有较强影响力,…对集群产值贡献率达86.5%。"
    assert quotable("在广州市黄埔区,当?shù)胤e极打造智能制造装备产业核心竞争力。") is None  # too little survives
