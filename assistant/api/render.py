"""How answers and documents look to people: plain text for chat clients, escaped HTML for the web UI.

Every string that comes from a document or an answer goes through `html.escape`, so a page that contains
`<script>` or `<img onerror=…>` is shown as text. The HTML has no blank lines, so the chat's Markdown
renderer passes it through as one block instead of reading document text as Markdown.
"""

from __future__ import annotations

import re
from html import escape

from ..criteria.model import CheckReport, CriterionCitation
from ..schema import Answer, Citation, Retrieved
from .feedback import CSV_HEADER, RATING_WORDS, FeedbackRecord, local_time, sources_text
from .models import CriterionInfo, DocumentDetail, DocumentInfo

LOW_QUALITY_NOTE = "来源文本质量较低，请核对原文"


def citation_line(c: Citation) -> str:
    warn = f"（{LOW_QUALITY_NOTE}）" if c.quality == "low" else ""
    return f"[{c.n}] {c.reference}{warn}\n    “{c.quote}”" + (f"\n    {c.url}" if c.url else "")


def answer_text(answer: Answer) -> str:
    """The answer with its numbered sources, as the CLI prints it: what OpenAI-style clients show."""
    if not answer.citations:
        return answer.answer
    return answer.answer + "\n\n来源：\n" + "\n".join(citation_line(c) for c in answer.citations)


def _text(value: str) -> str:
    return escape(value).replace("\n", "<br>")


def _link(url: str | None) -> str:
    if not url or not url.lower().startswith(("http://", "https://")):
        return ""
    return f'<div>原文：<a href="{escape(url)}" target="_blank" rel="noopener noreferrer">{escape(url)}</a></div>'


def passage_html(c: Citation, retrieved: list[Retrieved]) -> str:
    """The passage the quote was taken from, the quoted words marked, when a retrieved chunk of its
    document holds them (a quote shortened with … is found by its pieces)."""
    pieces = [p for p in c.quote.split("…") if len(p) >= 4]
    for chunk in retrieved:
        if chunk.doc_id != c.doc_id or not pieces or not all(p in chunk.text for p in pieces):
            continue
        marked = escape(chunk.text)
        for piece in pieces:
            marked = marked.replace(escape(piece), f"<mark>{escape(piece)}</mark>", 1)
        marked = marked.replace("\n", "<br>")
        return f'<div class="sme-passage"><div class="sme-passage-title">原文段落：</div>{marked}</div>'
    return ""


def citation_html(c: Citation, retrieved: list[Retrieved] = ()) -> str:
    low = c.quality == "low"
    flag = " ⚠️" if low else ""
    warn = f'<div class="sme-warn">⚠️ {LOW_QUALITY_NOTE}</div>' if low else ""
    return (
        f'<details class="sme-source sme-source-{c.n}"><summary>[{c.n}] {escape(c.reference)}{flag}</summary>'
        f"<div>标题：{escape(c.title)}</div><div>发布单位：{escape(c.source)}</div><div>日期：{escape(c.date or '日期不详')}</div>"
        + (f"<div>文号：{escape(c.doc_number)}</div>" if c.doc_number else "")
        + (f"<div>位置：{escape(c.place)}</div>" if c.place else "")
        + f'<div class="sme-quote">“{_text(c.quote)}”</div>{warn}{passage_html(c, list(retrieved))}{_link(c.url)}</details>'
    )


# Shown the moment a question is sent (the page draws it before the server hears of the question).
PENDING_HTML = '<div class="sme-pending">正在检索…</div>'


def pending_html(text: str) -> str:
    """An answer still being streamed."""
    return f'<div class="sme-answer">{_text(text)}</div>' if text else PENDING_HTML


def answer_html(answer: Answer) -> str:
    """The answer, its [n] markers links that open source n (see CITE_JS), and its sources. The number
    travels in a class name: the chat's sanitiser drops data- attributes."""
    sources = "".join(citation_html(c, answer.retrieved) for c in answer.citations)
    heading = f'<div class="sme-sources-title">来源（{len(answer.citations)}）</div>' if answer.citations else ""
    cited = {c.n for c in answer.citations}
    text = re.sub(
        r"\[(\d+)\]",
        lambda m: f'<a class="sme-cite sme-cite-{m[1]}" href="#" title="查看来源 {m[1]} 的原文">[{m[1]}]</a>' if int(m[1]) in cited else m[0],
        _text(answer.answer),
    )
    return f'<div class="sme-answer">{text}</div>{heading}{sources}'


def error_html(message: str) -> str:
    return f'<div class="sme-error">⚠️ {escape(message)}</div>'


def quality_words(doc: DocumentInfo) -> str:
    """The text-quality score in words, as a reader weighs a source; the number stays in the tooltip."""
    if doc.quality_label == "low":
        return "低（疑似转载改写或乱码，引用前请核对原文）"
    return "高" if doc.quality >= 0.8 else "中"


QUALITY_TIP = (
    "文本质量按文字是否通顺估算：常用词占比、字与字的搭配是否常见、有无乱码和残缺的句子，"
    "以及有无试图操纵问答的语句。评分 {score:.2f}（0–1），低于阈值的片段在回答中会提示核对原文。"
)


def _quality_cell(doc: DocumentInfo) -> str:
    tip = escape(QUALITY_TIP.format(score=doc.quality))
    css = ' class="sme-warn"' if doc.quality_label == "low" else ""
    return f'<span title="{tip}"{css}>{escape(quality_words(doc))}</span>'


# Column labels: the table's head on a wide screen, each cell's own label on a phone, where rows become cards.
DOC_COLUMNS = ("日期", "发布单位", "标题", "片段", "文本质量", "收录方式")


def documents_table_html(docs: list[DocumentInfo]) -> str:
    if not docs:
        return "<p>资料库中还没有文档。请上传文件，或在服务器上运行 <code>sme-assistant ingest</code>。</p>"

    titles = {d.doc_id: d.title for d in docs}

    def row(d: DocumentInfo) -> tuple[str, ...]:
        low = f"（低质量片段 {d.low_quality_chunks} 个）" if d.low_quality_chunks else ""
        return (
            escape(d.date or "未知"), escape(d.source), escape(d.title) + _copy_note(d, titles), f"{d.chunk_count}{low}", _quality_cell(d),
            "上传" if d.uploaded else "语料",
        )

    return _library_table(DOC_COLUMNS, [row(d) for d in docs])


def _library_table(columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """A table of the library tab, which a phone shows as a list of cards, each cell labelled by its column."""
    head = "<tr>" + "".join(f"<th>{label}</th>" for label in columns) + "</tr>"
    body = "".join("<tr>" + "".join(f'<td data-label="{label}">{cell}</td>' for label, cell in zip(columns, cells)) + "</tr>" for cells in rows)
    return f'<table class="sme-docs sme-library"><thead>{head}</thead><tbody>{body}</tbody></table>'


def feedback_html(records: list[FeedbackRecord]) -> str:
    """What users said of the answers, newest first, every field escaped."""
    if not records:
        return "<p>还没有用户反馈。</p>"
    rows = [
        (escape(local_time(r)), RATING_WORDS[r.rating], escape(r.question), escape(r.answer), escape(sources_text(r)),
         escape(r.comment or ""))
        for r in records
    ]  # fmt: skip
    return f"<p>共 {len(records)} 条反馈。</p>" + _library_table(CSV_HEADER, rows)


def _copy_note(d: DocumentInfo, titles: dict[str, str]) -> str:
    """A repost says whose copy it is (listed right after it); the authoritative copy says how many copies it has."""
    if d.copy_of:
        return f'<div class="sme-copy">↳ 转载，原文：{escape(titles.get(d.copy_of, d.copy_of))}</div>'
    return f'<div class="sme-copy">另有 {len(d.copies)} 份转载，列在其后</div>' if d.copies else ""


def document_html(doc: DocumentDetail) -> str:
    warn = f'<div class="sme-warn">⚠️ 这篇文档有 {doc.low_quality_chunks} 个低质量片段，引用时请核对原文</div>' if doc.low_quality_chunks else ""
    return (
        f'<div class="sme-doc"><h3>{escape(doc.title)}</h3>'
        f"<div>发布单位：{escape(doc.source)} · 日期：{escape(doc.date or '未知')} · 文本质量：{_quality_cell(doc)} · 片段：{doc.chunk_count}</div>"
        f"{_link(doc.url)}{warn}"
        # The id is for API users (GET/DELETE /api/documents/{doc_id}); a reader need not see it.
        f'<details class="sme-doc-id"><summary>技术信息</summary>文档编号（doc_id，供 API 使用）：<code>{escape(doc.doc_id)}</code></details>'
        f'<div class="sme-doc-text">{_text(doc.text)}</div></div>'
    )


def conversation_markdown(turns: list[tuple[str, Answer | None]], exported_at: str) -> str:
    """A chat as Markdown: each question, its answer and its numbered sources with the quoted sentence."""
    parts = [f"# 集群政策助手 · 对话记录\n\n导出时间：{exported_at}\n"]
    for i, (question, answer) in enumerate(turns, 1):
        parts.append(f"## {i}. {question}\n")
        if answer is None:
            parts.append("（这个问题没有得到回答）\n")
            continue
        parts.append(answer.answer + "\n")
        if answer.citations:
            parts.append("**来源**\n")
            for c in answer.citations:
                warn = f"（{LOW_QUALITY_NOTE}）" if c.quality == "low" else ""
                quote = " ".join(c.quote.split())  # one blockquote line, however the source broke it
                lines = [f"{c.n}. {c.reference}{warn}", f"   > “{quote}”"]
                if c.url:
                    lines.append(f"   <{c.url}>")
                parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


# -- 申报自查 ------------------------------------------------------------------------------------------
_VERDICT_CLASS = {"满足": "sme-pass", "不满足": "sme-fail", "无法判断": "sme-unknown"}


def _source_cell(c: CriterionCitation) -> str:
    where = "，".join(escape(x) for x in (c.source, c.article or "", c.date or "日期不详") if x)
    warn = f'<div class="sme-warn">⚠️ {LOW_QUALITY_NOTE}</div>' if c.quality == "low" else ""
    return f'<details class="sme-source"><summary>《{escape(c.title)}》（{where}）</summary><div class="sme-quote">“{_text(c.quote)}”</div></details>{warn}'


def criteria_html(criteria: list[CriterionInfo]) -> str:
    """A programme's criteria with their sources, before any figure is entered."""
    if not criteria:
        return "<p>资料库中还没有这个项目的认定条件。</p>"
    rows = "".join(
        f"<tr><td>{escape(c.region)}</td><td>{escape(c.criterion)}"
        + (_notes([f"仅适用于：{c.condition}"]) if c.condition else "")
        + f"</td><td>{_source_cell(c.citation)}</td></tr>"
        for c in criteria
    )
    return f'<table class="sme-docs sme-criteria"><thead><tr><th>地区</th><th>条件</th><th>出处</th></tr></thead><tbody>{rows}</tbody></table>'


def _notes(notes: list[str]) -> str:
    return "".join(f'<div class="sme-note">{escape(n)}</div>' for n in notes)


def check_html(report: CheckReport) -> str:
    """The verdicts, one row per criterion, each with its source and notes."""
    rows = "".join(
        f'<tr class="{_VERDICT_CLASS[r.verdict]}"><td>{escape(r.region)}</td><td>{escape(r.criterion)}</td>'
        f'<td>{escape(r.value or "未提供")}</td><td class="sme-verdict">{escape(r.verdict)}</td>'
        f"<td>{_notes(r.notes)}{_source_cell(r.citation)}</td></tr>"
        for r in report.results
    )
    table = (
        '<table class="sme-docs sme-check"><thead><tr><th>地区</th><th>条件</th><th>您的数据</th><th>结论</th><th>说明与出处</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
        if report.results
        else ""
    )
    unreadable = (
        f'<div class="sme-warn">无法确切读出的数据：{escape("；".join(report.unreadable))}</div>' if report.unreadable else ""
    )
    return f'<div class="sme-check-message">{escape(report.message)}</div>{unreadable}{table}'
