"""The UI's functions without a browser: what they render is escaped, what they stream ends in the answer, feedback lands."""

from __future__ import annotations

import csv
import io
import json
from types import SimpleNamespace

import gradio as gr
import pytest

from assistant.answering.query import parse
from assistant.api.feedback import FeedbackLog
from assistant.api.models import DocumentDetail, DocumentInfo
from assistant.api.render import answer_html, answer_text, check_html, document_html, documents_table_html
from assistant.api.ui import ALL_SOURCES, UiHandlers, told
from assistant.criteria.model import CheckReport, CheckResult, CriterionCitation
from assistant.schema import Answer, Citation, Retrieved
from assistant.settings import Settings

EVIL = "<script>alert(1)</script><img src=x onerror=alert(1)>"


def citation(**overrides) -> Citation:
    fields = dict(n=1, doc_id="d1", title="标题", source="杭州网", date="2024-09-12", url=None, quote="浙江增至23个。", quality="ok")
    return Citation(**{**fields, **overrides})


def answer(**overrides) -> Answer:
    fields = dict(question="浙江有多少个？", answer="截至2024年9月，浙江增至23个[1]。", answered=True, backend="extractive", citations=[citation()])
    return Answer(**{**fields, **overrides})


def assert_inert(html: str) -> None:
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html and "&lt;img" in html


def test_answers_and_sources_are_escaped():
    evil = answer(answer=EVIL + "[1]", citations=[citation(title=EVIL, source=EVIL, quote=EVIL, url="javascript:alert(1)", quality="low")])
    html = answer_html(evil)
    assert_inert(html)
    assert "javascript:" not in html and "来源文本质量较低" in html and "<details" in html
    assert "\n\n" not in html  # one HTML block: the chat's Markdown renderer must not reinterpret document text


def test_documents_are_escaped_in_the_table_and_the_reader():
    doc = DocumentDetail(
        doc_id="d1", title=EVIL, source=EVIL, date="2024-10-01", url="https://example.org/?a=<b>", script="simplified",
        quality=0.4, quality_label="low", chunk_count=1, low_quality_chunks=1, uploaded=True, text=EVIL,
    )
    assert_inert(documents_table_html([doc]))
    reader = document_html(doc)
    assert_inert(reader)
    assert 'href="https://example.org/?a=&lt;b&gt;"' in reader and "低质量片段" in reader


def test_check_verdicts_and_their_sources_are_escaped():
    cited = CriterionCitation(doc_id="d1", title=EVIL, source=EVIL, date=None, quote=EVIL, article=EVIL, quality="low")
    result = CheckResult(
        criterion=EVIL, programme="p", region=EVIL, attribute="产值", operator=">=", threshold="不低于40亿元", value=EVIL,
        verdict="不满足", notes=[EVIL], citation=cited,
    )  # fmt: skip
    html = check_html(CheckReport(programme="p", results=[result], unreadable=[EVIL], message=EVIL))
    assert_inert(html)
    assert 'class="sme-fail"' in html and "来源文本质量较低" in html


def test_a_citation_reads_as_a_person_cites_a_document():
    rule = citation(title="促进中小企业特色产业集群发展暂行办法", source="工业和信息化部", date="2022-09-13",
                    place="第二条", doc_number="工信部企业〔2022〕119号")
    assert rule.reference == "《促进中小企业特色产业集群发展暂行办法》第二条（工业和信息化部，工信部企业〔2022〕119号，2022-09-13）"
    assert "[1] 《促进中小企业特色产业集群发展暂行办法》第二条" in answer_text(answer(citations=[rule]))
    assert "文号：工信部企业〔2022〕119号" in answer_html(answer(citations=[rule]))


def test_plain_text_answers_list_numbered_sources():
    text = answer_text(answer(citations=[citation(), citation(n=2, date=None, quality="low", url="https://x.example")]))
    assert text.startswith("截至2024年9月") and "\n\n来源：\n[1] 《标题》（杭州网，2024-09-12）\n    “浙江增至23个。”" in text
    assert "[2] 《标题》（杭州网，日期不详）（来源文本质量较低，请核对原文）" in text and "    https://x.example" in text
    assert answer_text(answer(citations=[])) == answer().answer


class StubChain:
    def __init__(self, final: Answer):
        self.final = final
        self.calls = []

    def stream(self, question, history, filters=None):
        """Like AskChain.stream: a bad question raises at once, before any event."""
        parse(question)
        self.calls.append((question, history, filters))
        return iter([{"delta": "<b>浙江</b>"}, {"delta": "截至2024年9月，"}, {"answer": self.final}])


@pytest.fixture
def handlers(tmp_path):
    chain = StubChain(answer())
    runtime = SimpleNamespace(
        require_ready=lambda: SimpleNamespace(chain=chain),
        feedback=FeedbackLog(tmp_path / "feedback.jsonl"),
        settings=Settings(max_history_turns=4, max_turn_chars=50),
    )
    return UiHandlers(runtime), chain, runtime


def test_a_chat_streams_escaped_text_then_the_answer_with_sources(handlers):
    ui, chain, _ = handlers
    steps = list(ui.respond(" 浙江<script>有多少个？ ", [], None, None, ALL_SOURCES))
    box, first_messages, _ = steps[0]
    assert box == "" and first_messages[0] == {"role": "user", "content": "浙江&lt;script&gt;有多少个？"}
    assert "正在检索" in first_messages[1]["content"]  # shown before retrieval has finished
    assert "&lt;b&gt;浙江&lt;/b&gt;" in steps[1][1][1]["content"]  # the first delta, escaped, drawn at once
    # Deltas arriving together are drawn once more only with the answer: three updates, not one per delta.
    assert len(steps) == 3
    _, messages, turns = steps[-1]
    assert messages[1]["content"] == answer_html(answer()) and turns[0]["answer"] == answer()
    assert chain.calls[0][2] is None  # no filters chosen

    list(ui.respond("那广东呢？", turns, "2024-01-01", "", "杭州网"))
    question, history, filters = chain.calls[1]
    assert [t.role for t in history] == ["user", "assistant"] and history[1].content == answer().answer
    assert (filters.date_from, filters.date_to, filters.source) == ("2024-01-01", None, "杭州网")


def test_bad_input_is_told_in_chinese(handlers):
    ui, _, _ = handlers
    with pytest.raises(gr.Error, match="不能为空"):
        list(ui.respond("  ", [], None, None, ALL_SOURCES))
    with pytest.raises(gr.Error, match="YYYY-MM-DD"):
        list(ui.respond("浙江有多少个？", [], "2024-13-01", None, ALL_SOURCES))
    with pytest.raises(gr.Error, match="起始日期“2025年1月”无法识别"):
        list(ui.respond("浙江有多少个？", [], "2025年1月", None, ALL_SOURCES))
    with pytest.raises(gr.Error, match="起始日期晚于截止日期"):
        list(ui.respond("浙江有多少个？", [], "2024-12-01", "2024-01-01", ALL_SOURCES))
    assert "截止日期“2024/1”无法识别" in ui.check_dates("", "2024/1") and ui.check_dates("2024-01-01", "") == ""


def test_a_refusal_restores_the_chat_and_becomes_a_notice_with_its_title(handlers, monkeypatch):
    """The page drew the question and 正在检索… already: a refused question takes them away again, and the
    reason shows as a notice, headed by what went wrong (Gradio's own heading is never the title)."""
    ui, _, _ = handlers
    told_ = []
    monkeypatch.setattr(gr, "Warning", lambda message, **_: told_.append(message))
    earlier = [{"question": "浙江有多少个？", "html": "<p>23个</p>", "answer": answer()}]
    steps = list(told(ui.respond, 3)("浙江有多少个？", earlier, "2025年1月", None, ALL_SOURCES))
    assert steps == [(gr.skip(), [{"role": "user", "content": "浙江有多少个？"}, {"role": "assistant", "content": "<p>23个</p>"}], earlier)]
    assert told_ == ["筛选条件有误：起始日期“2025年1月”无法识别：日期应为 YYYY-MM-DD 格式，例如 2024-09-12；不需要按日期筛选时请留空。"]
    assert told(ui.delete, 5)("d1", "key") == (gr.skip(),) * 5 and told_[-1].startswith("资料库只读：")


def test_a_chat_exports_as_markdown_with_its_sources(handlers):
    ui, _, _ = handlers
    *_, (_, _, turns) = ui.respond("浙江有多少个？", [], None, None, ALL_SOURCES)
    markdown = ui.export([*turns, {"question": "<b>未答</b>", "html": "", "answer": None}])
    assert markdown.startswith("# 集群政策助手 · 对话记录")
    assert "## 1. 浙江有多少个？\n\n截至2024年9月，浙江增至23个[1]。" in markdown
    assert "1. 《标题》（杭州网，2024-09-12）\n   > “浙江增至23个。”" in markdown
    assert "## 2. <b>未答</b>\n\n（这个问题没有得到回答）" in markdown


def test_the_library_explains_quality_in_words_and_keeps_ids_out_of_the_table():
    docs = [
        DocumentDetail(doc_id="abc123", title="转载", source="某网", date=None, url=None, script="simplified", quality=0.31,
                       quality_label="low", chunk_count=4, low_quality_chunks=3, uploaded=False, text="正文"),
        DocumentDetail(doc_id="def456", title="原文", source="工信部", date="2024-01-02", url=None, script="simplified", quality=0.93,
                       quality_label="ok", chunk_count=2, low_quality_chunks=0, uploaded=True, text="正文"),
    ]  # fmt: skip
    table = documents_table_html(docs)
    assert "abc123" not in table and "doc_id" not in table and "0.31" not in table.split('title="')[0]
    assert "低（疑似转载改写或乱码，引用前请核对原文）" in table and ">高<" in table
    assert "评分 0.31" in table  # the number stays, in the tooltip
    reader = document_html(docs[0])
    assert "<summary>技术信息</summary>" in reader and "abc123" in reader


def test_the_library_shows_a_repost_under_its_original():
    common = dict(source="某网", date="2025-05-08", url=None, script="simplified", quality=0.9, quality_label="ok",
                  chunk_count=2, low_quality_chunks=0, uploaded=False)
    original = DocumentInfo(doc_id="own", title="关于组织推荐集群的通知", copies=["repost"], **common)
    repost = DocumentInfo(doc_id="repost", title="转发：关于组织推荐集群的通知", copy_of="own", **common)
    rows = documents_table_html([original, repost]).split("<tr>")[2:]
    assert "另有 1 份转载" in rows[0] and "↳ 转载，原文：关于组织推荐集群的通知" in rows[1]


def test_thumbs_append_question_answer_and_sources(handlers):
    ui, _, runtime = handlers
    *_, (_, _, turns) = ui.respond("浙江有多少个？", [], None, None, ALL_SOURCES)
    ui.feedback(turns, gr.LikeData(None, {"index": 1, "value": "…", "liked": False}))
    ui.feedback(turns, gr.LikeData(None, {"index": 1, "value": "…", "liked": True}))
    lines = [json.loads(line) for line in runtime.feedback.path.read_text(encoding="utf-8").splitlines()]
    assert [r["rating"] for r in lines] == ["down", "up"]
    assert lines[0]["question"] == "浙江有多少个？" and lines[0]["answer"] == answer().answer
    assert lines[0]["citations"][0]["date"] == "2024-09-12" and lines[0]["timestamp"]


def test_a_thumbs_down_opens_the_comment_box_and_the_comment_lands_on_its_vote(handlers):
    ui, _, runtime = handlers
    *_, (_, _, turns) = ui.respond("浙江有多少个？", [], None, None, ALL_SOURCES)
    row, vote = ui.feedback(turns, gr.LikeData(None, {"index": 1, "value": "…", "liked": False}))
    assert row.visible is True and vote
    row, box, _ = ui.comment(vote, "  ")
    assert row.visible is False and box == "" and not runtime.feedback.records()[0].comment  # an empty comment only closes the box
    ui.comment(vote, "数字过时了，\"请\"更新,谢谢")
    row, _ = ui.feedback(turns, gr.LikeData(None, {"index": 1, "value": "…", "liked": True}))
    assert row.visible is False  # a 👍 asks for no comment
    with runtime.feedback.path.open("a", encoding="utf-8") as f:
        f.write('{"rating": "down", "question": "torn li\n')  # a torn line hides nothing else
    up, down = runtime.feedback.records()
    assert (down.id, down.rating, down.comment) == (vote, "down", "数字过时了，\"请\"更新,谢谢") and up.comment is None
    runtime.settings = Settings(open_library=True)  # whoever may read may change it: no key asked
    table, csv_text = ui.feedback_view(None)
    assert "数字过时了" in table and "踩" in table and "赞" in table
    rows = list(csv.reader(io.StringIO(csv_text.removeprefix("\ufeff"))))
    assert csv_text.startswith("\ufeff") and rows[0][-1] == "评论" and rows[2][-1] == "数字过时了，\"请\"更新,谢谢"


def test_the_feedback_view_needs_the_delete_key(handlers, monkeypatch):
    ui, _, runtime = handlers
    runtime.settings = Settings(admin_key="管理员的钥匙")
    told_ = []
    monkeypatch.setattr(gr, "Warning", told_.append)
    assert ui.feedback_view("猜的") == (gr.skip(), "")
    assert ui.feedback_view("管理员的钥匙")[0] == "<p>还没有用户反馈。</p>"
    assert told_ == ["无权操作：密钥不正确"]


def test_a_long_chat_sends_only_its_latest_turns_within_the_caps(handlers):
    ui, chain, _ = handlers
    turns = [{"question": f"第{i}个问题" + "长" * 100, "html": "", "answer": answer()} for i in range(5)]
    list(ui.respond("那广东呢？", turns, None, None, ALL_SOURCES))
    _, history, _ = chain.calls[-1]
    assert len(history) == 4 and history[0].content.startswith("第3个问题")  # the last two exchanges
    assert all(len(t.content) <= 50 for t in history)


def test_deleting_from_a_read_only_library_says_how_to_open_it(handlers):
    ui, _, _ = handlers
    with pytest.raises(gr.Error, match="SME_ADMIN_KEY"):
        ui.delete("d1", "any-key")


def test_saved_conversations_come_back_checked_and_escaped(handlers):
    ui, _, _ = handlers
    *_, (_, _, turns) = ui.respond("浙江有多少个？", [], None, None, ALL_SOURCES)
    saved, current, _ = ui.remember(turns, [], None)
    assert current and "retrieved" not in saved[0]["turns"][0]["answer"]  # the chunks' text stays out of storage
    again, same, _ = ui.remember([*turns, *turns], saved, current)
    assert same == current and len(again) == 1 and len(again[0]["turns"]) == 2  # one conversation, updated

    # What the browser sends back is its own to change: markup stays text, a broken answer is dropped.
    tampered = [{"id": "x", "when": "", "turns": [
        {"question": EVIL, "answer": saved[0]["turns"][0]["answer"]},
        {"question": "坏的", "answer": {"answer": 1}},
    ]}]  # fmt: skip
    messages, reopened, chosen = ui.reopen("x", tampered)
    assert chosen == "x" and len(reopened) == 1 and reopened[0]["answer"] == answer()
    assert_inert(messages[0]["content"])
    assert messages[1]["content"] == answer_html(answer())


def test_citation_markers_link_to_their_source_with_the_passage_marked():
    chunk = Retrieved(doc_id="d1", chunk_id="c1", score=1.0, text="前文<b>。\n如无异议，浙江增至23个。后文。")
    cited = answer(citations=[citation(quote="浙江增至23个。")], retrieved=[chunk], answer="浙江增至23个[1]，另见[2]。")
    html = answer_html(cited)
    assert '<a class="sme-cite sme-cite-1" href="#"' in html and "[2]</a>" not in html  # only sources that exist
    assert '<details class="sme-source sme-source-1">' in html
    assert "原文段落：</div>前文&lt;b&gt;。<br>如无异议，<mark>浙江增至23个。</mark>后文。" in html
    # A quote shortened with … is found by its pieces; one found in no retrieved chunk shows no passage.
    assert "<mark>如无异议</mark>" in answer_html(answer(citations=[citation(quote="如无异议…后文。")], retrieved=[chunk]))
    assert "sme-passage" not in answer_html(answer(citations=[citation(quote="别处的一句话。")], retrieved=[chunk]))
