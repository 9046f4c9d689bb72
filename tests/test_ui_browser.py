"""The chat UI in Debian's chromium, driven by Playwright: a streamed answer with its source, feedback, escaping,
the filters, export, the library, a phone's width and the 申报自查 tab.

Screenshots go to test-artifacts/. `.ci/run` installs chromium; locally the module skips without it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from assistant.api.app import create_app
from assistant.settings import PROJECT_ROOT

from .conftest import SEEDS, make_settings
from .criteria_library import criteria_corpus
from .live_server import corpus_in, serve, wait_ready

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ZJ_Q = "浙江现在有多少个国家级中小企业特色产业集群？"
HOSTILE = """测试文档<script>alert(1)</script>

发布时间:2024-10-01 10:00:00 来源:测试局<b>加粗</b>

  测试内容<img src=x onerror=alert(1)>：某某县磁性材料集群共有企业128家，其中规上企业37家。这份文档用来检查网页会把其中的标签当作文字显示。
"""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="需要 Debian 的 chromium（apt-get install chromium）；.ci/run 会安装它"),
]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, model_dir):
    tmp = tmp_path_factory.mktemp("ui")
    app = create_app(make_settings(tmp, corpus_in(tmp), open_library=True))
    app.state.runtime.assistant.ingestor.ingest(progress=False)
    with serve(app) as url:
        wait_ready(url)
        yield url, app.state.runtime


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.dialogs = []  # an alert() would mean a document's markup ran
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    yield page
    context.close()


# Everything the page says, Chinese apart from these: the API link, the export format, the date format and
# Gradio's footer credit.
ALLOWED_LATIN = {"API", "Markdown", "YYYY", "MM", "DD", "Gradio", "doc_id"}
# Records, from the click on, whether 正在检索… was drawn and any English status text became visible.
WATCH_JS = """
() => {
  window.smeSeen = {pending: false, english: []};
  new MutationObserver(() => {
    if (document.querySelector('#sme-chat .sme-pending')) window.smeSeen.pending = true;
    const found = document.body.innerText.match(/processing|queue:|Error|Warning|Info\\b/g);
    if (found) window.smeSeen.english.push(...found);
  }).observe(document.body, {childList: true, subtree: true, characterData: true});
}
"""


def english_words(where) -> set[str]:
    """Latin words shown on a page (or in one part of it) that are not on the allowed list."""
    text = (where.locator("body") if hasattr(where, "goto") else where).inner_text()
    return set(re.findall(r"[A-Za-z_]{2,}", text)) - ALLOWED_LATIN


def test_ask_in_the_ui_streams_the_answer_with_its_source(app_url, page):
    url, runtime = app_url
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(url + "/")
    page.locator("#sme-question textarea").fill(ZJ_Q)
    page.evaluate(WATCH_JS)
    page.locator("#sme-send").click()
    chat = page.locator("#sme-chat")
    chat.get_by_text("23个", exact=False).first.wait_for()
    source = chat.locator("details.sme-source", has_text="2024-09-12").first
    source.wait_for()
    source.locator("summary").click()  # expands to title, publisher, date and the quoted sentence
    assert "发布单位：杭州网" in source.inner_text() and "23个" in source.locator(".sme-quote").inner_text()
    seen = page.evaluate("() => window.smeSeen")
    assert seen == {"pending": True, "english": []}  # 正在检索… was shown, and no English status on the way
    page.screenshot(path=str(ARTIFACTS / "ui-answer.png"), full_page=True)
    assert english_words(page) == set()

    chat.get_by_role("button", name="赞", exact=True).last.click()  # 👍 (Gradio labels it in the page locale)
    feedback = runtime.feedback.path
    for _ in range(100):  # the like event reaches the server through Gradio's queue
        if feedback.exists() and feedback.read_text(encoding="utf-8").strip():
            break
        page.wait_for_timeout(100)
    record = json.loads(feedback.read_text(encoding="utf-8").splitlines()[-1])
    assert record["rating"] == "up" and record["question"] == ZJ_Q and "23" in record["answer"]
    assert any(c["date"] == "2024-09-12" for c in record["citations"])
    assert page.dialogs == []


def test_the_chats_trash_icon_forgets_the_conversation(app_url, page, monkeypatch):
    """After the trash icon, the next question is asked with no history, as the empty screen shows."""
    url, runtime = app_url
    chain = runtime.assistant.chain
    histories = []
    real_stream = chain.stream

    def recording(question, history, *args, **kwargs):
        histories.append(len(history))
        return real_stream(question, history, *args, **kwargs)

    monkeypatch.setattr(chain, "stream", recording)
    page.goto(url + "/")
    chat = page.locator("#sme-chat")
    for question in (ZJ_Q, "那广东呢？"):
        sources = chat.locator("details.sme-source").count()
        page.locator("#sme-question textarea").fill(question)
        page.locator("#sme-send").click()
        # Done once its sources are shown: a question sent while one streams would wait behind it.
        page.wait_for_function("n => document.querySelectorAll('#sme-chat details.sme-source').length > n", arg=sources)
    chat.get_by_role("button", name="清空对话").click()  # the chat's own trash icon, not the button beside it
    page.locator("#sme-question textarea").fill("那江苏呢？")
    page.locator("#sme-send").click()
    for _ in range(600):  # the question reaches the chain through Gradio's queue
        if len(histories) == 3:
            break
        page.wait_for_timeout(100)
    assert histories == [0, 2, 0]


def test_document_markup_shows_as_text_in_the_library(app_url, page, tmp_path):
    url, runtime = app_url
    hostile = tmp_path / "hostile.txt"
    hostile.write_text(HOSTILE, encoding="utf-8")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 this is not really a pdf")
    page.goto(url + "/")
    page.get_by_role("tab", name="资料库").click()
    page.get_by_text("管理：上传 / 删除", exact=False).click()
    twin = tmp_path / "twin.txt"
    twin.write_bytes(SEEDS["zhejiang"].read_bytes())
    # Three files at once, sent by the browser as multipart bytes: one is ingested, a broken one is reported
    # and skipped, and one the library already has gets one plain Chinese line.
    page.locator("#sme-upload input[type=file]").set_input_files([str(hostile), str(broken), str(twin)])
    expect(page.locator("#sme-upload .sme-file-names")).to_have_text("hostile.txt、broken.pdf、twin.txt")
    page.locator("#sme-upload-button").click()
    status = page.locator("#sme-admin-status")
    status.get_by_text("共 3 个文件，收录 1 个", exact=False).wait_for()
    lines = status.locator("li").all_inner_texts()
    assert lines[0].startswith("已收录《测试文档") and lines[1].startswith("broken.pdf 未收录：")
    assert lines[2].startswith("twin.txt：资料库中已有内容相同的文档《") and "doc_id" not in lines[2]
    assert status.locator("li").nth(2).locator(".sme-error").count() == 0  # not an error: nothing went wrong

    table = page.locator("#sme-docs")
    table.get_by_text("测试文档<script>alert(1)</script>", exact=True).wait_for()
    assert table.locator("script, b").count() == 0
    # Quality in words, the score in a tooltip, no ids: the spun Jiangsu repost is the low one.
    heads = table.locator("th").all_inner_texts()
    assert heads == ["日期", "发布单位", "标题", "片段", "文本质量", "收录方式"]
    spun = table.locator("tr", has_text="江苏").first
    assert "低（疑似转载改写或乱码" in spun.inner_text() and "评分" in spun.locator("[title]").get_attribute("title")
    page.get_by_label("查看文档").click()
    page.get_by_role("option", name="测试文档", exact=False).first.click()
    view = page.locator("#sme-doc-view")
    view.get_by_text("<img src=x onerror=alert(1)>", exact=False).wait_for()
    assert view.locator("img, script").count() == 0
    page.keyboard.press("Escape")
    page.wait_for_timeout(400)  # let the closed dropdown fade out of the screenshot
    page.screenshot(path=str(ARTIFACTS / "ui-library.png"), full_page=True)
    # No English of the page's own: the documents and file names above may hold Latin letters, the page's
    # words may not (the browser's file button, "Choose Files", sits hidden behind a Chinese one).
    shown = page.locator("#sme-library-tab").inner_text()
    assert not re.search(r"Error|Choose|No file|doc_id", shown)
    assert page.locator("#sme-upload input[type=file]").bounding_box()["width"] <= 1

    # Deleting asks first, naming the document; 取消 keeps it.
    page.get_by_role("button", name="删除所选文档").click()
    status.get_by_text("确定要从资料库删除《测试文档", exact=False).wait_for()
    page.get_by_role("button", name="取消", exact=True).click()
    status.get_by_text("已取消删除", exact=False).wait_for()
    assert len(runtime.documents.list()) == 6
    page.get_by_role("button", name="删除所选文档").click()
    page.get_by_role("button", name="确认删除", exact=True).click()
    status.get_by_text("已删除", exact=False).wait_for()
    assert len(runtime.documents.list()) == 5
    assert page.dialogs == []


@pytest.fixture(scope="module")
def check_app_url(tmp_path_factory, model_dir):
    """The documents written for the criteria tests, with the spun Jiangsu seed."""
    tmp = tmp_path_factory.mktemp("ui-check")
    app = create_app(make_settings(tmp, criteria_corpus(tmp)))
    app.state.runtime.assistant.ingestor.ingest(progress=False)
    with serve(app) as url:
        wait_ready(url)
        yield url


def test_the_check_tab_lists_criteria_and_gives_verdicts(check_app_url, page):
    page.goto(check_app_url + "/")
    page.get_by_role("tab", name="申报自查").click()
    criteria = page.locator("#sme-check-criteria")
    criteria.get_by_text("近三年每年产值不低于40亿元", exact=False).wait_for()  # the first programme, national clusters
    assert "集群内企业上云比例达到40%以上" in criteria.inner_text() or criteria.locator("details").count() >= 10

    page.get_by_label("产值", exact=True).fill("35亿、42亿、45亿")
    page.get_by_label("中小企业产值占比", exact=True).fill("七成")
    page.get_by_label("上云比例", exact=True).fill("0.45")
    page.get_by_label("面积", exact=True).fill("80平方公里")
    page.locator("#sme-check-run").click()
    result = page.locator("#sme-check-result")
    result.get_by_text("共 11 条条件", exact=False).wait_for()
    rows = {row.locator("td").nth(1).inner_text(): row.locator("td.sme-verdict").inner_text() for row in result.locator("tbody tr").all()}
    assert rows["近三年每年产值不低于40亿元"] == "不满足" and rows["近三年每年产值不低于35亿元"] == "满足"
    assert rows["中小企业产值占比不低于70%"] == "满足" and rows["上云比例不低于40%"] == "满足"
    assert rows["面积不超过100平方公里"] == "满足" and rows["近三年产值增长率高于10%"] == "满足"
    assert rows["创新平台数不低于3个"] == "无法判断"  # not filled in
    assert "资料之间不一致" in result.inner_text()
    result.locator("details.sme-source").first.locator("summary").click()
    page.screenshot(path=str(ARTIFACTS / "ui-check.png"), full_page=True)

    # A province's rules: the spun Jiangsu repost is marked, and an impossible figure is refused in Chinese.
    page.get_by_label("申报项目").click()
    page.get_by_role("option", name="省级中小企业特色产业集群").click()
    page.get_by_label("所在地区").click()
    page.get_by_role("option", name="江苏").click()
    # The province list shows 江苏's rules too; wait for the region to narrow it to them.
    expect(criteria).not_to_contain_text("安徽")
    assert "上云比例不低于30%" in criteria.inner_text() and "来源文本质量较低" in criteria.inner_text()
    page.get_by_label("上云比例", exact=True).fill("120%")
    page.locator("#sme-check-run").click()
    page.get_by_text("不会超过100%", exact=False).first.wait_for()
    assert page.dialogs == []


def test_a_bad_date_is_told_in_chinese_and_the_chat_exports_as_markdown(app_url, page):
    url, _ = app_url
    page.goto(url + "/")
    date_from = page.locator("#sme-date-from input, #sme-date-from textarea").first
    date_from.fill("2025年1月")
    date_from.blur()  # told as soon as the box is left, before asking
    note = page.locator("#sme-date-note")
    note.get_by_text("起始日期“2025年1月”无法识别", exact=False).wait_for()
    assert "YYYY-MM-DD" in note.inner_text()

    page.locator("#sme-question textarea").fill(ZJ_Q)
    page.locator("#sme-send").click()
    notice = page.get_by_test_id("toast-body").filter(has_text="筛选条件有误")
    notice.wait_for()
    heading = notice.locator(".toast-title")
    assert page.evaluate("el => getComputedStyle(el, '::after').content", heading.element_handle()) == '"注意"'
    assert "Warning" not in notice.inner_text()  # Gradio's English heading is neither shown nor read out
    chat = page.locator("#sme-chat")
    expect(chat.locator(".sme-pending")).to_have_count(0)  # the question was not asked: no bubble left waiting
    assert chat.locator(".sme-answer").count() == 0

    date_from.fill("")
    page.locator("#sme-send").click()
    chat.locator("details.sme-source").first.wait_for()
    with page.expect_download() as download:
        page.locator("#sme-export").click()
    assert download.value.suggested_filename.endswith(".md")
    markdown = Path(download.value.path()).read_text(encoding="utf-8")
    assert f"## 1. {ZJ_Q}" in markdown and "23个[1]" in markdown
    assert "1. 《涌金楼丨浙江新增入选最多" in markdown and "> “" in markdown and "增至23个" in markdown.split("> “")[1]


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def test_a_phone_shows_the_ask_button_and_examples_at_once_and_the_library_as_cards(app_url, phone):
    url, _ = app_url
    ARTIFACTS.mkdir(exist_ok=True)
    phone.goto(url + "/")
    phone.locator("#sme-send").wait_for()
    for target in (phone.locator("#sme-question textarea"), phone.locator("#sme-send"), phone.locator("#sme-examples-official button").first):
        box = target.bounding_box()
        assert box and box["y"] + box["height"] <= 844, target  # above the fold, no scrolling
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390  # nothing runs off the side
    phone.screenshot(path=str(ARTIFACTS / "ui-phone.png"))
    assert english_words(phone) == set()

    phone.get_by_role("tab", name="资料库").click()
    cards = phone.locator("#sme-docs tbody tr")
    cards.first.wait_for()
    assert phone.locator("#sme-docs thead").is_hidden()
    first = cards.first.bounding_box()
    assert first["width"] <= 390 and cards.first.locator("td").first.evaluate("td => getComputedStyle(td, '::before').content") == '"日期："'
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(ARTIFACTS / "ui-phone-library.png"), full_page=True)


def test_past_conversations_stay_in_this_browser_and_reopen(app_url, browser, monkeypatch):
    """Each conversation is kept in the browser's local storage and listed; after a reload one reopens and
    continues: a follow-up is asked with its turns. Another browser profile sees none of them."""
    url, runtime = app_url
    chain = runtime.assistant.chain
    histories = []
    real_stream = chain.stream

    def recording(question, history, *args, **kwargs):
        histories.append([t.content for t in history if t.role == "user"])
        return real_stream(question, history, *args, **kwargs)

    monkeypatch.setattr(chain, "stream", recording)
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url + "/")
    chat = page.locator("#sme-chat")
    for question in (ZJ_Q, "国家级中小企业特色产业集群现在累计认定了多少个？"):
        page.locator("#sme-clear").click()
        expect(chat.locator(".sme-answer")).to_have_count(0)
        page.locator("#sme-question textarea").fill(question)
        page.locator("#sme-send").click()
        chat.locator(".sme-sources-title").first.wait_for()
    page.wait_for_function("() => (localStorage.getItem('sme-conversations') || '').length > 0")

    page.reload()
    past = page.get_by_label("历史对话（仅保存在本浏览器）")
    past.click()
    options = page.get_by_role("option")
    expect(options).to_have_count(2)
    assert "国家级中小企业特色产业集群现在累计" in options.nth(0).inner_text()  # newest first
    options.nth(1).click()
    chat.get_by_text("增至23个", exact=False).first.wait_for()
    assert ZJ_Q in chat.inner_text() and chat.locator("details.sme-source").count() >= 1
    page.locator("#sme-question textarea").fill("那广东呢？")
    page.locator("#sme-send").click()
    page.wait_for_function("() => document.querySelectorAll('#sme-chat .sme-sources-title, #sme-chat .sme-answer').length >= 2")
    for _ in range(600):  # the question reaches the chain through Gradio's queue
        if len(histories) == 3:
            break
        page.wait_for_timeout(100)
    assert histories[2] == [ZJ_Q]  # the reopened conversation, not the last one on screen
    context.close()

    other = browser.new_context(locale="zh-CN")
    fresh = other.new_page()
    fresh.goto(url + "/")
    fresh.get_by_label("历史对话（仅保存在本浏览器）").click()
    expect(fresh.get_by_role("option")).to_have_count(0)
    other.close()


def ask_zhejiang(page, url: str):
    """Opens the chat, asks ZJ_Q and returns the chat once the answer and its sources are shown."""
    page.goto(url + "/")
    page.locator("#sme-question textarea").fill(ZJ_Q)
    page.locator("#sme-send").click()
    chat = page.locator("#sme-chat")
    chat.locator("details.sme-source").first.wait_for()
    return chat


def test_a_citation_opens_its_source_at_the_quoted_passage(app_url, page):
    url, _ = app_url
    chat = ask_zhejiang(page, url)
    source = chat.locator("details.sme-source-1").first
    assert source.get_attribute("open") is None
    chat.locator("a.sme-cite").first.click()
    expect(source).to_have_attribute("open", "")
    marked = source.locator(".sme-passage mark").first
    expect(marked).to_be_visible()
    assert "增至23个" in marked.inner_text()
    assert marked.evaluate("m => { const r = m.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }")
    page.screenshot(path=str(ARTIFACTS / "ui-citation.png"))


def test_a_suggested_follow_up_is_asked_with_one_click(app_url, page):
    url, _ = app_url
    chat = ask_zhejiang(page, url)
    # Worked out after the answer is on screen, each one already checked to be answered.
    suggestion = page.locator("#sme-suggestions button.sme-suggestion").first
    suggestion.wait_for()
    shown = page.locator("#sme-suggestions button.sme-suggestion:visible").all_inner_texts()
    assert 1 <= len(shown) <= 3 and ZJ_Q not in shown
    asked = shown[0]
    page.screenshot(path=str(ARTIFACTS / "ui-suggestions.png"), full_page=True)
    suggestion.click()
    expect(chat.locator(".sme-answer")).to_have_count(2)
    expect(chat.locator(".sme-pending")).to_have_count(0)
    assert asked in chat.inner_text()
    second = chat.locator(".sme-answer").nth(1).inner_text()
    assert "资料中未找到" not in second and second != chat.locator(".sme-answer").first.inner_text()
    assert english_words(page) == set()


def test_a_thumbs_down_takes_a_comment_that_the_admin_reads_and_exports(app_url, page):
    url, runtime = app_url
    comment = "想问的是全国的数量，不是浙江的"
    chat = ask_zhejiang(page, url)
    box = page.locator("#sme-comment textarea")
    assert not box.is_visible()  # no comment box until a 👎
    chat.get_by_role("button", name="踩", exact=True).last.click()
    box.wait_for()
    box.fill(comment)
    page.locator("#sme-comment-send").click()
    expect(box).to_be_hidden()
    for _ in range(100):  # the comment reaches the server through Gradio's queue
        if any(r.comment == comment for r in runtime.feedback.records()):
            break
        page.wait_for_timeout(100)
    record = next(r for r in runtime.feedback.records() if r.comment == comment)
    assert record.rating == "down" and record.question == ZJ_Q and "23" in record.answer

    page.get_by_role("tab", name="资料库").click()
    page.get_by_text("反馈（需要管理员）", exact=False).click()
    page.locator("#sme-feedback-show").click()
    view = page.locator("#sme-feedback")
    row = view.locator("tr", has_text=comment)
    row.wait_for()
    assert "踩" in row.inner_text() and ZJ_Q in row.inner_text() and "2024-09-12" in row.inner_text()
    assert english_words(view) == set()
    with page.expect_download() as download:
        page.locator("#sme-feedback-export").click()
    assert download.value.suggested_filename.endswith(".csv")
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads the Chinese only with the byte-order mark
    text = data.decode("utf-8-sig")
    assert text.startswith("时间,评价,问题,回答,来源,评论") and comment in text and ZJ_Q in text
    page.screenshot(path=str(ARTIFACTS / "ui-feedback.png"), full_page=True)
