"""GET /api/feedback: the 👍/👎 users gave, with their comments, for the admin (JSON or CSV)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from .auth import require_writer
from .errors import ERROR_RESPONSES, ApiError, ErrorBody
from .feedback import FeedbackRecord, feedback_csv
from .runtime import Runtime, get_runtime

router = APIRouter(prefix="/api", tags=["反馈"], responses=ERROR_RESPONSES)

CSV_NAME = "feedback.csv"


@router.get(
    "/feedback",
    response_model=list[FeedbackRecord],
    dependencies=[Depends(require_writer)],
    responses={
        200: {"content": {"text/csv": {}}, "description": "反馈列表（format=csv 时为带 BOM 的 UTF-8 CSV）"},
        403: {"model": ErrorBody, "description": "需要管理员密钥"},
    },
)
def list_feedback(
    request: Request,
    format: Literal["json", "csv"] = Query("json", description="json，或 csv（可用 Excel 打开）"),
    runtime: Runtime = Depends(get_runtime),
) -> list[FeedbackRecord] | Response:
    """用户对回答的赞/踩及评论，从新到旧（与删除文档相同，需要管理员密钥）。"""
    # A mistyped ?fromat=csv would otherwise quietly give JSON.
    unknown = sorted(set(request.query_params) - {"format"})
    if unknown:
        raise ApiError(422, "invalid_request", f"不认识的查询参数：{'、'.join(unknown)[:100]}；本接口只接受 format（json 或 csv）")
    records = runtime.feedback.records()
    if format == "csv":
        return Response(
            feedback_csv(records).encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{CSV_NAME}"'},
        )
    return records
