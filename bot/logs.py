"""Structured, quiet-by-default logging, with secrets scrubbed from every record."""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime

from bot.config import SECRET_ENV

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class RedactSecrets(logging.Filter):
    """Replace the value of any secret environment variable wherever it appears in a log line."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__()
        source = os.environ if env is None else env
        self.secrets = [v for k in SECRET_ENV if len(v := source.get(k, "")) >= 6]

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            for secret in self.secrets:
                message = message.replace(secret, "**********")
            record.msg, record.args = message, None
            for name, value in list(vars(record).items()):  # structured fields (extra=...) too
                if name not in _STANDARD and isinstance(value, str):
                    for secret in self.secrets:
                        value = value.replace(secret, "**********")
                    setattr(record, name, value)
            if record.exc_info and record.exc_info[1] is not None:
                text = logging.Formatter().formatException(record.exc_info)
                for secret in self.secrets:
                    text = text.replace(secret, "**********")
                record.exc_info, record.exc_text = None, text
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {"ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                "level": record.levelname, "logger": record.name, "msg": record.getMessage()}
        data.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            data["exc"] = record.exc_text
        return json.dumps(data, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        extra = " ".join(f"{k}={v}" for k, v in vars(record).items() if k not in _STANDARD)
        line = f"{record.levelname.lower():7} {record.name}: {record.getMessage()}" + (f" [{extra}]" if extra else "")
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        elif record.exc_text:
            line += "\n" + record.exc_text
        return line


def setup_logging(level: str = "WARNING", fmt: str = "text", verbosity: int = 0) -> None:
    if verbosity >= 2:
        level = "DEBUG"
    elif verbosity == 1 and level not in ("DEBUG",):
        level = "INFO"
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("trafilatura", "htmldate", "discord", "slack_bolt", "slack_sdk", "aiosqlite", "alembic",
                  "matplotlib", "asyncio", "bm25s"):
        logging.getLogger(noisy).setLevel(max(logging.getLevelName(level), logging.WARNING))
