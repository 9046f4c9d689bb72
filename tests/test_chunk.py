"""Chunker properties: nothing lost, nothing over the limit but a lone long sentence, no cut in a title or number."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.ingest.chunk import join_units, pack, sentences_of, split_sentences

MAX, MIN = 500, 300

clause = st.text(alphabet="中小企业集群浙江广东专精特新培育产值亿元万家个", min_size=1, max_size=60)
number = st.builds(lambda a, b: f"{a}.{b}%", st.integers(0, 999), st.integers(0, 99))
title = st.builds(lambda t: f"《{t}。{t}！》", clause)
piece = st.one_of(clause, number, title)
end = st.sampled_from(["。", "！", "？", "；", "……", "!", "?", "。”"])
sentence = st.builds(lambda parts, e: "".join(parts) + e, st.lists(piece, min_size=1, max_size=8), end)
paragraph = st.builds("".join, st.lists(sentence, min_size=1, max_size=12))
document = st.builds("\n".join, st.lists(paragraph, min_size=1, max_size=8))


@settings(max_examples=200, deadline=None)
@given(document)
def test_no_text_is_lost_and_order_is_kept(text):
    units = sentences_of(text)
    assert "\n".join("".join(u.text for u in group) for group in _paragraphs(units)) == text
    chunks = pack(units, MAX, MIN, overlap=1)
    covered = sorted({i for c in chunks for i in c})
    assert covered == list(range(len(units)))
    firsts = [c[0] for c in chunks]
    assert firsts == sorted(firsts)


@settings(max_examples=200, deadline=None)
@given(document)
def test_no_chunk_exceeds_the_limit_except_one_long_sentence(text):
    units = sentences_of(text)
    for c in pack(units, MAX, MIN, overlap=1):
        size = len(join_units(units, c).replace("\n", ""))
        assert size <= MAX or len(c) == 1


@settings(max_examples=200, deadline=None)
@given(document)
def test_titles_and_numbers_are_never_split(text):
    for para in text.split("\n"):
        cuts, pos = set(), 0
        for s in split_sentences(para):
            pos += len(s)
            cuts.add(pos)
        protected = [m.span() for m in re.finditer(r"\d+(?:\.\d+)?%?|《[^》]*》", para)]
        assert not [(a, b) for a, b in protected for c in cuts if a < c < b]


def test_neighbouring_chunks_share_a_whole_sentence():
    text = "".join(f"第{i}句话讲的是浙江国家级中小企业特色产业集群增至23个的事情。" for i in range(40))
    units = sentences_of(text)
    chunks = pack(units, MAX, MIN, overlap=1)
    assert len(chunks) > 2
    for a, b in zip(chunks, chunks[1:]):
        assert a[-1] == b[0]


def test_real_sentences_split_where_a_reader_would():
    para = "截至目前,工信部已在全國范圍內認定了100個中小企業特色產業集群,2022年產值超過2.5萬億元,出口貿易額平均增長率達30%。《“十四五”促進中小企業發展規劃》提出。你好?是的!"
    assert split_sentences(para) == [
        "截至目前,工信部已在全國范圍內認定了100個中小企業特色產業集群,2022年產值超過2.5萬億元,出口貿易額平均增長率達30%。",
        "《“十四五”促進中小企業發展規劃》提出。",
        "你好?",
        "是的!",
    ]


def test_mojibake_question_marks_do_not_end_sentences():
    assert split_sentences("主導產業為當?shù)刂еa業,對集群產值貢獻率達86.5%。") == [
        "主導產業為當?shù)刂еa業,對集群產值貢獻率達86.5%。"
    ]


def test_corpus_chunks_are_in_the_target_range(corpus_chunks):
    sizes = [len(c.text) for c in corpus_chunks]
    assert max(sizes) <= MAX
    assert sorted(sizes)[len(sizes) // 2] >= MIN


def _paragraphs(units):
    groups = []
    for u in units:
        if u.starts_paragraph or not groups:
            groups.append([])
        groups[-1].append(u)
    return groups
