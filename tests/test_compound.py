"""Questions that ask two things: how they are split, and how the parts' answers are joined."""

from assistant.answering.compound import answered_already, merge, parts
from assistant.answering.extractive import Draft
from assistant.schema import Citation


def cite(n, doc_id, quote):
    return Citation(n=n, doc_id=doc_id, title=doc_id, source="某厅", date="2025-01-01", url=None, quote=quote, quality="ok")


def test_a_question_asking_two_values_is_split_at_its_question_marks_only():
    assert parts("从事细分市场要多少年？近两年主营业务收入增长要多少？") == ["从事细分市场要多少年？", "近两年主营业务收入增长要多少？"]
    assert parts("福泉磷化工集群有多少家企业，年产值多少？") == ["福泉磷化工集群有多少家企业，年产值多少？"]


def test_a_question_asked_twice_or_with_a_yes_or_no_stays_whole():
    for question in ("啥叫特色产业集群？官方怎么定义的？", "集群由谁来申报？企业自己能报吗？"):
        assert parts(question) == [question]


def test_a_remark_after_the_last_question_mark_stays_with_its_question():
    question = "小巨人企业贡献了多大比例的利润？要最新的数。"
    assert parts(question) == [question]


def test_a_fragment_an_earlier_answer_already_covers_is_not_asked_again():
    first = Draft(answer="昆明市不超过3个，其他州、市各不超过2个[1]。", answered=True)
    assert answered_already("其他州市呢？", [first])
    assert not answered_already("丽江呢？", [first])
    assert not answered_already("其他州市几号前报送？", [first])  # it asks something of its own


def test_a_yes_or_no_part_adds_nothing_once_the_question_is_answered():
    whole = Draft(answer="由县级中小企业主管部门作为申报主体[1]。", answered=True)
    assert answered_already("企业自己能报吗？", [whole])
    assert not answered_already("企业自己能报吗？", [Draft(answer="资料中未找到。", answered=False)])


REFUSED = Draft(answer="资料中未找到能回答这个问题的内容。", answered=False)


def test_sources_keep_one_number_across_parts_and_a_refused_part_is_named_when_nothing_covers_it():
    a = Draft(answer="甲为3年[1]。", answered=True, citations=[cite(1, "doc-a", "甲为3年。")])
    b = Draft(answer="乙为5%[1]。丙为2个[2]。", answered=True, citations=[cite(1, "doc-b", "乙为5%。"), cite(2, "doc-a", "丙为2个。")])
    merged = merge(REFUSED, [("甲多少？", a), ("乙和丙多少？", b), ("丁多少？", REFUSED)], "simplified")
    assert merged.answered
    assert merged.answer == "甲为3年[1]。乙为5%[2]。丙为2个[1]。关于“丁多少”，资料中未找到能回答这个问题的内容。"
    assert [(c.n, c.doc_id) for c in merged.citations] == [(1, "doc-a"), (2, "doc-b")]
    assert merged.citations[0].quote == "甲为3年。丙为2个。"


def test_the_whole_questions_answer_stays_and_parts_add_only_what_it_lacks():
    whole = Draft(answer="浙江有1432家，居全国第三[1]。", answered=True, citations=[cite(1, "doc-z", "浙江有1432家，居全国第三。")])
    count = Draft(answer="浙江有1432家[1]。", answered=True, citations=[cite(1, "doc-z", "浙江有1432家。")])
    merged = merge(whole, [("有多少家？", count), ("在全国什么位置？", REFUSED)], "simplified")
    assert merged.answer == whole.answer and [c.doc_id for c in merged.citations] == ["doc-z"]
    longer = Draft(answer="经营3年以上，浙江有1432家，居全国第三[1]。", answered=True, citations=[cite(1, "doc-y", "经营3年以上。")])
    merged = merge(whole, [("要多少年？", longer)], "simplified")
    assert merged.answer == "经营3年以上，浙江有1432家，居全国第三[1]。"
    assert [(c.n, c.doc_id) for c in merged.citations] == [(1, "doc-y")]  # the answer no longer cites doc-z


def test_when_nothing_can_be_answered_the_whole_questions_refusal_stands():
    whole = Draft(answer="资料中未找到能回答这个问题的内容。相关资料：《甲》。", answered=False)
    assert merge(whole, [("甲？", REFUSED), ("乙？", REFUSED)], "simplified") is whole
