"""A real app on a free loopback port, in a thread: real HTTP for SSE, the OpenAI SDK and the browser."""

from __future__ import annotations

import json
import select
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

from .conftest import CORPUS


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Yields the base URL once uvicorn listens (the app may still be warming up: see `wait_ready`)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start on port {port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def wait_ready(base_url: str, headers: dict[str, str] | None = None, timeout: float = 240) -> float:
    """Seconds until /api/health says 200; fails with the last error body otherwise."""
    started = time.monotonic()
    last = None
    while time.monotonic() - started < timeout:
        try:
            response = httpx.get(f"{base_url}/api/health", headers=headers, timeout=10)
        except httpx.ConnectError:  # a server in another process may not listen yet
            time.sleep(0.2)
            continue
        if response.status_code == 200:
            return time.monotonic() - started
        last = response.text
        if response.json()["error"]["code"] != "loading":
            break
        time.sleep(0.2)
    raise RuntimeError(f"app not ready: {last}")


def corpus_in(tmp: Path) -> Path:
    """A writable copy of the corpus (uploads and deletes must not touch the real one)."""
    target = tmp / "corpus"
    shutil.copytree(CORPUS, target)
    return target


def send_chunked(base_url: str, path: str, headers: dict[str, str], chunk: bytes, most: int) -> tuple[int, dict, int]:
    """POSTs a chunked body (no Content-Length) of up to `most` bytes over a raw socket, stopping as soon
    as the server answers. Returns the status, the JSON body and how many body bytes were sent by then."""
    host, port = base_url.removeprefix("http://").split(":")
    head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    sent = 0
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        sock.sendall(head.encode())
        try:
            while sent < most and not select.select([sock], [], [], 0)[0]:
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                sent += len(chunk)
            if sent >= most:
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed while the body was still coming
        response = b""
        while b"\r\n\r\n" not in response or len(response) < _expected(response):
            more = sock.recv(65536)
            if not more:
                break
            response += more
    head_text, _, body = response.partition(b"\r\n\r\n")
    return int(head_text.split()[1]), json.loads(body), sent


def _expected(response: bytes) -> int:
    head, _, _ = response.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(head) + 4 + int(line.split(b":")[1])
    return len(response) + 1
