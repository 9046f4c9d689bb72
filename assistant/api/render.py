"""How answers and documents look to people: plain text for chat clients, escaped HTML for the web UI.

Every string that comes from a document or an answer goes through `html.escape`, so a page that contains
`<script>` or `<img onerror=…>` is shown as text. The HTML has no blank lines, so the chat's Markdown
renderer passes it through as one block instead of reading document text as Markdown.
"""

from __future__ import annotations

from html import escape

from ..criteria.model import CheckReport, CriterionCitation
from ..schema import Answer, Citation
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


def citation_html(c: Citation) -> str:
    low = c.quality == "low"
    flag = " ⚠️" if low else ""
    warn = f'<div class="sme-warn">⚠️ {LOW_QUALITY_NOTE}</div>' if low else ""
    return (
        f'<details class="sme-source"><summary>[{c.n}] {escape(c.reference)}{flag}</summary>'
        f"<div>标题：{escape(c.title)}</div><div>发布单位：{escape(c.source)}</div><div>日期：{escape(c.date or '日期不详')}</div>"
        + (f"<div>文号：{escape(c.doc_number)}</div>" if c.doc_number else "")
        + (f"<div>位置：{escape(c.place)}</div>" if c.place else "")
        + f'<div class="sme-quote">“{_text(c.quote)}”</div>{warn}{_link(c.url)}</details>'
    )


def pending_html(text: str) -> str:
    """An answer still being streamed."""
    return f'<div class="sme-answer">{_text(text) if text else "正在查找资料…"}</div>'


def answer_html(answer: Answer) -> str:
    sources = "".join(citation_html(c) for c in answer.citations)
    heading = f'<div class="sme-sources-title">来源（{len(answer.citations)}）</div>' if answer.citations else ""
    return f'<div class="sme-answer">{_text(answer.answer)}</div>{heading}{sources}'


def error_html(message: str) -> str:
    return f'<div class="sme-error">⚠️ {escape(message)}</div>'


def documents_table_html(docs: list[DocumentInfo]) -> str:
    if not docs:
        return "<p>资料库中还没有文档。请上传文件，或在服务器上运行 <code>sme-assistant ingest</code>。</p>"
    rows = "".join(
        "<tr>"
        f"<td>{escape(d.date or '未知')}</td><td>{escape(d.source)}</td><td>{escape(d.title)}</td>"
        f"<td>{d.chunk_count}</td><td>{d.quality:.2f}{' ⚠️' if d.quality_label == 'low' else ''}</td>"
        f"<td>{d.low_quality_chunks}</td><td>{'上传' if d.uploaded else '语料'}</td><td><code>{escape(d.doc_id)}</code></td>"
        "</tr>"
        for d in docs
    )
    head = "<tr><th>日期</th><th>发布单位</th><th>标题</th><th>片段</th><th>质量</th><th>低质量片段</th><th>收录方式</th><th>doc_id</th></tr>"
    return f'<table class="sme-docs"><thead>{head}</thead><tbody>{rows}</tbody></table>'


def document_html(doc: DocumentDetail) -> str:
    warn = f'<div class="sme-warn">⚠️ 这篇文档有 {doc.low_quality_chunks} 个低质量片段，引用时请核对原文</div>' if doc.low_quality_chunks else ""
    return (
        f'<div class="sme-doc"><h3>{escape(doc.title)}</h3>'
        f"<div>发布单位：{escape(doc.source)} · 日期：{escape(doc.date or '未知')} · 文本质量：{doc.quality:.2f} · 片段：{doc.chunk_count}</div>"
        f"{_link(doc.url)}{warn}<div class=\"sme-doc-text\">{_text(doc.text)}</div></div>"
    )


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
