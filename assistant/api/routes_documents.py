"""The document library over HTTP: list, read, upload (multipart), delete, reindex."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, status
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from ..ingest.load import SUPPORTED_SUFFIXES
from ..schema import IngestReport
from .auth import require_reader, require_writer
from .errors import ERROR_RESPONSES, ApiError, ErrorBody
from .models import DeleteResult, DocumentDetail, DocumentInfo, UploadResult
from .runtime import Runtime, get_runtime

router = APIRouter(prefix="/api", tags=["资料库"], responses=ERROR_RESPONSES)

_WRITE_RESPONSES = {
    403: {"model": ErrorBody, "description": "需要管理员密钥"},
    404: {"model": ErrorBody, "description": "没有这篇文档"},
}
_UPLOAD_RESPONSES = {
    409: {"model": ErrorBody, "description": "已有内容相同的文档"},
    413: {"model": ErrorBody, "description": "文件超过 SME_MAX_UPLOAD_MB"},
    415: {"model": ErrorBody, "description": "不支持的文件类型"},
}
# The route reads its own body (see upload_document), so its form is described here rather than by parameters.
_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": f"{' / '.join(s.lstrip('.') for s in SUPPORTED_SUFFIXES)} 文件",
                        }
                    },
                }
            }
        },
    }
}
_NO_FILE = ApiError(422, "invalid_request", "请求参数 file 缺少必填字段：请用 multipart/form-data 上传，字段名为 file")


@router.get("/documents", response_model=list[DocumentInfo], dependencies=[Depends(require_reader)])
def list_documents(runtime: Runtime = Depends(get_runtime)) -> list[DocumentInfo]:
    """资料库中的全部文档（元数据与文本质量），按日期从新到旧。"""
    runtime.require_ready()
    return runtime.documents.list()


@router.get(
    "/documents/{doc_id}", response_model=DocumentDetail, dependencies=[Depends(require_reader)], responses=_WRITE_RESPONSES
)
def get_document(doc_id: str, runtime: Runtime = Depends(get_runtime)) -> DocumentDetail:
    """一篇文档的元数据、清洗后的正文和文本质量。"""
    runtime.require_ready()
    return runtime.documents.get(doc_id)


@router.post(
    "/documents",
    response_model=UploadResult,
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(require_writer)],
    responses={**_WRITE_RESPONSES, **_UPLOAD_RESPONSES},
    openapi_extra=_UPLOAD_BODY,
)
async def upload_document(request: Request, runtime: Runtime = Depends(get_runtime)) -> UploadResult:
    """上传一个文件（multipart/form-data，字段名 `file`），立即收录；返回片段数和文本质量。

    文件以服务器生成的名字保存在 corpus/uploads/ 下；大小上限为 SME_MAX_UPLOAD_MB（默认 20 MB）。
    需要 SME_ADMIN_KEY（未设置时资料库只读）。
    """
    # The body is read here, after the key was checked: a File() parameter would make FastAPI read (and
    # spool to disk) the whole body before any dependency runs. BodySizeLimit caps what can arrive.
    runtime.require_ready()
    library = runtime.documents
    async with request.form(max_files=1, max_fields=4) as form:
        file = form.get("file")
        if not isinstance(file, UploadFile):
            raise _NO_FILE
        library.accepted_suffix(file.filename)
        data = await file.read(library.max_bytes + 1)  # one byte over the limit is enough to refuse
    return await run_in_threadpool(library.add, file.filename, data)


@router.delete(
    "/documents/{doc_id}", response_model=DeleteResult, dependencies=[Depends(require_writer)], responses=_WRITE_RESPONSES
)
def delete_document(doc_id: str, runtime: Runtime = Depends(get_runtime)) -> DeleteResult:
    """从索引中删除一篇文档，并删除它在 corpus/ 中的文件（否则重建索引时会被重新收录）。"""
    runtime.require_ready()
    return runtime.documents.delete(doc_id)


@router.post("/reindex", response_model=IngestReport, dependencies=[Depends(require_writer)], responses=_WRITE_RESPONSES)
def reindex(runtime: Runtime = Depends(get_runtime)) -> IngestReport:
    """按 corpus/ 的当前内容更新索引：未变化的文件不重新计算，已删除的文件移出索引。"""
    runtime.require_ready()
    return runtime.documents.reindex()
