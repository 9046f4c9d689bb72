"""A small OpenAI-compatible chat server on loopback, replying with a script the test sets."""

from __future__ import annotations

import json
import time
from contextlib import contextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from . import live_server


class Script:
    reply = ""
    delay = 0.0
    requests: list[dict] = []


def make_app(script: type[Script]) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def completions(request: Request):
        body = await request.json()
        script.requests.append(body)
        if script.delay:
            time.sleep(script.delay)
        created, model = int(time.time()), body.get("model", "fake")
        if not body.get("stream"):
            return JSONResponse(
                {
                    "id": "chatcmpl-fake", "object": "chat.completion", "created": created, "model": model,
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": script.reply}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }
            )

        def events():
            for i in range(0, len(script.reply), 4):
                delta = {"content": script.reply[i : i + 4]}
                chunk = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": created, "model": model,
                         "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
                yield f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"
            done = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": created, "model": model,
                    "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
            yield f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return app


@contextmanager
def serve(script: type[Script]):
    """Yields the `/v1` base URL of the scripted server, on a free loopback port."""
    with live_server.serve(make_app(script)) as base:
        yield f"{base}/v1"
