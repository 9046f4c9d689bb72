"""The check over a real library (real Chroma, real ingest): one verdict per criterion, each citing its
sentence; every year of 均在; shares as 七成 or 0.7; missing and unreadable figures; documents that
disagree; criteria kept in step with ingest and delete."""

from __future__ import annotations

import pytest

from assistant.criteria.facts import FactError
from assistant.criteria.store import CriteriaStore

from .criteria_library import LITTLE_GIANT, NATIONAL_CLUSTER, PROVINCIAL_CLUSTER, SPECIALISED, criteria_library, library  # noqa: F401

N, P = NATIONAL_CLUSTER, PROVINCIAL_CLUSTER


def verdicts(report, attribute: str, threshold: str | None = None) -> list[str]:
    return [r.verdict for r in report.results if r.attribute == attribute and (threshold is None or r.threshold == threshold)]


# (programme, region, facts, text, attribute, threshold, the verdicts of those lines)
CASES = [
    # 近三年每年产值均在…以上: every year must pass
    (N, None, {"产值": ["45亿", "48亿", "50亿"]}, None, "产值", "不低于40亿元", ["满足"]),
    (N, None, {"产值": ["45亿", "38亿", "50亿"]}, None, "产值", "不低于40亿元", ["不满足"]),
    (N, None, {"产值": ["45亿", "38亿", "50亿"]}, None, "产值", "不低于35亿元", ["满足"]),
    (N, None, {"产值": "45亿元"}, None, "产值", "不低于40亿元", ["无法判断"]),  # one year of three
    (N, None, {"产值": "30亿元"}, None, "产值", "不低于40亿元", ["不满足"]),  # one failing year settles it
    (N, None, None, "近三年产值分别是41亿、42亿、45亿", "产值", "不低于40亿元", ["满足"]),
    # shares as 七成, 0.7, 百分之…
    (N, None, {"中小企业产值占比": "七成"}, None, "中小企业产值占比", None, ["满足"]),
    (N, None, {"中小企业产值占比": 0.7}, None, "中小企业产值占比", None, ["满足"]),
    (N, None, {"中小企业产值占比": "百分之六十五"}, None, "中小企业产值占比", None, ["不满足"]),
    (N, None, {"主导产业产值占比": "70%"}, None, "主导产业产值占比", None, ["不满足"]),  # 超过百分之七十
    (N, None, {"主导产业产值占比": "0.75"}, None, "主导产业产值占比", None, ["满足"]),
    (N, None, None, "中小企业产值占比75%，主导产业占比八成", "主导产业产值占比", None, ["满足"]),
    # areas, in any unit
    (N, None, {"面积": "80平方公里"}, None, "面积", None, ["满足"]),
    (N, None, {"面积": "12万亩"}, None, "面积", None, ["满足"]),
    (N, None, {"面积": "120平方公里"}, None, "面积", None, ["不满足"]),
    # growth, given or worked out from the yearly output
    (N, None, None, "近三年产值分别是35亿、42亿、45亿", "产值增长率", None, ["满足"]),
    (N, None, None, "近三年产值分别是40亿、41亿、42亿", "产值增长率", None, ["不满足"]),
    (N, None, {"产值增长率": "12%"}, None, "产值增长率", None, ["满足"]),
    (N, None, {"研发经费增长率": "百分之八"}, None, "研发经费增长率", None, ["满足"]),
    # counts, whole or in parts
    (N, None, {"单项冠军和小巨人企业数": 0}, None, "单项冠军和小巨人企业数", None, ["不满足"]),
    (N, None, None, "我们集群有2家小巨人企业", "单项冠军和小巨人企业数", None, ["满足"]),
    (N, None, {"专精特新等优质中小企业数": "12家"}, None, "专精特新等优质中小企业数", None, ["满足"]),
    (N, None, {"创新平台数": "3个"}, None, "创新平台数", None, ["满足"]),
    (N, None, {"上云比例": "35%"}, None, "上云比例", None, ["不满足"]),
    # missing and unreadable figures
    (N, None, {"产值": "很多"}, None, "产值", "不低于40亿元", ["无法判断"]),
    (N, None, None, "产值35亿左右吧", "产值", "不低于40亿元", ["无法判断"]),
    (N, None, {"上云比例": "35%"}, None, "面积", None, ["无法判断"]),
    # a provincial 实施办法, and the spun Jiangsu repost
    (P, "安徽", {"产值": ["22亿", "25亿", "30亿"]}, None, "产值", "不低于二十亿元", ["满足"]),
    (P, "安徽", {"中小企业产值占比": "六成"}, None, "中小企业产值占比", None, ["满足"]),
    (P, "安徽", {"面积": "140平方公里"}, None, "面积", None, ["满足"]),
    (P, "江苏", {"上云比例": "25%"}, None, "上云比例", None, ["不满足"]),
    (P, "江苏", {"单项冠军和小巨人企业数": 4}, None, "单项冠军和小巨人企业数", None, ["满足"]),
    (P, "江苏", {"面积": "90平方公里"}, None, "面积", None, ["满足"]),
    # enterprises
    (LITTLE_GIANT, None, {"营业收入": "1.2亿元"}, None, "营业收入", None, ["满足"]),
    (LITTLE_GIANT, None, {"研发投入占比": ["2.5%", "4%"]}, None, "研发投入占比", None, ["不满足"]),
    (LITTLE_GIANT, None, {"研发投入占比": ["3.5%", "4%"]}, None, "研发投入占比", None, ["满足"]),
    (LITTLE_GIANT, None, {"资产负债率": "70%"}, None, "资产负债率", None, ["不满足"]),  # 低于70%
    (LITTLE_GIANT, None, {"知识产权数": "3项", "经营年限": "三年"}, None, "经营年限", None, ["满足"]),
    # a provincial rule that differs from the national one: both lines, each with its verdict
    (SPECIALISED, "四川", {"营业收入": "1500万元"}, None, "营业收入", None, ["满足", "不满足"]),
]


@pytest.mark.parametrize(("programme", "region", "facts", "text", "attribute", "threshold", "expected"), CASES)
def test_verdicts(library, programme, region, facts, text, attribute, threshold, expected):
    report = library.checker.check(programme=programme, facts=facts, text=text, region=region)
    assert verdicts(report, attribute, threshold) == expected, report.results
    assert all(r.citation.quote for r in report.results)


def test_there_are_at_least_thirty_written_cases():
    assert len(CASES) >= 30


def test_each_line_cites_its_sentence_and_either_or_lines_say_so(library):
    report = library.checker.check(programme=N, facts={"单项冠军和小巨人企业数": 0, "专精特新等优质中小企业数": 12})
    others = next(r for r in report.results if r.attribute == "专精特新等优质中小企业数")
    assert others.notes[0].startswith("与“单项冠军和小巨人企业数不低于1家”满足其一即可")
    assert others.citation.quote.startswith("或者拥有专精特新中小企业") and others.citation.article == "附件二"


def test_empty_facts_list_every_criterion_as_undecided(library):
    report = library.checker.check(programme=N, facts={})
    assert len(report.results) >= 10 and {r.verdict for r in report.results} == {"无法判断"}
    assert all(r.value is None for r in report.results) and "还没有提供数据" in report.message


def test_unreadable_figures_are_reported_back(library):
    report = library.checker.check(programme=N, facts={"产值": "很多"}, text="上云比例大概三成吧")
    assert report.unreadable == ["上云比例：上云比例大概三成吧", "产值：很多"]
    assert verdicts(report, "上云比例") == ["无法判断"]


@pytest.mark.parametrize(
    ("facts", "text", "said"),
    [
        ({"上云比例": "120%"}, None, "不会超过100%"),
        ({"面积": "5亿元"}, None, "应填写面积"),
        ({"创新平台数": -2}, None, "不能是负数"),
        (None, "中小企业产值占比150%", "不会超过100%"),
    ],
)
def test_impossible_figures_are_refused_in_chinese(library, facts, text, said):
    with pytest.raises(FactError, match=said):
        library.checker.check(programme=N, facts=facts, text=text)


def test_documents_that_disagree_are_both_shown_with_dates_and_regions(library):
    report = library.checker.check(programme=N, facts={"产值": ["36亿", "37亿", "38亿"]})
    older, newer = (r for r in report.results if r.attribute == "产值")
    assert (older.threshold, older.verdict, older.citation.date) == ("不低于40亿元", "不满足", "2022-10-08")
    assert (newer.threshold, newer.verdict, newer.citation.date) == ("不低于35亿元", "满足", "2024-02-26")
    assert any("不一致" in n and "2024-02-26" in n and "全国" in n for n in older.notes)
    assert "规定不一致" in report.message
    same = [r for r in report.results if r.attribute == "中小企业产值占比"]
    assert len(same) == 1 and "另有1份资料作同样规定" in same[0].notes  # the same rule twice is one line

    sichuan = library.checker.check(programme=SPECIALISED, region="四川", facts={"营业收入": "1500万元"})
    lines = {r.region: r for r in sichuan.results if r.attribute == "营业收入"}
    assert set(lines) == {"全国", "四川"} and any("四川" in n and "2024-03-01" in n for n in lines["全国"].notes)


def test_the_spun_source_is_marked(library):
    report = library.checker.check(programme=P, region="江苏", facts={"上云比例": "35%"})
    assert {r.citation.quality for r in report.results} == {"low"}
    assert all(any("质量较低" in n for n in r.notes) for r in report.results)
    assert "质量较低" in report.message


def test_a_programme_without_criteria_says_so_and_names_the_documents(library):
    report = library.checker.check(programme="创新型中小企业", facts={"营业收入": "1亿元"})
    assert report.results == [] and "没有找到“创新型中小企业”的认定条件" in report.message
    assert "已查找 8 份文档" in report.message and "《安徽省中小企业特色产业集群认定管理实施办法》" in report.message
    unknown = library.checker.check(programme="不存在的项目")
    assert unknown.results == [] and "未识别的项目" in unknown.message


def test_a_case_a_rule_does_not_apply_to_is_left_out(library):
    report = library.checker.check(programme=P, region="安徽", facts={"产值": ["22亿", "25亿", "30亿"]})
    relaxed = [r for r in report.results if r.threshold == "不低于15亿元"]
    assert relaxed and relaxed[0].notes[0] == "仅适用于：皖北地区的集群"


def test_criteria_follow_ingest_and_delete(tmp_path, model_dir):
    library = criteria_library(tmp_path)
    store: CriteriaStore = library.criteria_store
    anhui = next(d for d, (m, _) in library.store.manifest().items() if m.title.startswith("安徽省"))
    assert any(c.citation.doc_id == anhui for c in store.criteria())

    assert library.ingestor.remove_document(anhui)
    assert not any(c.citation.doc_id == anhui for c in store.criteria())
    assert PROVINCIAL_CLUSTER in library.checker.programmes()  # Jiangsu's rules remain

    # An index built before the criteria's words changed is read again, from the stored texts.
    store.collection.delete(where={"kind": "marker"})
    before = len(store.criteria())
    report = library.ingestor.ingest(progress=False)
    assert report.files_read == 0 and len(store.criteria()) == before
    assert store.read_with_current_words() == set(library.store.manifest())
