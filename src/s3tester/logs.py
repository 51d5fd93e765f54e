"""Structured logs for CI: `--log-format text|json`, always on stderr, never a secret.

Only the `s3tester` logger tree gets a handler (botocore's debug logs would print request
headers). Every record passes `Redact`, which replaces any registered secret (credential
secret keys and session tokens are registered when an endpoint is resolved) and any
signature, credential or token in a URL query string with `***`.

    log = logging.getLogger("s3tester.api")
    log.info("endpoint resolved", extra={"endpoint": url, "vendor": name})

With `--log-format json` each record is one JSON object per line:
`{"ts": "...", "level": "info", "logger": "s3tester.api", "msg": "endpoint resolved",
"endpoint": "...", "vendor": "..."}`.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from datetime import UTC, datetime
from typing import Any, TextIO

LOGGER = "s3tester"
FORMATS = ("text", "json")
MASK = "***"

#: Query parameters of presigned URLs and auth headers that carry secrets or signatures.
_QUERY_SECRET = re.compile(
    r"(?i)\b(X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|Signature|AWSAccessKeyId"
    r"|x-amz-security-token)=([^&\s\"']+)"
)
_AUTH_HEADER = re.compile(r"(?i)(Authorization['\"]?\s*[:=]\s*['\"]?)([^'\",}\n]+)")
_URL_USERINFO = re.compile(r"(?i)\b(https?://)[^/@\s:]+:[^/@\s]+@")

#: Attributes every LogRecord has; anything else came from `extra=` and goes into JSON.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}

_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Never show `value` in a log line (short values are ignored: they'd mask too much)."""
    if value and len(value) >= 4:
        with _secrets_lock:
            _secrets.add(value)


def redact(text: str) -> str:
    with _secrets_lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    text = _QUERY_SECRET.sub(lambda m: f"{m.group(1)}={MASK}", text)
    text = _AUTH_HEADER.sub(lambda m: f"{m.group(1)}{MASK}", text)
    return _URL_USERINFO.sub(lambda m: f"{m.group(1)}{MASK}@", text)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_clean(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact(str(value))


class Redact(logging.Filter):
    """Masks secrets in the message, its arguments and every `extra` field."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD:
                setattr(record, key, _clean(value))
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
        if record.exc_info:
            doc["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(doc, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        ts = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S")
        fields = " ".join(f"{k}={v}" for k, v in _extras(record).items())
        line = f"{ts} {record.levelname.lower():<7} {record.name}: {record.getMessage()}"
        if fields:
            line += f" {fields}"
        if record.exc_info:
            line += "\n" + redact(self.formatException(record.exc_info))
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
