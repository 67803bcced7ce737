"""Operator logs: ``--log-format json`` objects and the per-session open/close lines."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from typing import Any

import pytest

from kcpcore.logformat import JsonFormatter, KcptunFormatter, log_fields
from tests.reliability.util import echo_roundtrip, engine_pair, wait_for

pytestmark = pytest.mark.timeout(60)
KEYS = ["time", "level", "event", "session", "peer", "reason", "msg"]


class Capture(logging.Handler):
    """Formats records with ``JsonFormatter`` and keeps the parsed objects."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(JsonFormatter())
        self.objects: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.objects.append(json.loads(self.format(record)))

    def events(self, name: str) -> list[dict[str, Any]]:
        return [o for o in self.objects if o["event"] == name]


def make_record(msg: str, args: tuple[Any, ...] = (), **extra: Any) -> logging.LogRecord:
    record = logging.LogRecord("kcpdesk", logging.WARNING, __file__, 1, msg, args, None)
    record.__dict__.update(extra)
    return record


def test_json_line_has_fixed_keys_for_plain_and_structured_records() -> None:
    fmt = JsonFormatter()
    plain = json.loads(fmt.format(make_record("dial target %s: %s", ("x:1", "refused"))))
    assert list(plain)[:7] == KEYS
    assert plain["event"] == "log" and plain["level"] == "warning"
    assert plain["msg"] == "dial target x:1: refused" and plain["session"] is None
    assert plain["time"].endswith("Z") and "T" in plain["time"]
    rich = json.loads(
        fmt.format(
            make_record(
                "closed",
                **log_fields(
                    "session_close",
                    session=0xAB,
                    peer=("::1", 5),
                    reason="gone",
                    bytes_in=3,
                    duration_s=1.5,
                ),
            )
        )
    )
    assert rich["session"] == "000000ab" and rich["peer"] == "[::1]:5"
    assert rich["reason"] == "gone" and rich["bytes_in"] == 3 and rich["duration_s"] == 1.5


def test_json_line_survives_newlines_unicode_and_exceptions() -> None:
    fmt = JsonFormatter()
    try:
        raise ValueError("boom")
    except ValueError:
        record = make_record('two\nlines \u00e9 "quoted"')
        record.exc_info = sys.exc_info()
    line = fmt.format(record)
    assert "\n" not in line  # one object per line, whatever the message holds
    obj = json.loads(line)
    assert obj["msg"] == 'two\nlines \u00e9 "quoted"' and "ValueError: boom" in obj["exc"]


def test_text_format_stays_kcptuns() -> None:
    line = KcptunFormatter().format(make_record("listening on: %s", (":1",)))
    assert line[4] == "/" and line.endswith(" warning: listening on: :1")


def run_pair(quiet: bool) -> Capture:
    cap = Capture()
    root = logging.getLogger()
    old = root.level
    root.addHandler(cap)
    root.setLevel(logging.INFO)

    async def main() -> None:
        async with engine_pair(quiet=quiet) as p:
            r = await echo_roundtrip(p.port, 100_000, 7)
            assert r.ok, r
            assert await wait_for(lambda: cap.events("stream_close") or quiet, 5)
        assert await wait_for(lambda: len(cap.events("session_close")) >= 2, 5)

    try:
        asyncio.run(asyncio.wait_for(main(), 40))
    finally:
        root.removeHandler(cap)
        root.setLevel(old)
    return cap


def test_sessions_log_open_and_close_with_duration_bytes_and_reason() -> None:
    cap = run_pair(quiet=False)
    opens, closes = cap.events("session_open"), cap.events("session_close")
    assert len(opens) == 2 and len(closes) == 2  # one each side
    server_close = next(
        c
        for c in closes
        if c["bytes_out"] >= 100_000
        and c["bytes_in"] >= 100_000
        and c["msg"].startswith("session closed")
    )
    assert server_close["reason"] == "tunnel stopped" and server_close["duration_s"] > 0
    assert server_close["streams"] == 1
    assert {o["session"] for o in opens} == {c["session"] for c in closes}
    server_open = next(o for o in opens if o["msg"].startswith("remote address"))
    assert server_open["peer"].startswith("127.0.0.1:")  # the client's UDP address
    streams = cap.events("stream_close")
    assert len(streams) == 2 and all(s["session"] == opens[0]["session"] for s in streams)
    assert max(s["bytes_out"] for s in streams) == 100_000


def test_quiet_hides_stream_lines_but_keeps_session_lines() -> None:
    cap = run_pair(quiet=True)
    assert not cap.events("stream_open") and not cap.events("stream_close")
    assert len(cap.events("session_close")) == 2
