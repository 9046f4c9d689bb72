"""申报自查 over HTTP: POST /api/check (one's own figures against the library's criteria) and
GET /api/criteria (what the library knows, by programme and region)."""

from __future__ import annotations

from collections import defaultdict

from fastapi import APIRouter, Depends, Query

from ..criteria.facts import FactError
from ..criteria.model import CheckReport
from .auth import require_reader
from .errors import ERROR_RESPONSES, ApiError
from .models import CheckRequest, CriteriaListing, CriterionInfo, ProgrammeCriteria, RegionCriteria
from .runtime import Runtime, get_runtime

router = APIRouter(prefix="/api", tags=["申报自查"], dependencies=[Depends(require_reader)], responses=ERROR_RESPONSES)


@router.post("/check", response_model=CheckReport)
def check(body: CheckRequest, runtime: Runtime = Depends(get_runtime)) -> CheckReport:
    """把自己的数据与资料库中文件规定的认定条件逐条比对。

    每条结果给出 满足 / 不满足 / 无法判断，并引用规定该条件的原文句子；没有提供或无法读出的数据对应
    无法判断（无法读出的列在 `unreadable` 中）。不同文件规定不一致时（如省里与国家、新旧通知），各条都列出，
    并在 `notes` 中说明。占比超过100%、负数、单位不符（如面积填了金额）返回 422。
    """
    if body.doc_ids and len(body.doc_ids) > runtime.settings.max_doc_ids:
        raise ApiError(422, "too_many_documents", f"doc_ids 最多 {runtime.settings.max_doc_ids} 个（收到 {len(body.doc_ids)} 个），请缩小范围或不限文档")
    assistant = runtime.require_ready()
    try:
        return assistant.checker.check(body.programme, body.doc_ids, body.facts, body.text, body.region)
    except FactError as exc:
        raise ApiError(422, "invalid_facts", str(exc)) from None


@router.get("/criteria", response_model=CriteriaListing)
def criteria(
    runtime: Runtime = Depends(get_runtime),
    programme: str | None = Query(None, max_length=100, description="只列这个项目（可用简称，如 省级集群、小巨人）"),
    region: str | None = Query(None, max_length=20, description="只列全国和这个省份的条件"),
) -> CriteriaListing:
    """资料库中各项目的认定条件，按项目和适用地区列出，每条附原文出处。"""
    assistant = runtime.require_ready()
    wanted = assistant.checker.resolve_programme(programme) if programme else None
    if programme and wanted is None:
        raise ApiError(422, "invalid_request", f"未识别的项目“{programme}”，请使用本接口不带参数时列出的项目名称")
    listing = []
    for name, found in assistant.checker.programmes().items():
        if wanted not in (None, name):
            continue
        by_region: dict[str, list[CriterionInfo]] = defaultdict(list)
        for c in found:
            if region in (None, c.region) or c.region == "全国":
                by_region[c.region].append(CriterionInfo.of(c))
        listing.append(ProgrammeCriteria(programme=name, regions=[RegionCriteria(region=r, criteria=cs) for r, cs in by_region.items()]))
    return CriteriaListing(programmes=listing)
