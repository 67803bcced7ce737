"""Log line formats: kcptun's plain text, or one JSON object per line for log shippers.

Operators feed server logs to journald, Loki or Elasticsearch; parsing kcptun's free text with
regexes breaks whenever a message changes. ``--log-format json`` writes the same records as
objects with fixed keys (``time``, ``level``, ``event``, ``session``, ``peer``, ``reason``,
``msg``) plus the record's numeric details (``duration_s``, ``bytes_in``...).

Code that logs something an operator acts on passes ``extra=log_fields(...)``; any other
record still comes out as a valid object with ``event`` set to ``"log"``.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any, Final, Literal

__all__ = [
    "LOG_FORMATS",
    "JsonFormatter",
    "KcptunFormatter",
    "LogFormat",
    "format_peer",
    "formatter_for",
    "log_fields",
]

LogFormat = Literal["text", "json"]
LOG_FORMATS: Final[tuple[LogFormat, ...]] = ("text", "json")
LOG_DATEFMT: Final = "%Y/%m/%d %H:%M:%S"  # Go's log.LstdFlags

_CORE_KEYS: Final = ("event", "session", "peer", "reason")
_DETAIL_KEY: Final = "kcpdesk_details"


def log_fields(
    event: str,
    *,
    session: int | None = None,
    peer: object = None,
    reason: str | None = None,
    **details: int | float | str,
) -> dict[str, Any]:
    """The ``extra=`` mapping for a structured record.

    Args:
        event: what happened, a short snake_case name (``session_open``, ``stream_close``).
        session: the KCP conversation id, rendered as kcptun does (8 hex digits).
        peer: the remote address; tuples become ``host:port``.
        reason: why a session or stream ended.
        details: numbers or short strings an operator graphs or filters on.
    """
    return {
        "event": event,
        "session": None if session is None else f"{session:08x}",
        "peer": None if peer is None else format_peer(peer),
        "reason": reason,
        _DETAIL_KEY: details,
    }


def format_peer(peer: object) -> str:
    """``('1.2.3.4', 5)`` -> ``1.2.3.4:5``; IPv6 in brackets; anything else as ``str``."""
    if isinstance(peer, tuple) and len(peer) >= 2:
        host = str(peer[0])
        return f"[{host}]:{peer[1]}" if ":" in host else f"{host}:{peer[1]}"
    return str(peer)


class KcptunFormatter(logging.Formatter):
    """``2026/11/24 20:27:01 message`` like Go's log package; warnings and errors say so."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(message)s", LOG_DATEFMT)

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging API
        level = f"{record.levelname.lower()}: " if record.levelno >= logging.WARNING else ""
        worker = getattr(record, "worker", None)  # set in --workers processes
        tag = "" if worker is None else f"[worker {worker}] "
        return f"{record.asctime} {tag}{level}{record.message}"


class JsonFormatter(logging.Formatter):
    """One JSON object per record, keys in a fixed order; never raises on odd records."""

    def format(self, record: logging.LogRecord) -> str:
        obj: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
        }
        for key in _CORE_KEYS:
            obj[key] = getattr(record, key, None)
        if obj["event"] is None:
            obj["event"] = "log"
        worker = getattr(record, "worker", None)
        if worker is not None:
            obj["worker"] = worker
        obj["msg"] = record.getMessage()
        details = getattr(record, _DETAIL_KEY, None)
        if isinstance(details, dict):
            for key, value in details.items():
                obj.setdefault(key, value)
        if record.exc_info:
            obj["exc"] = self.formatException(record.exc_info)
        return json.dumps(obj, ensure_ascii=False, default=str, separators=(",", ":"))


def formatter_for(fmt: LogFormat) -> logging.Formatter:
    """The formatter ``--log-format fmt`` selects."""
    return JsonFormatter() if fmt == "json" else KcptunFormatter()
