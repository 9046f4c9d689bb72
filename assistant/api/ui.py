"""The chat UI (Gradio, in Chinese): streamed answers with expandable sources, filters, the 资料库 tab, 👍/👎.

`UiHandlers` holds what the UI does, as plain methods (tested without a browser); `build_ui` only lays
out components and wires events; `mount_ui` puts it at "/" of the FastAPI app. The UI calls the same
Runtime as the API, in-process.
"""

from __future__ import annotations

import functools
import inspect
import logging
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from html import escape
from typing import Any

import gradio as gr
from fastapi import FastAPI
from pydantic import ValidationError

from ..answering.query import QuestionError
from ..answering.suggest import MAX_SUGGESTIONS, suggest
from ..criteria.facts import FactError
from ..criteria.model import NATIONAL
from ..criteria.terms import terms
from ..ingest.load import SUPPORTED_SUFFIXES
from ..schema import DATE_FORMAT_HINT, Answer, Turn
from ..settings import Settings
from .auth import LOCKED_MESSAGE, can_read, can_write, read_only
from .errors import ApiError
from .feedback import feedback_csv
from .models import ZJ_EXAMPLE, AskFilters, CriterionInfo
from .render import (
    PENDING_HTML,
    answer_html,
    check_html,
    conversation_markdown,
    criteria_html,
    document_html,
    documents_table_html,
    error_html,
    feedback_html,
    pending_html,
)
from .runtime import Runtime
from .sse import STREAM_FAILED

log = logging.getLogger("sme.ui")

ALL_SOURCES = "全部发布单位"
ALL_REGIONS = "全部地区"
# Past conversations kept in the browser's local storage: the latest ones, each with its latest turns, so
# the list stays well under what one UI request may carry (UiFileGuard).
SAVED_CONVERSATIONS = 10
SAVED_TURNS = 20
# Streamed text arriving within this long of the last redraw waits for the next one.
REDRAW_SECONDS = 0.05
# The figure fields of the 申报自查 tab: laid out once, then labelled and shown for the programme picked.
MAX_FIELDS = 16
FIELDS_PER_ROW = 4
FIELD_HINTS = {
    "money": "如 45亿；逐年数据从早到晚用顿号隔开：35亿、42亿、45亿",
    "percent": "如 75%、0.75 或 七成",
    "area": "如 80平方公里",
    "count": "如 3",
    "people": "如 120",
    "years": "如 5年",
    "score": "如 72分",
}
CHECK_TEXT_EXAMPLE = "近三年产值分别是35亿、42亿、45亿，中小企业产值占比75%"
OFFICIAL_EXAMPLES = [
    ZJ_EXAMPLE,
    "国家级中小企业特色产业集群现在累计认定了多少个？",
    "这300个集群在东部、中部、西部、东北各有多少？",
    "今年哪些省份第一次有了国家级特色集群？",
]
ENTERPRISE_EXAMPLES = [
    "经常听说“专精特新”，这四个字具体指的是哪四个方面？",
    "一个集群被认定为国家级以后，这个称号管几年？",
    "在工业领域，多大规模以内的企业算中小微企业？",
    "“十四五”期间广东计划培育多少家专精特新中小企业？",
]

ACCEPT = ",".join(SUPPORTED_SUFFIXES)
# The browser's own file button reads "Choose Files / No file chosen" in the browser's language: it is
# hidden behind a Chinese button, and the chosen names are listed beside it.
NO_FILES = "未选择文件"
UPLOAD_INPUT = (
    f'<label class="sme-file-pick">选择文件（可多选）<input type="file" multiple accept="{ACCEPT}"></label>'
    f' <span class="sme-file-names">{NO_FILES}</span>'
)
SHOW_FILE_NAMES_JS = f"""
const input = element.querySelector('input[type=file]');
const names = element.querySelector('.sme-file-names');
input.addEventListener('change', () => {{
  names.textContent = input.files.length ? Array.from(input.files).map((f) => f.name).join('、') : '{NO_FILES}';
}});
"""
# Each chosen file goes to POST /api/documents as multipart bytes, one request per file, so one bad file
# is reported on its own line and the others are still ingested. Text is escaped before it is shown.
UPLOAD_JS = """
async (key) => {
  const input = document.querySelector('#sme-upload input[type=file]');
  const files = input ? Array.from(input.files) : [];
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
  if (!files.length) return '<p class="sme-error">请先选择要上传的文件</p>';
  const headers = key ? {Authorization: 'Bearer ' + key} : {};
  const lines = [];
  let added = 0;
  for (const file of files) {
    const form = new FormData();
    form.append('file', file, file.name);
    let line;
    try {
      const response = await fetch('api/documents', {method: 'POST', body: form, headers});
      const body = await response.json();
      if (response.ok) {
        const d = body.document;
        const low = body.low_quality_chunks ? `，其中 ${body.low_quality_chunks} 个低质量片段` : '';
        line = `已收录《${esc(d.title)}》（${esc(d.source)}，${esc(d.date || '日期不详')}）：${body.chunks} 个片段${low}`;
        added += 1;
      } else if (response.status === 409) {
        // Already in the library: nothing went wrong, so one plain line (the id is for API users).
        const message = body.error ? body.error.message.replace(/（doc_id [^）]*）/, '') : '资料库中已有这份文档';
        line = `<span class="sme-note">${esc(file.name)}：${esc(message)}</span>`;
      } else {
        line = `<span class="sme-error">${esc(file.name)} 未收录：${esc(body.error ? body.error.message : '上传失败')}</span>`;
      }
    } catch (e) {
      line = `<span class="sme-error">${esc(file.name)} 未收录：无法连接服务器，请稍后重试</span>`;
    }
    lines.push(`<li>${line}</li>`);
  }
  input.value = '';
  input.dispatchEvent(new Event('change'));
  const summary = files.length > 1 ? `<p>共 ${files.length} 个文件，收录 ${added} 个。</p>` : '';
  return `${summary}<ul class="sme-upload-results">${lines.join('')}</ul>`;
}
"""

# Drawn by the page itself the moment a question is sent, before the server has heard of it: the question
# and a "正在检索…" bubble. The server's first update replaces both with the same turn.
SHOW_PENDING_JS = f"""
(question, messages) => {{
  const q = (question || '').trim();
  // A js-only event's array is its list of outputs: the one output, the messages, goes inside it.
  if (!q) return [messages];
  const esc = (s) => s.replace(/[&<>"']/g, (c) => ({{'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}}[c]));
  const text = (t) => [{{type: 'text', text: t}}];  // the chat's own message shape in the page
  return [[...(messages || []), {{role: 'user', content: text(esc(q))}}, {{role: 'assistant', content: text({PENDING_HTML!r})}}]];
}}
"""


def download_js(name: str, suffix: str, mime: str) -> str:
    """A file made in the browser from a text output: the UI serves no file from the server (see ui_guard)."""
    return f"""
(text) => {{
  if (!text) return;
  const url = URL.createObjectURL(new Blob([text], {{type: '{mime};charset=utf-8'}}));
  const link = document.createElement('a');
  link.href = url;
  link.download = '集群政策助手-{name}-' + new Date().toISOString().slice(0, 10) + '{suffix}';
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}}
"""


# A suggested follow-up fills the question box in the page, and is then asked as if typed.
FILL_JS = "(question) => question"

# A click on [n] in an answer opens that answer's source n, scrolled to the middle of the screen, with its
# passage and the quoted words marked. One listener for the whole page: answers are redrawn as they stream.
CITE_JS = """
<script>
document.addEventListener('click', (event) => {
  const cite = event.target.closest && event.target.closest('a.sme-cite');
  if (!cite) return;
  event.preventDefault();
  const n = (cite.className.match(/sme-cite-(\\d+)/) || [])[1];
  const answer = cite.closest('.sme-answer');
  const source = n && answer && answer.parentElement.querySelector(`details.sme-source-${n}`);
  if (!source) return;
  source.open = true;
  source.scrollIntoView({behavior: 'smooth', block: 'center'});
  source.classList.add('sme-flash');
  setTimeout(() => source.classList.remove('sme-flash'), 2000);
});
</script>
"""

CSS = """
.sme-answer { line-height: 1.7; }
.sme-sources-title { margin-top: .6em; font-weight: 600; }
.sme-source { margin: .3em 0; padding: .2em .6em; border-left: 3px solid var(--color-accent); }
.sme-source summary { cursor: pointer; }
.sme-quote { margin: .4em 0; padding-left: .6em; border-left: 2px solid var(--border-color-primary); }
.sme-warn, .sme-error { color: #b45309; }
.sme-docs { width: 100%; border-collapse: collapse; font-size: .92em; }
.sme-docs th, .sme-docs td { border-bottom: 1px solid var(--border-color-primary); padding: .35em .5em; text-align: left; }
.sme-doc-text { max-height: 28em; overflow-y: auto; margin-top: .6em; line-height: 1.7; }
.sme-pass .sme-verdict { color: #15803d; font-weight: 600; }
.sme-fail .sme-verdict { color: #b91c1c; font-weight: 600; }
.sme-unknown .sme-verdict { color: #6b7280; }
.sme-note { font-size: .9em; color: #92400e; }
.sme-check-message { margin: .4em 0 .8em; line-height: 1.7; }
.sme-cite { text-decoration: none; color: var(--color-accent); cursor: pointer; }
.sme-passage { margin: .4em 0; padding: .4em .6em; background: var(--background-fill-secondary); border-radius: 6px; line-height: 1.7; }
.sme-passage-title { font-size: .9em; color: var(--body-text-color-subdued); }
.sme-passage mark { background: #fde68a; color: inherit; padding: 0 .1em; }
.sme-flash { outline: 2px solid var(--color-accent); border-radius: 4px; }
.sme-pending { color: var(--body-text-color-subdued); }
.sme-pending::after { content: ""; animation: sme-dots 1.2s steps(4, end) infinite; }
@keyframes sme-dots { 0% { content: ""; } 25% { content: "."; } 50% { content: ".."; } 75% { content: "..."; } }
.sme-file-pick { display: inline-block; padding: .4em 1em; border: 1px solid var(--border-color-primary); border-radius: 6px;
  background: var(--button-secondary-background-fill); cursor: pointer; }
.sme-file-pick input { position: absolute !important; width: 1px !important; height: 1px !important; padding: 0 !important;
  border: 0 !important; opacity: 0; overflow: hidden; }
.sme-file-names { margin-left: .6em; color: var(--body-text-color-subdued); }
#sme-suggestions { align-items: center; gap: .4em; flex-wrap: wrap; }
#sme-suggestions .sme-suggestion { flex: 0 1 auto; min-width: 0; }
.sme-doc-id { margin-top: .4em; font-size: .85em; color: var(--body-text-color-subdued); }
/* Gradio's notices are headed Info / Warning / Error in English; the heading is replaced, the message kept. */
.toast-title.info, .toast-title.warning, .toast-title.error, .toast-title.success { font-size: 0 !important; visibility: hidden; }
.toast-title.info::after, .toast-title.warning::after, .toast-title.error::after, .toast-title.success::after {
  font-size: var(--text-md); visibility: visible;
}
.toast-title.info::after { content: "提示"; }
.toast-title.warning::after { content: "注意"; }
.toast-title.error::after { content: "出错了"; }
.toast-title.success::after { content: "完成"; }
/* Gradio's own progress label reads "processing | 1.2s" / "queue: 1/2" in English whatever the locale;
   its spinner stays, and the chat shows its own 正在检索… */
.progress-text, .meta-text, .meta-text-center { display: none !important; }
/* A phone (390 px): the question box, the ask button and the first examples above the fold, and the
   library as a list of cards. */
@media (max-width: 640px) {
  #sme-intro p { display: none; }
  #sme-chat { height: 280px !important; max-height: 280px !important; }
  #sme-examples-official button, #sme-examples-enterprise button { font-size: .85em; padding: .3em .5em; }
  .sme-library thead { display: none; }
  .sme-library, .sme-library tbody, .sme-library tr, .sme-library td { display: block; width: 100%; }
  .sme-library tr { margin: .5em 0; padding: .4em .6em; border: 1px solid var(--border-color-primary); border-radius: 8px; }
  .sme-library td { border: none; padding: .15em 0; }
  .sme-library td::before { content: attr(data-label) "："; color: var(--body-text-color-subdued); }
}
"""


def _messages(turns: list[dict]) -> list[dict[str, str]]:
    """Turns as chat messages: always a user/assistant pair, so message i belongs to turn i // 2."""
    messages = []
    for turn in turns:
        messages.append({"role": "user", "content": escape(turn["question"])})
        messages.append({"role": "assistant", "content": turn["html"]})
    return messages


def _saved_choices(saved: list[dict]) -> list[tuple[str, str]]:
    """A saved conversation as the list shows it: when, and its first question."""
    choices = []
    for c in saved:
        turns = c.get("turns") or [{}]
        first = str(turns[0].get("question", "")) if isinstance(turns[0], dict) else ""
        label = f"{c.get('when', '')} · {first[:24]}{'…' if len(first) > 24 else ''}（{len(turns)} 问）"
        choices.append((label, str(c.get("id"))))
    return choices


def _history(turns: list[dict], settings: Settings) -> list[Turn]:
    """The latest turns within the API's caps: a follow-up needs only the last few, and a long chat must
    not make every question slower."""
    history = []
    for turn in turns:
        if turn["answer"] is not None:
            history += [Turn(role="user", content=turn["question"]), Turn(role="assistant", content=turn["answer"].answer)]
    recent = history[-settings.max_history_turns :] if settings.max_history_turns else []
    return [Turn(role=t.role, content=t.content[: settings.max_turn_chars]) for t in recent]


def date_problem(date_from: str | None, date_to: str | None) -> str | None:
    """What is wrong with the dates typed in the filters, in words, or None."""
    for label, value in (("起始日期", date_from), ("截止日期", date_to)):
        value = (value or "").strip()
        if value:
            try:
                AskFilters(date_from=value)
            except ValidationError:
                return f"{label}“{value}”无法识别：{DATE_FORMAT_HINT}；不需要按日期筛选时请留空。"
    if date_from and date_to and date_from.strip() > date_to.strip():
        return "起始日期晚于截止日期，请对调或修改后再提问。"
    return None


def _filters(date_from: str | None, date_to: str | None, source: str | None) -> AskFilters | None:
    """The filters chosen, or gr.Error telling what to fix: a typo in a date is never silently ignored."""
    source = None if source in (None, "", ALL_SOURCES) else source
    date_from, date_to = (date_from or "").strip() or None, (date_to or "").strip() or None
    if not (date_from or date_to or source):
        return None
    problem = date_problem(date_from, date_to)
    if problem:
        raise gr.Error(problem, title="筛选条件有误", print_exception=False)
    return AskFilters(date_from=date_from, date_to=date_to, source=source)


def _tell(exc: gr.Error) -> None:
    """A refusal as a notice. Gradio 6.31's notices head every message with its level in English, whatever
    the title (the CSS puts 提示/注意/出错 there instead), so the title leads the message; and a notice,
    unlike a raised gr.Error, leaves no error badge over the outputs."""
    gr.Warning(f"{exc.title}：{exc.message}")


def told(fn: Callable, outputs: int) -> Callable:
    """An event handler whose gr.Error becomes a notice, leaving its `outputs` as they were."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def stream(*args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from fn(*args, **kwargs)
            except gr.Error as exc:
                _tell(exc)

        return stream

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except gr.Error as exc:
            _tell(exc)
            return gr.skip() if outputs == 1 else (gr.skip(),) * outputs

    return call


class UiHandlers:
    def __init__(self, runtime: Runtime):
        self.runtime = runtime

    # -- chat ---------------------------------------------------------------------------------------
    def respond(
        self, question: str, turns: list[dict], date_from: str | None, date_to: str | None, source: str | None
    ) -> Iterator[tuple[Any, list[dict], list[dict]]]:
        """Yields (question box, chat messages, turns) as the answer streams in."""
        question = (question or "").strip()
        try:
            filters = _filters(date_from, date_to, source)
            events = self.runtime.require_ready().chain.stream(question, _history(turns, self.runtime.settings), filters=filters)
        except (ApiError, QuestionError, gr.Error) as exc:
            # The page has already drawn the question and 正在检索…: put the chat back as it was, then say why.
            yield gr.skip(), _messages(turns), turns
            if isinstance(exc, gr.Error):
                raise
            raise gr.Error(str(exc), title="无法提问", print_exception=False) from None
        turn = {"question": question, "html": pending_html(""), "answer": None}
        turns = [*turns, turn]
        yield "", _messages(turns), turns
        text = ""
        shown = 0.0
        try:
            for event in events:
                if "delta" in event:
                    text += event["delta"]
                    turn["html"] = pending_html(text)
                    # Each update re-sends and re-draws the chat: deltas that arrive together (the
                    # extractive answer comes whole) are drawn once; the first is drawn at once.
                    if time.monotonic() - shown < REDRAW_SECONDS:
                        continue
                else:
                    turn["answer"] = event["answer"]
                    turn["html"] = answer_html(event["answer"])
                shown = time.monotonic()
                yield gr.skip(), _messages(turns), turns
        except Exception:
            log.exception("answer failed in the UI")
            turn["html"] = error_html(STREAM_FAILED["error"]["message"])
            yield gr.skip(), _messages(turns), turns

    def suggestions(
        self, turns: list[dict], date_from: str | None, date_to: str | None, source: str | None
    ) -> list[Any]:
        """Up to MAX_SUGGESTIONS follow-ups under the chat, worked out once the answer is on screen, each
        checked to be answered by the library; the row stays hidden when there are none."""
        none = [gr.Row(visible=False), *[gr.Button(visible=False)] * MAX_SUGGESTIONS]
        if not turns or turns[-1]["answer"] is None:
            return none
        last = turns[-1]
        try:
            chain = self.runtime.require_ready().chain
            found = suggest(chain, last["question"], _history(turns[:-1], self.runtime.settings), last["answer"], _filters(date_from, date_to, source))
        except (ApiError, QuestionError, gr.Error):
            return none
        buttons = [gr.Button(value=q, visible=True) for q in found]
        return [gr.Row(visible=bool(found)), *buttons, *[gr.Button(visible=False)] * (MAX_SUGGESTIONS - len(found))]

    def feedback(self, turns: list[dict], like: gr.LikeData) -> tuple[gr.Row, str | None]:
        """👍/👎 on an answer: appended with its question and sources to index/feedback.jsonl. A 👎 opens
        the comment box for that vote (returned: the box's row, and the vote's id)."""
        if not isinstance(like.index, int) or like.liked not in (True, False):
            return gr.skip(), gr.skip()
        position = like.index // 2
        if position >= len(turns) or turns[position]["answer"] is None:
            return gr.skip(), gr.skip()
        record = self.runtime.feedback.append("up" if like.liked else "down", turns[position]["answer"])
        if like.liked:
            gr.Info("已记录您的反馈，谢谢！")
            return gr.Row(visible=False), None
        gr.Info("已记录您的反馈。愿意的话，请在对话下方写下哪里不对。")
        return gr.Row(visible=True), record.id

    def comment(self, record_id: str | None, text: str | None) -> tuple[gr.Row, str, None]:
        """The comment on the 👎 just given; an empty one only closes the box."""
        if record_id and (text or "").strip():
            self.runtime.feedback.comment(record_id, text)
            gr.Info("已记录您的评论，谢谢！")
        return gr.Row(visible=False), "", None

    def feedback_view(self, key: str | None) -> tuple[str, str]:
        """The admin's view of the feedback, and the same as CSV for the page to save."""
        try:
            self._admin(key)
        except gr.Error as exc:
            _tell(exc)
            return gr.skip(), ""  # nothing to save: a CSV shown before must not leave without the key
        records = self.runtime.feedback.records()
        return feedback_html(records), feedback_csv(records)

    @staticmethod
    def export(turns: list[dict]) -> str:
        """The conversation as Markdown with its sources, for the page to save as a file."""
        if not turns:
            gr.Info("对话还是空的：先提一个问题，再导出。")
            return ""
        return conversation_markdown([(t["question"], t["answer"]) for t in turns], datetime.now().strftime("%Y-%m-%d %H:%M"))

    @staticmethod
    def check_dates(date_from: str | None, date_to: str | None) -> str:
        """A note under the date boxes as soon as one is left, so a typo is seen before asking."""
        problem = date_problem(date_from, date_to)
        return f'<p class="sme-error">{escape(problem)}</p>' if problem else ""

    # -- past conversations (this browser's local storage) -------------------------------------------
    @staticmethod
    def remember(turns: list[dict], saved: list[dict] | None, current: str | None) -> tuple[list[dict], str | None, gr.Dropdown]:
        """Saves the conversation on screen under its id (a new one gets one), newest first."""
        saved = [c for c in saved or [] if isinstance(c, dict)]
        if not turns:
            return saved, current, gr.Dropdown(choices=_saved_choices(saved))
        current = current or datetime.now().strftime("%Y%m%d%H%M%S%f")
        kept = [
            {"question": t["question"], "answer": t["answer"].model_dump(mode="json", exclude={"retrieved"}) if t["answer"] else None}
            for t in turns[-SAVED_TURNS:]
        ]
        entry = {"id": current, "when": datetime.now().strftime("%m-%d %H:%M"), "turns": kept}
        saved = [entry, *(c for c in saved if c.get("id") != current)][:SAVED_CONVERSATIONS]
        return saved, current, gr.Dropdown(choices=_saved_choices(saved), value=current)

    @staticmethod
    def saved_list(saved: list[dict] | None) -> gr.Dropdown:
        return gr.Dropdown(choices=_saved_choices([c for c in saved or [] if isinstance(c, dict)]), value=None)

    @staticmethod
    def reopen(chosen: str | None, saved: list[dict] | None) -> tuple[list[dict], list[dict], str | None]:
        """A saved conversation back on screen, to read or to continue with follow-ups. What comes back
        from the browser is checked and drawn afresh, never shown as stored."""
        found = next((c for c in saved or [] if isinstance(c, dict) and c.get("id") == chosen), None)
        if found is None:
            gr.Info(f"没有找到这段对话：它可能已被新的对话挤出（本浏览器只保留最近 {SAVED_CONVERSATIONS} 段）。")
            return gr.skip(), gr.skip(), gr.skip()
        turns = []
        for t in found.get("turns", []):
            try:
                answer = Answer.model_validate(t["answer"]) if t.get("answer") else None
                question = str(t["question"])
            except (ValidationError, KeyError, TypeError):
                continue
            turns.append({"question": question, "html": answer_html(answer) if answer else error_html("这个问题没有得到回答"), "answer": answer})
        return _messages(turns), turns, chosen

    # -- library ------------------------------------------------------------------------------------
    def library(self) -> tuple[str, gr.Dropdown, gr.Dropdown]:
        """The documents table, the choices of the document picker and of the publisher filter."""
        try:
            self.runtime.require_ready()
            docs = self.runtime.documents.list()
        except ApiError as exc:
            return error_html(exc.message), gr.Dropdown(choices=[]), gr.Dropdown(choices=[ALL_SOURCES])
        picks = [(f"{d.date or '日期不详'} · {d.title}", d.doc_id) for d in docs]
        sources = [ALL_SOURCES, *sorted({d.source for d in docs})]
        return documents_table_html(docs), gr.Dropdown(choices=picks, value=None), gr.Dropdown(choices=sources)

    def show_document(self, doc_id: str | None) -> str:
        if not doc_id:
            return ""
        try:
            self.runtime.require_ready()
            return document_html(self.runtime.documents.get(doc_id))
        except ApiError as exc:
            return error_html(exc.message)

    def _admin(self, key: str | None) -> None:
        s = self.runtime.settings
        if read_only(s):
            raise gr.Error(LOCKED_MESSAGE, title="资料库只读", print_exception=False)
        if not can_write(s, key):
            raise gr.Error("密钥不正确" if key else "请先输入密钥", title="无权操作", print_exception=False)

    def _chosen_title(self, doc_id: str | None, key: str | None) -> str:
        """The title of the document chosen for deletion, once the key allows it."""
        self._admin(key)
        if not doc_id:
            raise gr.Error("请先在上方“查看文档”中选择要删除的文档", title="无法删除", print_exception=False)
        try:
            self.runtime.require_ready()
            return self.runtime.documents.get(doc_id).title
        except ApiError as exc:
            raise gr.Error(exc.message, title="无法删除", print_exception=False) from None

    def ask_delete(self, doc_id: str | None, key: str | None) -> tuple[str, gr.Row]:
        """Names the document and shows 确认删除 / 取消: nothing is deleted on the first click."""
        title = self._chosen_title(doc_id, key)
        return f'<p class="sme-warn">确定要从资料库删除《{escape(title)}》吗？删除后问答不再引用它，且不能撤销。</p>', gr.Row(visible=True)

    def delete(self, doc_id: str | None, key: str | None) -> tuple[str, gr.Row, str, gr.Dropdown, gr.Dropdown]:
        title = self._chosen_title(doc_id, key)
        try:
            self.runtime.documents.delete(doc_id)
        except ApiError as exc:
            raise gr.Error(exc.message, title="删除失败", print_exception=False) from None
        return f"<p>已删除《{escape(title)}》。</p>", gr.Row(visible=False), *self.library()

    # -- 申报自查 ------------------------------------------------------------------------------------
    def _criteria(self, programme: str | None, region: str | None) -> list[CriterionInfo]:
        found = self.runtime.require_ready().checker.programmes().get(programme or "", [])
        return [CriterionInfo.of(c) for c in found if region in (None, ALL_REGIONS, c.region) or c.region == NATIONAL]

    def check_programmes(self) -> gr.Dropdown:
        """The programmes the library has criteria for."""
        try:
            names = list(self.runtime.require_ready().checker.programmes())
        except ApiError:
            names = []
        return gr.Dropdown(choices=names, value=names[0] if names else None)

    def show_programme(self, programme: str | None, region: str | None) -> list[Any]:
        """The programme's criteria with their sources, its regions, and one labelled field per attribute."""
        try:
            everywhere = self._criteria(programme, None)
        except ApiError as exc:
            return [error_html(exc.message), gr.Dropdown(choices=[ALL_REGIONS]), *[gr.Textbox(visible=False)] * MAX_FIELDS]
        regions = [ALL_REGIONS, *dict.fromkeys(c.region for c in everywhere)]
        region = region if region in regions else ALL_REGIONS
        shown = [c for c in everywhere if region == ALL_REGIONS or c.region in (region, NATIONAL)]
        attributes = list(dict.fromkeys(c.attribute for c in shown))[:MAX_FIELDS]
        fields = [
            gr.Textbox(label=name, placeholder=FIELD_HINTS[terms().attribute(name).kind], value="", visible=True) for name in attributes
        ]
        hidden = [gr.Textbox(label="", value="", visible=False)] * (MAX_FIELDS - len(fields))
        return [criteria_html(shown), gr.Dropdown(choices=regions, value=region), *fields, *hidden]

    def run_check(self, programme: str | None, region: str | None, text: str | None, *values: str) -> str:
        """Verdicts for the figures entered; a field left empty is a figure not given (无法判断)."""
        if not programme:
            raise gr.Error("请先选择要核对的项目", title="无法核对", print_exception=False)
        try:
            shown = self._criteria(programme, region)
            attributes = list(dict.fromkeys(c.attribute for c in shown))[:MAX_FIELDS]
            facts = {name: value for name, value in zip(attributes, values) if value and value.strip()}
            report = self.runtime.require_ready().checker.check(
                programme, facts=facts, text=(text or "").strip() or None, region=None if region in (None, ALL_REGIONS) else region
            )
        except FactError as exc:
            raise gr.Error(str(exc), title="数据有误", print_exception=False) from None
        except ApiError as exc:
            return error_html(exc.message)
        return check_html(report)


def build_ui(runtime: Runtime) -> gr.Blocks:
    h = UiHandlers(runtime)
    s = runtime.settings
    # The key box asks for whichever key changes the library: the admin key, or on an open library the API key.
    key_label = "管理员密钥" if s.admin_key else "访问密钥"
    key_needed = bool(s.admin_key or (s.open_library and s.api_key))
    with gr.Blocks(title="集群政策助手", analytics_enabled=False, delete_cache=(3600, 3600)) as ui:
        gr.Markdown(
            "# 集群政策助手\n"
            "依据资料库中的政策文件和报道，回答中小企业特色产业集群、专精特新和梯度培育方面的问题；"
            "每个回答都注明出处，资料中没有的会直接说明。 · [API 文档](/docs)",
            elem_id="sme-intro",
        )
        turns = gr.State([])
        # The conversations of this browser, in its local storage. The "secret" only scrambles them (Gradio
        # sends it to the page); a fixed one keeps them readable after the server restarts.
        saved = gr.BrowserState([], storage_key="sme-conversations", secret="sme-conversations")
        conversation = gr.State(None)
        with gr.Tab("问答"):
            with gr.Row():
                with gr.Column(scale=4):
                    chatbot = gr.Chatbot(
                        label="对话",
                        height=560,
                        buttons=["copy"],
                        placeholder="请在下方输入问题，或点击示例问题。",
                        elem_id="sme-chat",
                    )
                    with gr.Row(visible=False, elem_id="sme-comment-row") as comment_row:
                        comment_box = gr.Textbox(
                            label="哪里不对？（可选）", placeholder="例如：数字有误、没有回答所问、来源过时…", scale=6, elem_id="sme-comment"
                        )
                        comment_send = gr.Button("提交", scale=1, elem_id="sme-comment-send")
                    voted = gr.State(None)
                    with gr.Row(visible=False, elem_id="sme-suggestions") as suggest_row:
                        gr.HTML("<span>接着问：</span>", padding=False)
                        suggested = [gr.Button(visible=False, size="sm", elem_classes="sme-suggestion") for _ in range(MAX_SUGGESTIONS)]
                    with gr.Row():
                        box = gr.Textbox(label="问题", placeholder="请输入您想了解的政策问题…", show_label=False, scale=6, elem_id="sme-question")
                        send = gr.Button("提问", variant="primary", scale=1, elem_id="sme-send")
                    gr.Examples([[q] for q in OFFICIAL_EXAMPLES], inputs=[box], label="政府工作人员常问", elem_id="sme-examples-official")
                    gr.Examples([[q] for q in ENTERPRISE_EXAMPLES], inputs=[box], label="企业常问", elem_id="sme-examples-enterprise")
                with gr.Column(scale=1, min_width=220):
                    gr.Markdown("### 筛选资料")
                    # Plain boxes, not gr.DateTime: its picker speaks English (month names, Clear/Now/Done).
                    date_from = gr.Textbox(label="起始日期", placeholder="如 2024-01-01，可留空", elem_id="sme-date-from")
                    date_to = gr.Textbox(label="截止日期", placeholder="如 2024-12-31，可留空", elem_id="sme-date-to")
                    date_note = gr.HTML(elem_id="sme-date-note")
                    source = gr.Dropdown(choices=[ALL_SOURCES], value=ALL_SOURCES, label="发布单位")
                    clear = gr.Button("清空对话", elem_id="sme-clear")
                    export = gr.Button("导出对话（Markdown）", elem_id="sme-export")
                    export_text = gr.Textbox(label="导出的对话", visible="hidden", elem_id="sme-export-text")
                    past = gr.Dropdown(label="历史对话（仅保存在本浏览器）", choices=[], value=None, elem_id="sme-past")
        with gr.Tab("申报自查", elem_id="sme-check-tab"):
            gr.Markdown("选择项目，查看资料库中文件规定的认定条件；填写您的数据后逐条核对。没有填写的指标显示为“无法判断”。")
            with gr.Row():
                check_programme = gr.Dropdown(label="申报项目", choices=[], scale=3, elem_id="sme-check-programme")
                check_region = gr.Dropdown(label="所在地区", choices=[ALL_REGIONS], value=ALL_REGIONS, scale=1, elem_id="sme-check-region")
            check_criteria = gr.HTML(elem_id="sme-check-criteria")
            with gr.Accordion("填写您的数据", open=True):
                check_fields = []
                for _ in range(MAX_FIELDS // FIELDS_PER_ROW):
                    with gr.Row():
                        check_fields += [gr.Textbox(visible=False, min_width=200) for _ in range(FIELDS_PER_ROW)]
                check_text = gr.Textbox(label="或用一段话描述", placeholder=CHECK_TEXT_EXAMPLE, lines=2, elem_id="sme-check-text")
            check_run = gr.Button("核对", variant="primary", elem_id="sme-check-run")
            check_result = gr.HTML(elem_id="sme-check-result")
        with gr.Tab("资料库", elem_id="sme-library-tab"):
            docs_table = gr.HTML(elem_id="sme-docs")
            with gr.Row():
                doc_select = gr.Dropdown(label="查看文档", choices=[], scale=4)
                refresh = gr.Button("刷新", scale=1)
            doc_view = gr.HTML(elem_id="sme-doc-view")
            with gr.Accordion("管理：上传 / 删除（需要管理员）", open=False):
                if read_only(s):
                    gr.HTML(f'<p class="sme-warn">{escape(LOCKED_MESSAGE)}</p>', elem_id="sme-read-only")
                key = gr.Textbox(label=key_label, type="password", visible=key_needed)
                gr.HTML(UPLOAD_INPUT, elem_id="sme-upload", js_on_load=SHOW_FILE_NAMES_JS)
                with gr.Row():
                    upload = gr.Button("上传并收录", variant="primary", elem_id="sme-upload-button")
                    delete = gr.Button("删除所选文档", variant="stop", elem_id="sme-delete")
                with gr.Row(visible=False, elem_id="sme-delete-confirm") as confirm_row:
                    confirm_delete = gr.Button("确认删除", variant="stop", elem_id="sme-delete-yes")
                    cancel_delete = gr.Button("取消", elem_id="sme-delete-no")
                status = gr.HTML(elem_id="sme-admin-status")
            with gr.Accordion("反馈（需要管理员）", open=False, elem_id="sme-feedback-admin"):
                gr.Markdown("用户对回答的赞/踩和评论，从新到旧。使用上方“管理”中的密钥。")
                with gr.Row():
                    feedback_show = gr.Button("查看反馈", elem_id="sme-feedback-show")
                    feedback_export = gr.Button("导出 CSV", elem_id="sme-feedback-export")
                feedback_table = gr.HTML(elem_id="sme-feedback")
                feedback_text = gr.Textbox(visible="hidden", elem_id="sme-feedback-csv")

        # Every event is for this page's own use: none is listed in or callable through Gradio's client API.
        private = {"api_visibility": "private"}
        # The page draws the question and 正在检索… at once; the answer then streams from the server. Gradio's
        # progress overlay is off for it: it would cover the chat with an English timer.
        ask = {"fn": told(h.respond, 3), "inputs": [box, turns, date_from, date_to, source], "outputs": [box, chatbot, turns],
               "show_progress": "hidden", **private}  # fmt: skip
        remember = {"fn": h.remember, "inputs": [turns, saved, conversation], "outputs": [saved, conversation, past],
                    "show_progress": "hidden", **private}  # fmt: skip
        # Follow-ups are worked out after the answer is shown and saved: never in the way of its first text.
        suggesting = {"fn": h.suggestions, "inputs": [turns, date_from, date_to, source], "outputs": [suggest_row, *suggested],
                      "show_progress": "hidden", **private}  # fmt: skip
        hide_suggestions = {"fn": lambda: gr.Row(visible=False), "inputs": None, "outputs": [suggest_row], "queue": False,
                            "show_progress": "hidden", **private}  # fmt: skip

        def asks(trigger: Callable) -> None:
            trigger(**hide_suggestions)
            trigger(None, inputs=[box, chatbot], outputs=[chatbot], js=SHOW_PENDING_JS, **private).then(**ask).then(**remember).then(**suggesting)

        for trigger in (send.click, box.submit):
            asks(trigger)
        for button in suggested:
            asks(button.click(None, inputs=[button], outputs=[box], js=FILL_JS, **private).then)
        chatbot.like(h.feedback, inputs=[turns], outputs=[comment_row, voted], **private)
        for trigger in (comment_send.click, comment_box.submit):
            trigger(h.comment, inputs=[voted, comment_box], outputs=[comment_row, comment_box, voted], **private)
        # Emptying the chat starts a new conversation; the one before stays in the list.
        clear.click(lambda: ([], [], None, gr.Row(visible=False)), inputs=None, outputs=[chatbot, turns, conversation, suggest_row], **private)
        ui.load(h.saved_list, inputs=[saved], outputs=[past], **private)
        past.input(h.reopen, inputs=[past, saved], outputs=[chatbot, turns, conversation], **private)
        export.click(h.export, inputs=[turns], outputs=[export_text], **private).then(
            None, inputs=[export_text], outputs=None, js=download_js("对话", ".md", "text/markdown"), **private
        )
        for field in (date_from, date_to):
            field.blur(h.check_dates, inputs=[date_from, date_to], outputs=[date_note], show_progress="hidden", **private)
        # The chat's own trash icon empties the screen; the conversation behind it must go too, or the next
        # question would be read as a follow-up of turns the user no longer sees.
        chatbot.clear(lambda: ([], None, gr.Row(visible=False)), inputs=None, outputs=[turns, conversation, suggest_row], **private)

        library = {"fn": h.library, "inputs": None, "outputs": [docs_table, doc_select, source], **private}
        ui.load(**library)
        programme_view = {"fn": h.show_programme, "inputs": [check_programme, check_region], "outputs": [check_criteria, check_region, *check_fields], **private}
        ui.load(h.check_programmes, inputs=None, outputs=[check_programme], **private).then(**programme_view)
        check_programme.input(lambda: ALL_REGIONS, inputs=None, outputs=[check_region], **private).then(**programme_view)
        check_region.input(**programme_view)
        check_run.click(told(h.run_check, 1), inputs=[check_programme, check_region, check_text, *check_fields], outputs=[check_result], **private)
        refresh.click(**library)
        doc_select.change(h.show_document, inputs=[doc_select], outputs=[doc_view], **private)
        # The browser posts the files' bytes to /api/documents itself: no server path ever enters Gradio.
        upload.click(None, inputs=[key], outputs=[status], js=UPLOAD_JS, **private).then(**library)
        delete.click(told(h.ask_delete, 2), inputs=[doc_select, key], outputs=[status, confirm_row], **private)
        confirm_delete.click(told(h.delete, 5), inputs=[doc_select, key], outputs=[status, confirm_row, docs_table, doc_select, source], **private)
        feedback_show.click(h.feedback_view, inputs=[key], outputs=[feedback_table, feedback_text], **private)
        feedback_export.click(h.feedback_view, inputs=[key], outputs=[feedback_table, feedback_text], **private).then(
            None, inputs=[feedback_text], outputs=None, js=download_js("反馈", ".csv", "text/csv"), **private
        )
        cancel_delete.click(lambda: ("<p>已取消删除。</p>", gr.Row(visible=False)), inputs=None, outputs=[status, confirm_row], **private)
        # Choosing another document withdraws a question about the previous one.
        doc_select.change(lambda: gr.Row(visible=False), inputs=None, outputs=[confirm_row], **private)
    ui.queue(default_concurrency_limit=s.max_concurrency)
    return ui


def mount_ui(app: FastAPI, runtime: Runtime) -> None:
    """The UI at "/". With SME_API_KEY set it asks for that key first, so the UI is no way around the API's key."""
    s = runtime.settings
    auth = None
    if s.api_key:
        auth = lambda _user, password: can_read(s, password)  # noqa: E731
    ui = build_ui(runtime)
    gr.mount_gradio_app(
        app,
        ui,
        path="/",
        auth=auth,
        auth_message="请输入访问密钥（SME_API_KEY）作为密码，用户名可任意填写" if auth else None,
        footer_links=["gradio", "settings"],
        run_history=False,
        max_file_size=f"{int(s.max_upload_mb * 1024)}kb",
        css=CSS,
        head=CITE_JS,
        ssr_mode=False,
        mcp_server=False,
        # The UI serves and copies no file from the server's disk: not even Gradio's own upload folder.
        allowed_paths=[],
        blocked_paths=["/"],
    )
    # Mounted apps never count as launched, and Gradio skips its own path checks until one is; UiFileGuard
    # refuses file payloads first, this keeps Gradio's check as a second line behind it.
    ui.has_launched = True
