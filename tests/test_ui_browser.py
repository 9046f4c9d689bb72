"""The chat UI in Debian's chromium, driven by Playwright: a streamed answer with its source, feedback, escaping,
and the 申报自查 tab.

Screenshots go to test-artifacts/. `.ci/run` installs chromium; locally the module skips without it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from assistant.api.app import create_app
from assistant.settings import PROJECT_ROOT

from .conftest import make_settings
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


def test_ask_in_the_ui_streams_the_answer_with_its_source(app_url, page):
    url, runtime = app_url
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(url + "/")
    page.locator("#sme-question textarea").fill(ZJ_Q)
    page.locator("#sme-send").click()
    chat = page.locator("#sme-chat")
    chat.get_by_text("23个", exact=False).first.wait_for()
    source = chat.locator("details.sme-source", has_text="2024-09-12").first
    source.wait_for()
    source.locator("summary").click()  # expands to title, publisher, date and the quoted sentence
    assert "发布单位：杭州网" in source.inner_text() and "23个" in source.locator(".sme-quote").inner_text()
    page.screenshot(path=str(ARTIFACTS / "ui-answer.png"), full_page=True)

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
    # Two files at once, sent by the browser as multipart bytes: one is ingested, the other reported.
    page.locator("#sme-upload input[type=file]").set_input_files([str(hostile), str(broken)])
    page.locator("#sme-upload-button").click()
    status = page.locator("#sme-admin-status")
    status.get_by_text("已收录", exact=False).wait_for()
    assert "broken.pdf 未收录" in status.inner_text()

    table = page.locator("#sme-docs")
    table.get_by_text("测试文档<script>alert(1)</script>", exact=True).wait_for()
    assert table.locator("script, b").count() == 0
    page.get_by_label("查看文档").click()
    page.get_by_role("option", name="测试文档", exact=False).first.click()
    view = page.locator("#sme-doc-view")
    view.get_by_text("<img src=x onerror=alert(1)>", exact=False).wait_for()
    assert view.locator("img, script").count() == 0
    page.keyboard.press("Escape")
    page.wait_for_timeout(400)  # let the closed dropdown fade out of the screenshot
    page.screenshot(path=str(ARTIFACTS / "ui-library.png"), full_page=True)

    page.get_by_role("button", name="删除所选文档").click()
    page.locator("#sme-admin-status").get_by_text("已删除", exact=False).wait_for()
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
