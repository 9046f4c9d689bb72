"""Government document shapes: header fields in any layout, 文号, title lines, signature blocks, structure.

The example lines are written in the shapes that ministry and provincial pages use (header tables, label
lines, signature blocks); none is copied from a page.
"""

from __future__ import annotations

import re

import pytest

from assistant.answering.document_facts import asked_field, find_fact, kind_named
from assistant.ingest.document import build_document
from assistant.ingest.govdoc import (
    doc_number,
    enclosing_lead_ins,
    header_fields,
    is_title_line,
    locate,
    parse_date,
    rules,
    signature,
    split_run_on,
    title_from_lead,
)

SAMPLE_VALUES = {
    "date": ("2022年9月13日", "2022-09-13"),
    "posted": ("2022-09-14 10:30", "2022-09-14"),
    "issuer": ("工业和信息化部", "工业和信息化部"),
    "source": ("工业和信息化部网站", "工业和信息化部网站"),
    "doc_number": ("工信部企业〔2022〕119号", "工信部企业〔2022〕119号"),
    "title": ("关于开展中小企业特色产业集群申报工作的通知", "关于开展中小企业特色产业集群申报工作的通知"),
    "index_number": ("000014672/2022-00581", "000014672/2022-00581"),
}


@pytest.mark.parametrize(
    "field,label", [(field, label) for field, labels in rules().fields.items() for label in labels]
)
def test_every_header_label_in_the_data_file_is_read(field, label):
    raw, expected = SAMPLE_VALUES[field]
    for line in (f"{label}：{raw}", f"| {label} | {raw} |", f"{label}: {raw}  "):
        assert header_fields(["站点导航", line, "正文第一句。"]).values.get(field) == expected, line


def test_a_pipe_table_with_several_fields_per_row():
    lines = [
        "索引号 | 000014672/2022-00581 | 发布机构 | 工业和信息化部 |",
        "号 | 工信部企业〔2022〕119号 | 制发日期 | 2022-09-13 |",  # a crawler cut 文号 to 号
        "关于印发《促进中小企业特色产业集群发展暂行办法》的通知",
    ]
    fields = header_fields(lines)
    assert fields.values["issuer"] == "工业和信息化部" and fields.values["date"] == "2022-09-13"
    assert fields.lines == {0, 1}


def test_several_label_colon_fields_on_one_line_and_date_priority():
    line = "发布单位：陕西省工业和信息化厅  成文日期：2023年6月2日  发布日期：2023-06-09  来源：省中小企业局"
    values = header_fields([line]).values
    assert values["issuer"] == "陕西省工业和信息化厅" and values["source"] == "省中小企业局"
    assert values["date"] == "2023-06-02" and values["posted"] == "2023-06-09"  # made, and put online


def test_a_label_alone_takes_the_next_line_as_its_value():
    values = header_fields(["发文字号", "陕工信发〔2023〕89号", "成文日期", "2023年6月2日"]).values
    assert values == {"doc_number": "陕工信发〔2023〕89号", "date": "2023-06-02"}


def test_body_sentences_with_a_date_are_not_header_fields():
    # 申报时间 is not the label 时间: a label must not be glued to a word before it.
    assert header_fields(["请于申报时间：2024年3月31日前报送材料。"]).values == {}


@pytest.mark.parametrize(
    "text,number",
    [
        ("工信部企业〔2022〕119号", "工信部企业〔2022〕119号"),
        ("文号：工信厅企业函〔2024〕122号", "工信厅企业函〔2024〕122号"),
        ("陕工信发[2023]89号", "陕工信发[2023]89号"),
        ("苏工信中小（2023）56 号", "苏工信中小（2023）56号"),
    ],
)
def test_document_numbers(text, number):
    assert doc_number(text) == number


@pytest.mark.parametrize(
    "text,date",
    [("2024年9月19日", "2024-09-19"), ("二〇二四年九月十九日", "2024-09-19"), ("2022-09-13 10:00", "2022-09-13"), ("2024年13月1日", None)],
)
def test_dates(text, date):
    assert parse_date(text) == date


def test_signature_blocks():
    body = ["各省、自治区、直辖市工业和信息化主管部门：", "特此通告。", "工业和信息化部", "2024年9月19日"]
    assert signature(body)[:2] == ("工业和信息化部", "2024-09-19")
    joint = ["特此通知。", "工业和信息化部办公厅", "财政部办公厅", "二〇二三年三月二十日", "（此件公开发布）"]
    assert signature(joint)[:2] == ("工业和信息化部办公厅、财政部办公厅", "2023-03-20")
    assert signature(["以上为本文全部内容。", "江苏省工业和信息化厅 2023年3月31日"])[:2] == ("江苏省工业和信息化厅", "2023-03-31")
    assert signature(["截至2024年9月，浙江共有23个国家级集群，新增数量居全国第一，继续保持领先。"])[:2] == (None, None)


@pytest.mark.parametrize(
    "line,expected",
    [
        ("关于开展2024年度中小企业特色产业集群申报工作的通知", True),
        ("《促进中小企业特色产业集群发展暂行办法》", True),
        ("陕西省省级中小企业特色产业集群认定管理实施办法（试行）", True),
        ("- 产业规划", False),
        ("通知公告", False),
        ("各地要按照本通知要求，认真组织申报工作，确保材料真实的通知。", False),
    ],
)
def test_title_lines(line, expected):
    assert is_title_line(line) is expected


def test_a_title_from_the_lead_never_takes_the_body():
    run_on = "关于公布2024年度中小企业特色产业集群名单的通告 根据《促进中小企业特色产业集群发展暂行办法》，经地方推荐、专家评审，认定100个集群。"
    assert title_from_lead(run_on) == "关于公布2024年度中小企业特色产业集群名单的通告"
    assert title_from_lead("今年以来，我省持续推进集群培育工作，成效明显。") == "今年以来，我省持续推进集群培育工作，成效明显"


@pytest.mark.parametrize("byline", rules().bylines)
def test_a_page_crawled_as_one_paragraph_loses_its_header_fields_and_bylines(byline):
    # A 发布时间 left inside the lead's sentence would date that sentence to the day the site posted it.
    page = (
        "百家集群上榜！名单正式公布 发布时间：2023-01-12 08:41 来源：某产业网 "
        f"{byline}：李明 工业和信息化部1月11日对外公布了2022年度集群名单，共有100个集群入选。"
        + "这份名单此前已于2022年12月29日至2023年1月5日在网上公示。" * 8
    )
    parts = split_run_on(page)
    assert parts[0] == "百家集群上榜！名单正式公布"
    assert parts[1].startswith("工业和信息化部1月11日对外公布"), parts[1]
    assert not any("发布时间" in p or "李明" in p for p in parts)


def test_a_run_on_notice_is_split_where_its_articles_begin_and_each_part_knows_its_place():
    run_on = (
        "第一章 总则 第一条 为促进中小企业特色产业集群发展，制定本办法。第二条 本办法所称中小企业特色产业集群，"
        "是指聚焦县域主导产业的中小企业集聚区。第二章 认定 第三条 申报集群应当符合下列条件：（一）主导产业产值占比不低于50%；"
        "（二）集群内企业创新能力较强。附件1 申报书模板。"
    )
    assert split_run_on(run_on) == [run_on]  # under 300 characters: an ordinary paragraph
    parts = split_run_on(run_on, min_chars=100)
    assert parts[0].startswith("第一章") and any(p.startswith("第三条") for p in parts)
    places = dict(zip(parts, locate(parts)))
    assert places[next(p for p in parts if p.startswith("第二条"))] == "第二条"
    assert places[next(p for p in parts if p.startswith("（二）"))] == "第三条（二）"
    assert places[next(p for p in parts if p.startswith("附件1"))] == "附件1"


def test_a_one_paragraph_repost_is_ingested_with_its_title_date_and_issuer(tmp_path):
    text = (
        "关于公布2024年度中小企业特色产业集群名单的通告 根据《促进中小企业特色产业集群发展暂行办法》（工信部企业〔2022〕119号），"
        "经地方推荐、专家评审和网上公示，认定河北省沧州市任丘市石油装备产业集群等100个集群为2024年度中小企业特色产业集群，"
        "有效期为三年。各地工业和信息化主管部门要加强跟踪服务。特此通告。 工业和信息化部 2024年9月19日"
    )
    path = tmp_path / "repost.txt"
    path.write_text(text, encoding="utf-8")
    doc = build_document(path, "repost.txt")
    assert doc.meta.title == "关于公布2024年度中小企业特色产业集群名单的通告"
    assert (doc.meta.source, doc.meta.date) == ("工业和信息化部", "2024-09-19")
    assert "有效期为三年" in doc.text and "石油装备产业集群" in doc.text
    assert doc.meta.doc_number is None  # 119号 is cited in the body; it is not this notice's number


def test_a_news_page_that_carries_a_notice_knows_the_notices_title(tmp_path):
    # The page's own title is a headline; the notice it carries is asked for by its official title.
    page = (
        "某省集群名单出炉 新能源集群表现亮眼\n来源：某产业网 日期：2025-10-20\n"
        "记者从省工业和信息化厅获悉，今年共有12个集群入选。\n"
        "从产业分布看，新能源、新材料和装备制造集群数量较多。\n"
        "省工业和信息化厅有关负责人表示，将加大对入选集群的支持力度。以下为通告全文。\n"
        "某省工业和信息化厅关于公布2025年度省级中小企业特色产业集群名单的通告\n"
        "经评审和公示，现将名单予以公布。\n某省工业和信息化厅\n2025年10月17日\n"
    )
    path = tmp_path / "news.txt"
    path.write_text(page, encoding="utf-8")
    meta = build_document(path, "news.txt").meta
    assert meta.title.startswith("某省集群名单出炉")
    assert meta.official_title == "某省工业和信息化厅关于公布2025年度省级中小企业特色产业集群名单的通告"
    assert meta.signed_on == "2025-10-17"
    question = "2025年度省级集群名单的通告落款是哪天？"
    fact = find_fact(question, asked_field(question), [meta.model_dump()])
    assert fact is not None and fact.value == "2025-10-17"
    official = tmp_path / "notice.txt"
    official.write_text(page[page.index("某省工业和信息化厅关于"):], encoding="utf-8")
    assert build_document(official, "notice.txt").meta.official_title is None  # its own title already is


def test_a_header_table_page(tmp_path):
    page = "\n".join(
        [
            "首页 > 政务公开 > 政策文件",
            "索引号 | 000014672/2022-00581 | 发布机构 | 工业和信息化部 |",
            "号 | 工信部企业〔2022〕119号 | 制发日期 | 2022-09-13 |",
            "工业和信息化部关于印发《促进中小企业特色产业集群发展暂行办法》的通知",
            "工信部企业〔2022〕119号",
            "各省、自治区、直辖市及计划单列市中小企业主管部门：",
            "现将《促进中小企业特色产业集群发展暂行办法》印发给你们，请认真贯彻执行。",
            "工业和信息化部",
            "2022年8月23日",
        ]
    )
    path = tmp_path / "table.txt"
    path.write_text(page, encoding="utf-8")
    meta = build_document(path, "table.txt").meta
    assert meta.title == "工业和信息化部关于印发《促进中小企业特色产业集群发展暂行办法》的通知"
    assert (meta.source, meta.date, meta.doc_number) == ("工业和信息化部", "2022-09-13", "工信部企业〔2022〕119号")


def test_a_file_with_one_chinese_sentence_is_a_document_and_one_without_is_not(tmp_path):
    one = tmp_path / "one.txt"
    one.write_text("本市集群名单另行公布。", encoding="utf-8")
    doc = build_document(one, "one.txt")
    assert doc.text == "本市集群名单另行公布。" and doc.meta.source == "未知来源"
    latin = tmp_path / "latin.txt"
    latin.write_text("Just some English text without any Chinese in it.", encoding="utf-8")
    from assistant.ingest.load import LoadError

    with pytest.raises(LoadError, match="中文"):
        build_document(latin, "latin.txt")


def _ground_truth(folder: str = "documents") -> list[dict]:
    """The table in eval/<folder>/README.md: file, title, issuer (or 'X (reposted by Y)'), date, 文号."""
    from assistant.settings import PROJECT_ROOT

    readme = PROJECT_ROOT / "eval" / folder / "README.md"
    rows = []
    for line in readme.read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
            issuer = cells[4]
            rows.append(
                {
                    "path": readme.parent / cells[0].strip("`"),
                    "issuers": {issuer.split(" (")[0], *re.findall(r"reposted by (\S+?)\)", issuer)},
                    "date": None if cells[5] == "—" else cells[5],
                    "doc_number": None if cells[6] == "—" else cells[6],
                }
            )
    return rows


def _metadata_misses(truth: list[dict], fields: tuple[str, ...]) -> tuple[dict, dict, list]:
    """How many stated dates, issuers and 文号 the documents' metadata gets right, and the misses."""
    from assistant.script import to_simplified

    right = dict.fromkeys(fields, 0)
    stated = dict.fromkeys(fields, 0)
    misses = []
    for row in truth:
        meta = build_document(row["path"], row["path"].name).meta  # none may be rejected
        checks = {"date": (row["date"], meta.date), "doc_number": (row["doc_number"], meta.doc_number)}
        checks["issuer"] = (row["issuers"], to_simplified(meta.source))
        for name in fields:
            expected, got = checks[name]
            if not expected:
                continue
            stated[name] += 1
            ok = got in expected if name == "issuer" else got == expected
            right[name] += ok
            if not ok:
                misses.append((row["path"].name, name, got, expected))
    return right, stated, misses


def test_date_issuer_and_doc_number_are_right_on_nine_in_ten_policy_documents():
    truth = _ground_truth()
    assert len(truth) >= 12
    right, stated, misses = _metadata_misses(truth, ("date", "issuer", "doc_number"))
    for name in right:
        assert right[name] >= 0.9 * stated[name], (name, misses)


def test_date_and_doc_number_are_right_on_nine_in_ten_fresh_documents():
    # eval/documents_fresh/ was written after the rules by someone who never read them. Its issuers
    # (joint ministries, a Q&A page's department, a news item's 供稿) are measured by the fresh suite,
    # not gated here: 6 of 10 when this test was written.
    truth = _ground_truth("documents_fresh")
    assert len(truth) >= 8
    right, stated, misses = _metadata_misses(truth, ("date", "doc_number"))
    for name in right:
        assert right[name] >= 0.9 * stated[name], (name, misses)


def test_a_document_is_about_the_province_its_title_or_its_own_voice_names():
    from assistant.ingest.document import region_of_document

    assert region_of_document("陕西省工业和信息化厅关于印发实施办法的通知", "", "") == "陕西"
    lead = "日前，甘肃省工业和信息化厅公布省级集群名单，全省共有15个集群入选。下一步，我省将加大支持。"
    assert region_of_document("我省公布省级集群名单", "省中小企业局", lead) == "甘肃"
    # A national text names provinces in lists and datelines without being about one.
    national = "各省、自治区、直辖市及新疆生产建设兵团中小企业主管部门：现将办法印发给你们。"
    assert region_of_document("关于印发《优质企业培育办法》的通知", "工业和信息化部", national) is None
    assert region_of_document("专精特新企业超14万家", "中国新闻网", "中新社北京8月6日电 截至2024年底，全国…") is None
    # A provincial paper that names only its cities speaks for their province.
    cities = "记者从省工业和信息化厅获悉，全省共有14个集群入选，西安市碑林区、宝鸡市高新区的集群名列其中。我省集群已达32个。"
    assert region_of_document("我省省级集群总数增至32个", "某经济网", cities) == "陕西"


def test_each_paragraph_knows_the_lead_ins_of_the_units_that_hold_it():
    paragraphs = [
        "第三章 认定条件",
        "第八条 申报省级集群应当同时具备下列条件：",
        "（一）近三年产值每年均在20亿元以上；",
        "第九条 省级集群由县级主管部门申报。",
        "附件2：专精特新“小巨人”企业认定标准",
        "一、专业化指标",
        "（一）从事特定细分市场时间达到3年以上。",
    ]
    held_by = dict(zip(paragraphs, enclosing_lead_ins(paragraphs)))
    assert held_by["（一）近三年产值每年均在20亿元以上；"] == "第三章 认定条件第八条 申报省级集群应当同时具备下列条件："
    assert held_by["第九条 省级集群由县级主管部门申报。"] == "第三章 认定条件"  # not 第八条's lead-in
    assert held_by["（一）从事特定细分市场时间达到3年以上。"] == "附件2：专精特新“小巨人”企业认定标准一、专业化指标"
    assert held_by["第三章 认定条件"] == ""


@pytest.mark.parametrize(
    "field, phrase", [(field, phrase) for field, phrases in rules().asking.items() for phrase in phrases]
)
def test_every_asking_phrase_in_the_data_file_asks_for_its_field(field, phrase):
    assert asked_field(f"《促进中小企业特色产业集群发展暂行办法》{phrase}？") == field


@pytest.mark.parametrize(
    "question, field",
    [
        ("工信部企业〔2022〕119号文是哪个部门发布的？", "issuer"),
        ("公布2022年度集群名单的通告文号是什么？", "doc_number"),
        ("福建转发的推荐通知是哪天发的？", "signed_on"),
        ("2022年度集群名单是哪天公布的？", None),  # names no document: the date is in what reports say
        ("集群的文号是什么意思？", None),
    ],
)
def test_a_question_about_a_document_itself(question, field):
    assert asked_field(question) == field


@pytest.mark.parametrize(
    "text, kind",
    [("公布2022年度集群名单的通告", "通告"), ("那个暂行办法", "暂行办法"), ("陕西的实施办法（暂行）", "实施办法"), ("这份文件", "")],
)
def test_the_kind_of_document_a_question_names_is_the_last_it_names(text, kind):
    assert kind_named(text) == kind
