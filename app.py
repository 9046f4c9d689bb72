"""`python app.py [--host 127.0.0.1] [--port 7860] [--workers N]`: the API and the chat UI on one port.

Settings come from SME_* environment variables (assistant/settings.py). Several workers need a Chroma
server (SME_CHROMA_HOST): the embedded store is a local file that only one process may use.
"""

from __future__ import annotations

import argparse
import sys

from assistant.api.auth import read_only
from assistant.settings import Settings

APP_FACTORY = "assistant.api.app:create_app_from_env"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="集群政策助手：问答界面（/）、API（/api、/v1）和接口文档（/docs）")
    p.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1；对外服务用 0.0.0.0）")
    p.add_argument("--port", type=int, default=7860, help="端口（默认 7860）")
    p.add_argument("--workers", type=int, default=1, help="工作进程数；大于 1 时需要 Chroma 服务器（SME_CHROMA_HOST）")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = Settings()
    if args.workers < 1:
        print("错误：--workers 至少为 1", file=sys.stderr)
        return 2
    if args.workers > 1 and not settings.chroma_host:
        print(
            "错误：--workers 大于 1 需要 Chroma 服务器：嵌入式 Chroma 不能被多个进程同时使用；"
            "请先启动 `chroma run` 并设置 SME_CHROMA_HOST（见 README“部署”一节），或去掉 --workers",
            file=sys.stderr,
        )
        return 2
    if args.workers > 1:
        print("提示：问答界面（Gradio）把每个浏览器会话放在一个进程里；多进程时请按 README“部署”一节为界面配置会话保持", file=sys.stderr)
    import uvicorn

    print(f"集群政策助手：http://{args.host}:{args.port}/ （接口文档 /docs；加载完成前 /api/health 返回 503）", flush=True)
    if read_only(settings):
        print(
            "资料库为只读：要在界面或 API 中上传、删除文档，请设置管理员密钥后重新启动，例如\n"
            "  SME_ADMIN_KEY=<自选的密钥> make run\n"
            "（仅在受信任的本机使用时，也可用 SME_OPEN_LIBRARY=1 make run）",
            flush=True,
        )
    uvicorn.run(APP_FACTORY, factory=True, host=args.host, port=args.port, workers=args.workers, log_level="info")
    return 0


if __name__ == "__main__":
    sys.exit(main())
