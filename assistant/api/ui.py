"""The chat UI (Gradio, in Chinese): streamed answers with expandable sources, filters, the 资料库 tab, 👍/👎.

`UiHandlers` holds what the UI does, as plain methods (tested without a browser); `build_ui` only lays
out components and wires events; `mount_ui` puts it at "/" of the FastAPI app. The UI calls the same
Runtime as the API, in-process.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from html import escape
from typing import Any

import gradio as gr
from fastapi import FastAPI
from pydantic import ValidationError

from ..answering.query import QuestionError
from ..criteria.facts import FactError
from ..criteria.model import NATIONAL
from ..criteria.terms import terms
from ..ingest.load import SUPPORTED_SUFFIXES
from ..schema import DATE_FORMAT_HINT, Turn
from ..settings import Settings
from .auth import LOCKED_MESSAGE, can_read, can_write, read_only
from .errors import ApiError
from .models import ZJ_EXAMPLE, AskFilters, CriterionInfo
from .render import answer_html, check_html, criteria_html, document_html, documents_table_html, error_html, pending_html
from .runtime import Runtime
from .sse import STREAM_FAILED

log = logging.getLogger("sme.ui")

ALL_SOURCES = "全部发布单位"
ALL_REGIONS = "全部地区"
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
UPLOAD_INPUT = f'<label>选择文件（可多选）：<input type="file" multiple accept="{ACCEPT}"></label>'
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
      } else {
        line = `<span class="sme-error">${esc(file.name)} 未收录：${esc(body.error ? body.error.message : '上传失败')}</span>`;
      }
    } catch (e) {
      line = `<span class="sme-error">${esc(file.name)} 未收录：无法连接服务器，请稍后重试</span>`;
    }
    lines.push(`<li>${line}</li>`);
  }
  input.value = '';
  return `<ul class="sme-upload-results">${lines.join('')}</ul>`;
}
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
"""


def _messages(turns: list[dict]) -> list[dict[str, str]]:
    """Turns as chat messages: always a user/assistant pair, so message i belongs to turn i // 2."""
    messages = []
    for turn in turns:
        messages.append({"role": "user", "content": escape(turn["question"])})
        messages.append({"role": "assistant", "content": turn["html"]})
    return messages


def _history(turns: list[dict], settings: Settings) -> list[Turn]:
    """The latest turns within the API's caps: a follow-up needs only the last few, and a long chat must
    not make every question slower."""
    history = []
    for turn in turns:
        if turn["answer"] is not None:
            history += [Turn(role="user", content=turn["question"]), Turn(role="assistant", content=turn["answer"].answer)]
    recent = history[-settings.max_history_turns :] if settings.max_history_turns else []
    return [Turn(role=t.role, content=t.content[: settings.max_turn_chars]) for t in recent]


def _filters(date_from: str | None, date_to: str | None, source: str | None) -> AskFilters | None:
    source = None if source in (None, "", ALL_SOURCES) else source
    if not (date_from or date_to or source):
        return None
    try:
        return AskFilters(date_from=date_from or None, date_to=date_to or None, source=source)
    except ValidationError:
        raise gr.Error(DATE_FORMAT_HINT, title="筛选条件有误", print_exception=False) from None


class UiHandlers:
    def __init__(self, runtime: Runtime):
        self.runtime = runtime

    # -- chat ---------------------------------------------------------------------------------------
    def respond(
        self, question: str, turns: list[dict], date_from: str | None, date_to: str | None, source: str | None
    ) -> Iterator[tuple[Any, list[dict], list[dict]]]:
        """Yields (question box, chat messages, turns) as the answer streams in."""
        question = (question or "").strip()
        filters = _filters(date_from, date_to, source)
        try:
            events = self.runtime.require_ready().chain.stream(question, _history(turns, self.runtime.settings), filters=filters)
        except (ApiError, QuestionError) as exc:
            raise gr.Error(str(exc), title="无法提问", print_exception=False) from None
        turn = {"question": question, "html": pending_html(""), "answer": None}
        turns = [*turns, turn]
        yield "", _messages(turns), turns
        text = ""
        try:
            for event in events:
                if "delta" in event:
                    text += event["delta"]
                    turn["html"] = pending_html(text)
                else:
                    turn["answer"] = event["answer"]
                    turn["html"] = answer_html(event["answer"])
                yield gr.skip(), _messages(turns), turns
        except Exception:
            log.exception("answer failed in the UI")
            turn["html"] = error_html(STREAM_FAILED["error"]["message"])
            yield gr.skip(), _messages(turns), turns

    def feedback(self, turns: list[dict], like: gr.LikeData) -> None:
        """👍/👎 on an answer: appended with its question and sources to index/feedback.jsonl."""
        if not isinstance(like.index, int) or like.liked not in (True, False):
            return
        position = like.index // 2
        if position >= len(turns) or turns[position]["answer"] is None:
            return
        self.runtime.feedback.append("up" if like.liked else "down", turns[position]["answer"])
        gr.Info("已记录您的反馈，谢谢！")

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

    def delete(self, doc_id: str | None, key: str | None) -> tuple[str, str, gr.Dropdown, gr.Dropdown]:
        self._admin(key)
        if not doc_id:
            raise gr.Error("请先在上方选择要删除的文档", title="删除失败", print_exception=False)
        try:
            self.runtime.require_ready()
            title = self.runtime.documents.get(doc_id).title
            self.runtime.documents.delete(doc_id)
        except ApiError as exc:
            raise gr.Error(exc.message, title="删除失败", print_exception=False) from None
        return f"<p>已删除《{escape(title)}》。</p>", *self.library()


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
            "每个回答都注明出处，资料中没有的会直接说明。 · [API 文档](/docs)"
        )
        turns = gr.State([])
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
                    with gr.Row():
                        box = gr.Textbox(placeholder="请输入您想了解的政策问题…", show_label=False, scale=6, elem_id="sme-question")
                        send = gr.Button("提问", variant="primary", scale=1, elem_id="sme-send")
                    gr.Examples([[q] for q in OFFICIAL_EXAMPLES], inputs=[box], label="政府工作人员常问")
                    gr.Examples([[q] for q in ENTERPRISE_EXAMPLES], inputs=[box], label="企业常问")
                with gr.Column(scale=1, min_width=220):
                    gr.Markdown("### 筛选资料")
                    date_from = gr.DateTime(include_time=False, type="string", label="起始日期")
                    date_to = gr.DateTime(include_time=False, type="string", label="截止日期")
                    source = gr.Dropdown(choices=[ALL_SOURCES], value=ALL_SOURCES, label="发布单位")
                    clear = gr.Button("清空对话")
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
                gr.HTML(UPLOAD_INPUT, elem_id="sme-upload")
                with gr.Row():
                    upload = gr.Button("上传并收录", variant="primary", elem_id="sme-upload-button")
                    delete = gr.Button("删除所选文档", variant="stop")
                status = gr.HTML(elem_id="sme-admin-status")

        # Every event is for this page's own use: none is listed in or callable through Gradio's client API.
        private = {"api_visibility": "private"}
        ask = {"fn": h.respond, "inputs": [box, turns, date_from, date_to, source], "outputs": [box, chatbot, turns], **private}
        send.click(**ask)
        box.submit(**ask)
        chatbot.like(h.feedback, inputs=[turns], outputs=None, **private)
        clear.click(lambda: ([], []), inputs=None, outputs=[chatbot, turns], **private)
        # The chat's own trash icon empties the screen; the conversation behind it must go too, or the next
        # question would be read as a follow-up of turns the user no longer sees.
        chatbot.clear(lambda: [], inputs=None, outputs=[turns], **private)

        library = {"fn": h.library, "inputs": None, "outputs": [docs_table, doc_select, source], **private}
        ui.load(**library)
        programme_view = {"fn": h.show_programme, "inputs": [check_programme, check_region], "outputs": [check_criteria, check_region, *check_fields], **private}
        ui.load(h.check_programmes, inputs=None, outputs=[check_programme], **private).then(**programme_view)
        check_programme.input(lambda: ALL_REGIONS, inputs=None, outputs=[check_region], **private).then(**programme_view)
        check_region.input(**programme_view)
        check_run.click(h.run_check, inputs=[check_programme, check_region, check_text, *check_fields], outputs=[check_result], **private)
        refresh.click(**library)
        doc_select.change(h.show_document, inputs=[doc_select], outputs=[doc_view], **private)
        # The browser posts the files' bytes to /api/documents itself: no server path ever enters Gradio.
        upload.click(None, inputs=[key], outputs=[status], js=UPLOAD_JS, **private).then(**library)
        delete.click(h.delete, inputs=[doc_select, key], outputs=[status, docs_table, doc_select, source], **private)
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
        ssr_mode=False,
        mcp_server=False,
        # The UI serves and copies no file from the server's disk: not even Gradio's own upload folder.
        allowed_paths=[],
        blocked_paths=["/"],
    )
    # Mounted apps never count as launched, and Gradio skips its own path checks until one is; UiFileGuard
    # refuses file payloads first, this keeps Gradio's check as a second line behind it.
    ui.has_launched = True
