"""Header extraction on the five seeds, sidecar overrides and format hints."""

import json

import pytest

from assistant.ingest.document import build_document

from .conftest import SEEDS

EXPECTED = {
    "zhejiang": ("2024-09-12", "杭州网", "涌金楼丨浙江新增入选最多,这支“国家队”有多重要?", "simplified"),
    "national": ("2024-09-25", "21世纪经济报道", "工信部已认定300个国家级中小企业特色产业集群,多地实现集群数量“零的突破”", "simplified"),
    "jiangsu_spun": ("2023-03-31", "xg111太平洋在线", "业加速“成群”评新而论抱团前行 江苏中小企", "simplified"),
    "first100": ("2023-07-17", "高新院", "首批100個集群去年產值超2.5萬億元 中小企業產業集群引領區域發展", "traditional"),
    "guangdong": ("2023-07-03", "中國產業經濟信息網", "中小企業特色產業集群數量全國第一 廣東將建立梯度培育體系", "traditional"),
}


@pytest.mark.parametrize("name", EXPECTED)
def test_seed_metadata_is_extracted_from_the_text(name):
    doc = build_document(SEEDS[name], SEEDS[name].name)
    date, source, title, script = EXPECTED[name]
    assert (doc.meta.date, doc.meta.source, doc.meta.title, doc.meta.script) == (date, source, title, script)
    assert len(doc.meta.content_hash) == 64
    assert title not in doc.text  # the headline is metadata, not body


def test_url_is_taken_from_the_article_link_line():
    doc = build_document(SEEDS["national"], "national.txt")
    assert doc.meta.url == "http://www.sushuapos.com/show-4-11584-0.html"


def test_body_keeps_the_facts_and_drops_site_menus(corpus_documents):
    by_date = {d.meta.date: d for d in corpus_documents}
    assert "浙江国家级中小企业特色产业集群增至23个" in by_date["2024-09-12"].text
    assert "我的订阅" not in by_date["2024-09-12"].text
    assert "日夜间" not in by_date["2024-09-25"].text
    assert "高新院新聞" not in by_date["2023-07-17"].text
    assert "(dāng)" not in by_date["2023-07-17"].text
    assert "2022年產值超過2.5萬億元" in by_date["2023-07-17"].text
    assert "版權及免責聲明" not in by_date["2023-07-03"].text


def test_sidecar_overrides_extracted_metadata(tmp_path):
    path = tmp_path / "article.txt"
    path.write_bytes(SEEDS["jiangsu_spun"].read_bytes())
    (tmp_path / "article.txt.meta.json").write_text(
        json.dumps({"source": "转载网站（来源未知）", "date": "2023年3月31日", "url": "https://example.org/a"}),
        encoding="utf-8",
    )
    meta = build_document(path, "article.txt").meta
    assert (meta.source, meta.date, meta.url) == ("转载网站（来源未知）", "2023-03-31", "https://example.org/a")


def test_html_pages_get_title_and_date_from_the_page(tmp_path):
    html = """<html><head><title>广东发布梯度培育细则 - 某网</title>
    <meta property="article:published_time" content="2023-07-03"></head><body>
    <nav>首页 | 新闻 | 政策</nav><article><h1>广东发布梯度培育细则</h1>
    <p>“十四五”期间，广东将推动培育10万家创新型中小企业、1万家专精特新中小企业、1000家专精特新“小巨人”企业。</p>
    <p>活动上发布了2022年广东省国家级中小企业特色产业集群名单，广东有7个集群上榜，入选数量与山东并列第一。</p>
    </article><footer>版权所有 某网</footer></body></html>"""
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    doc = build_document(path, "page.html")
    assert doc.meta.title == "广东发布梯度培育细则"
    assert doc.meta.date == "2023-07-03"
    assert "广东有7个集群上榜" in doc.text and "首页 | 新闻" not in doc.text
