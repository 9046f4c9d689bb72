"""申报自查 in the chat, through the real chain over a real library: a question asking for a programme's
conditions, or giving the asker's own figures, is answered with the criteria table, each line cited."""

from __future__ import annotations

import re

from .criteria_library import library  # noqa: F401


def cited_lines(answer) -> list[str]:
    return [line for line in answer.answer.split("\n") if re.match(r"\d+\. ", line)]


def test_asking_for_the_conditions_gets_the_table_each_line_cited(library):
    answer = library.chain.ask("我们县的集群想申报国家级中小企业特色产业集群，需要满足哪些条件？")
    assert answer.answered and answer.answer.startswith("按资料库中的文件，申报国家级中小企业特色产业集群的量化条件如下")
    lines = cited_lines(answer)
    assert len(lines) >= 10 and all(re.search(r"\[\d+\]$", line) for line in lines)
    assert any("近三年每年产值不低于40亿元" in line for line in lines)
    assert any("面积不超过100平方公里" in line for line in lines)
    assert {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)} == {c.n for c in answer.citations}
    quotes = {c.quote for c in answer.citations}
    assert "集群内企业上云比例达到40%以上。" in quotes and all(c.date for c in answer.citations)
    assert "不一致" in answer.answer  # the 2024 notice's 35亿 is shown beside the 40亿 of 2022
    assert "满足" not in answer.answer.replace("满足其一", "").replace("满足哪些", "")  # no verdict without figures


def test_own_figures_get_a_verdict_per_line(library):
    answer = library.chain.ask("我们集群近三年产值分别是35亿、42亿、45亿，中小企业产值占比75%，够国家级集群的条件吗？")
    lines = cited_lines(answer)

    def line(says: str) -> str:
        return next(line for line in lines if says in line)

    assert "近三年每年产值不低于40亿元：不满足（您的数据：35亿元、42亿元、45亿元）" in line("不低于40亿元")
    assert "近三年每年产值不低于35亿元：满足" in line("产值不低于35亿元：")
    assert "中小企业产值占比不低于70%：满足（您的数据：75%）" in line("中小企业产值占比")
    assert "产值增长率高于10%：满足（您的数据：13.39%）；按您给出的逐年产值" in line("产值增长率")
    assert "无法判断（未提供数据）" in line("上云比例") and "无法确切读出" not in answer.answer
    assert "仅供自查参考" in answer.answer


def test_the_answer_streams_as_one_piece_then_the_answer(library):
    events = list(library.chain.stream("申报专精特新小巨人企业需要什么条件？"))
    assert [next(iter(e)) for e in events] == ["delta", "answer"]
    assert events[1]["answer"].answer == events[0]["delta"] and "上年度营业收入不低于1亿元" in events[0]["delta"]


def test_a_provincial_question_shows_its_provinces_spun_source_marked(library):
    answer = library.chain.ask("我们江苏的集群想申报省级特色产业集群，需要满足哪些条件？")
    assert "安徽" not in answer.answer and all(c.quality == "low" for c in answer.citations)
    assert "质量较低" in answer.answer and "上云比例不低于30%" in answer.answer


def test_a_question_about_one_attribute_or_without_a_programme_stays_with_the_answerer(library):
    for question in ("国家级集群对上云比例有什么要求？", "某县磁性材料产业集群去年产值多少？"):
        answer = library.chain.ask(question)
        assert not answer.answer.startswith("按资料库中的文件") and answer.retrieved
