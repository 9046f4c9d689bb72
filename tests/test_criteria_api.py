"""申报自查 over real HTTP against the real app (real Chroma, real ingest): POST /api/check, GET /api/criteria,
their errors in Chinese, the API key, and the OpenAPI docs."""

from __future__ import annotations

import httpx
import pytest

from assistant.api.app import create_app

from .conftest import make_settings
from .criteria_library import LITTLE_GIANT, NATIONAL_CLUSTER, PROVINCIAL_CLUSTER, criteria_corpus
from .live_server import serve, wait_ready
from .test_api import assert_error

KEY = "criteria-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture(scope="module")
def http(tmp_path_factory, model_dir):
    tmp = tmp_path_factory.mktemp("criteria-api")
    app = create_app(make_settings(tmp, criteria_corpus(tmp), api_key=KEY))
    app.state.runtime.assistant.ingestor.ingest(progress=False)
    with serve(app) as url:
        wait_ready(url, headers=AUTH)
        with httpx.Client(base_url=url, timeout=120, headers=AUTH) as client:
            yield client


def test_a_cluster_checks_its_figures_end_to_end(http):
    body = {"programme": "国家级集群", "text": "近三年产值分别是35亿、42亿、45亿，中小企业产值占比75%", "facts": {"上云比例": "0.45"}}
    response = http.post("/api/check", json=body)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["programme"] == NATIONAL_CLUSTER and report["unreadable"] == []
    lines = {(r["attribute"], r["threshold"]): r for r in report["results"]}
    assert lines[("产值", "不低于40亿元")]["verdict"] == "不满足"  # 35亿 in the first year
    assert lines[("产值", "不低于40亿元")]["value"] == "35亿元、42亿元、45亿元"
    assert lines[("产值增长率", "高于10%")]["verdict"] == "满足"  # 13.4% a year, worked out from the outputs
    assert lines[("中小企业产值占比", "不低于70%")]["verdict"] == "满足"
    assert lines[("上云比例", "不低于40%")]["verdict"] == "满足"
    assert lines[("面积", "不超过100平方公里")]["verdict"] == "无法判断"
    cited = lines[("上云比例", "不低于40%")]["citation"]
    assert set(cited) >= {"doc_id", "title", "source", "date", "quote"} and cited["quote"] == "集群内企业上云比例达到40%以上。"
    assert cited["date"] == "2022-10-08" and "不一致" in report["message"]  # 40亿 (2022) and 35亿 (2024) are both shown


def test_empty_facts_give_every_criterion_as_undecided(http):
    response = http.post("/api/check", json={"programme": "小巨人", "facts": {}})
    assert response.status_code == 200
    report = response.json()
    assert report["programme"] == LITTLE_GIANT and len(report["results"]) == 8
    assert {r["verdict"] for r in report["results"]} == {"无法判断"}
    empty = http.post("/api/check", json={})
    assert empty.status_code == 200 and len(empty.json()["results"]) > 20  # every programme the library knows


def test_unreadable_figures_come_back_in_unreadable(http):
    report = http.post("/api/check", json={"programme": "国家级集群", "facts": {"产值": "35亿左右吧", "面积": "很多"}}).json()
    assert report["unreadable"] == ["产值：35亿左右吧", "面积：很多"]
    assert {r["verdict"] for r in report["results"] if r["attribute"] in ("产值", "面积")} == {"无法判断"}


@pytest.mark.parametrize(
    ("body", "code", "said"),
    [
        ({"programme": "国家级集群", "facts": {"中小企业产值占比": "120%"}}, "invalid_facts", "不会超过100%"),
        ({"programme": "国家级集群", "facts": {"面积": "5亿元"}}, "invalid_facts", "应填写面积"),
        ({"programme": "国家级集群", "facts": {"创新平台数": -3}}, "invalid_facts", "不能是负数"),
        ({"programme": "国家级集群", "facts": {"产值": {"2023": 45}}}, "invalid_request", "facts"),
        ({"programme": "国家级集群", "facts": {"产值": True}}, "invalid_request", "facts"),
        ({"programme": "国家级集群", "text": "产值\ud800"}, "invalid_request", "无法识别"),
        ({"programme": "国家级集群", "typo": 1}, "invalid_request", "typo"),
    ],
)
def test_bad_input_is_a_422_in_chinese(http, body, code, said):
    response = http.post("/api/check", content=__import__("json").dumps(body), headers={"Content-Type": "application/json"})
    message = assert_error(response, 422, code)
    assert said in message and "Traceback" not in response.text


def test_a_programme_without_criteria_is_said_with_the_documents_searched(http):
    report = http.post("/api/check", json={"programme": "创新型中小企业", "facts": {"营业收入": "2亿元"}}).json()
    assert report["results"] == [] and "没有找到“创新型中小企业”的认定条件" in report["message"] and "已查找 8 份文档" in report["message"]


def test_criteria_are_listed_by_programme_and_region(http):
    listing = http.get("/api/criteria").json()["programmes"]
    names = [p["programme"] for p in listing]
    assert {NATIONAL_CLUSTER, PROVINCIAL_CLUSTER, LITTLE_GIANT, "专精特新中小企业"} <= set(names)
    provincial = next(p for p in listing if p["programme"] == PROVINCIAL_CLUSTER)
    assert [r["region"] for r in provincial["regions"]] == ["安徽", "江苏"]
    jiangsu = next(r for r in provincial["regions"] if r["region"] == "江苏")
    assert {c["citation"]["quality"] for c in jiangsu["criteria"]} == {"low"}  # the spun repost, marked
    assert {c["attribute"] for c in jiangsu["criteria"]} >= {"单项冠军和小巨人企业数", "创新平台数", "上云比例", "面积"}

    only = http.get("/api/criteria", params={"programme": "省级集群", "region": "安徽"}).json()["programmes"]
    assert [p["programme"] for p in only] == [PROVINCIAL_CLUSTER] and [r["region"] for r in only[0]["regions"]] == ["安徽"]
    assert_error(http.get("/api/criteria", params={"programme": "不存在的项目"}), 422, "invalid_request")


def test_the_api_key_guards_both_routes(http):
    for method, path in (("POST", "/api/check"), ("GET", "/api/criteria")):
        response = httpx.request(method, f"{http.base_url}{path}", json={} if method == "POST" else None)
        assert_error(response, 401, "unauthorized")


def test_the_routes_are_in_the_openapi_docs_with_examples(http):
    spec = http.get("/openapi.json").json()
    assert "/api/check" in spec["paths"] and "/api/criteria" in spec["paths"]
    request = spec["components"]["schemas"]["CheckRequest"]
    assert request["examples"][0]["programme"] == NATIONAL_CLUSTER
    assert {"results", "unreadable", "message", "programme"} <= set(spec["components"]["schemas"]["CheckReport"]["properties"])
