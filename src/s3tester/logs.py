"""Structured logs for CI: `--log-format text|json`, always on stderr, never a secret.

Only the `s3tester` logger tree gets a handler (botocore's debug logs would print request
headers). Every record passes `Redact`, which masks signatures, credentials and tokens in
URL query strings and auth headers; while a run is on (`with logs.masking(run_masker):`),
also that run's secret keys and session tokens.

    log = logging.getLogger("s3tester.api")
    log.info("endpoint resolved", extra={"endpoint": url, "vendor": name})

With `--log-format json` each record is one JSON object per line:
`{"ts": "...", "level": "info", "logger": "s3tester.api", "msg": "endpoint resolved",
"endpoint": "...", "vendor": "..."}`.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TextIO

from s3tester.masking import Masker

LOGGER = "s3tester"
FORMATS = ("text", "json")

#: Attributes every LogRecord has; anything else came from `extra=` and goes into JSON.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class Redact(logging.Filter):
    """Masks secrets in the message, its arguments and every `extra` field.

    `maskers` are the maskers of the runs going on now (a run adds its own for its length);
    with none, the secret-shaped values (signatures, tokens, auth headers) are still masked.
    """

    def __init__(self) -> None:
        super().__init__()
        self.maskers: list[Masker] = [Masker()]

    def _mask(self, value: Any) -> Any:
        for masker in list(self.maskers):
            value = masker.mask_tree(value)
        return value

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self._mask(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._mask(logging.Formatter().formatException(record.exc_info))
        for key, value in list(vars(record).items()):
            if key not in _STANDARD:
                setattr(record, key, self._mask(value))
        return True


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in _extras(record).items():
            doc.setdefault(key, value)
        if record.exc_text:
            doc["exc"] = record.exc_text
        return json.dumps(doc, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        ts = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S")
        fields = " ".join(f"{k}={v}" for k, v in _extras(record).items())
        line = f"{ts} {record.levelname.lower():<7} {record.name}: {record.getMessage()}"
        if fields:
            line += f" {fields}"
        if record.exc_text:
            line += "\n" + record.exc_text
        return line


def setup(fmt: str = "text", level: str | None = None, stream: TextIO | None = None) -> logging.Logger:
    """Configure the `s3tester` logger once per process (a second call replaces the first).

    Default level: `info` for json (CI wants the events), `warning` for text (the report
    is the output; logs only say when something is off).
    """
    if fmt not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}")
    logger = logging.getLogger(LOGGER)
    for handler in list(logger.handlers):
        if getattr(handler, "_s3tester", False):
            logger.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    setattr(handler, "_s3tester", True)  # noqa: B010 (marks our handler for replacement)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(Redact())
    logger.addHandler(handler)
    logger.setLevel((level or ("info" if fmt == "json" else "warning")).upper())
    logger.propagate = False
    return logger


@contextmanager
def masking(masker: Masker) -> Iterator[None]:
    """While the block runs, every s3tester log record is also masked with `masker`."""
    filters = [f for h in logging.getLogger(LOGGER).handlers for f in h.filters if isinstance(f, Redact)]
    for found in filters:
        found.maskers.append(masker)
    try:
        yield
    finally:
        for found in filters:
            found.maskers.remove(masker)


def json_lines() -> bool:
    """Whether s3tester's log handler writes JSON lines (then stderr carries nothing else)."""
    return any(isinstance(h.formatter, JsonFormatter) for h in logging.getLogger(LOGGER).handlers)
