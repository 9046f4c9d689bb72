"""Every entry of data/criteria.toml does what it says on its own example sentence (no index needed)."""

from __future__ import annotations

import tomllib

import pytest

from assistant.criteria.terms import TERMS_FILE, terms

from .criteria_support import criteria_in

DATA = tomllib.loads(TERMS_FILE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("entry", DATA["operators"], ids=lambda e: e["label"])
def test_each_operator_reads_its_example(entry):
    found = criteria_in(entry["example"], title="集群认定标准")
    assert [c.operator for c in found] == [entry["op"]]


@pytest.mark.parametrize("entry", DATA["attributes"], ids=lambda e: e["name"])
def test_each_attribute_is_read_from_its_example(entry):
    title = "集群认定标准" if entry.get("subject") == "集群" else "专精特新中小企业认定标准"
    found = criteria_in(entry["example"], title=title)
    assert [c.attribute for c in found] == [entry["name"]]


@pytest.mark.parametrize("entry", DATA["programmes"], ids=lambda e: e["name"])
def test_each_programme_is_named_by_its_example(entry):
    assert entry["name"] in terms().resolve_programme(entry["example"])


def test_a_requirement_is_read_and_a_target_or_a_report_is_not():
    signals = DATA["signals"]
    assert len(criteria_in(signals["requirement_example"])) == 1
    assert criteria_in(signals["target_example"]) == []
    assert criteria_in(signals["report_example"]) == []


def test_every_year_alternatives_and_relaxations_are_read_from_their_examples():
    signals = DATA["signals"]
    assert criteria_in(signals["every_example"], title="专精特新中小企业认定标准")[0].every_year
    first, alternative = criteria_in("集群内至少有1家小巨人企业；" + signals["alternative_example"], title="集群认定标准")
    assert alternative.alternative_to == first.id
    relaxed = criteria_in("集群近三年产值每年都在20亿元以上，" + signals["relaxation_example"], title="集群认定标准")
    assert relaxed[1].condition is not None and relaxed[1].condition.text == "山区县的集群"


def test_the_chat_recognises_questions_about_conditions_and_own_figures():
    asking = DATA["asking"]
    assert terms().asks_conditions.search(asking["example"])
    assert terms().own.search(asking["own_example"])


def test_levels_are_read_beside_the_programme_and_otherwise_from_the_issuer():
    assert terms().resolve_programme("我们想申报省级特色产业集群") == "省级中小企业特色产业集群"
    assert terms().resolve_programme("国家级集群") == "国家级中小企业特色产业集群"
    assert criteria_in("集群占地面积一般不超过100平方公里。", title="集群认定标准", region="安徽")[0].programme == "省级中小企业特色产业集群"
    assert criteria_in("集群占地面积一般不超过100平方公里。", title="集群认定标准")[0].programme == "国家级中小企业特色产业集群"
