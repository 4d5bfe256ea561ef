"""Alert delivery: where the alerts that ``gov.alert_dispatcher`` routed are written or sent.

The dispatcher bot *decides* (which alerts, which sinks); this module only *delivers*. An alert
is a plain mapping (or an object with ``model_dump``) with at least ``envelope_id`` (the
envelope that raised it, 32 hex digits: the idempotency key) and ``sinks`` (names of the sinks
it goes to); the other fields (``bot``, ``ts_ms``, ``severity``, ``reason_codes``,
``summary``) travel as they are. Delivered JSON has sorted keys; values JSON cannot hold
(Decimal, datetime) are written as ``str(value)``.

Sinks:

* :class:`FileSink` appends one JSON line per alert and skips alerts whose ``envelope_id`` is
  already in the file, so re-running a partition writes no duplicate.
* :class:`WebhookSink` POSTs ``{"alerts": [...]}`` per batch (stdlib ``urllib``), retrying a
  non-2xx answer, a timeout or a connection error ``retries`` times before raising
  :class:`DeliveryError`. A retry after a timeout may deliver a batch twice: receivers dedupe
  on ``envelope_id``. Redirects are not followed (urllib would turn a redirected POST into a
  body-less GET): a 3xx is a failure like any non-2xx.

Error messages never contain a webhook URL's path, query, fragment or credentials (webhook
tokens live there, e.g. ``/services/T…/B…/<token>``): see :func:`redact_url`.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

#: URL schemes a WebhookSink accepts.
WEBHOOK_SCHEMES = ("http", "https")


class DeliveryError(RuntimeError):
    """An alert could not be delivered (unknown sink, webhook failure). Never names a secret.

    Attributes: ``delivered``: sink name -> alerts delivered before the failure was raised
    (:func:`deliver` tries every sink before raising).
    """

    def __init__(self, message: str, delivered: Mapping[str, int] | None = None) -> None:
        super().__init__(message)
        self.delivered = dict(delivered or {})


class Sink(Protocol):
    """Delivers a batch of alerts; returns how many were newly delivered."""

    def send(self, alerts: Sequence[Mapping[str, Any]]) -> int: ...


def as_alert(alert: Mapping[str, Any] | Any) -> dict[str, Any]:
    """A plain dict of ``alert`` (a Mapping, or a pydantic model: ``model_dump(mode="json")``).

    Raises:
        DeliveryError: it is neither, or it has no non-empty string ``envelope_id``.
    """
    if isinstance(alert, Mapping):
        out = dict(alert)
    elif hasattr(alert, "model_dump"):
        out = alert.model_dump(mode="json")
    else:
        raise DeliveryError(f"an alert is a mapping or a model with model_dump, not {type(alert).__name__}")
    if not isinstance(out.get("envelope_id"), str) or not out["envelope_id"]:
        raise DeliveryError(f"an alert needs a non-empty string envelope_id (got {out.get('envelope_id')!r})")
    return out


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str, allow_nan=False)


def redact_url(url: str) -> str:
    """``scheme://host[:port]`` of ``url`` with any path, query, fragment or credentials masked.

    >>> redact_url("https://user:pw@hooks.example.com:8443/services/T1/B2/secret?token=abc#x")
    'https://hooks.example.com:8443/***'
    >>> redact_url("http://127.0.0.1:9000")
    'http://127.0.0.1:9000'
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:
        port = ":<bad port>"
    hidden = (parts.path not in ("", "/")) or bool(parts.query or parts.fragment)
    return f"{parts.scheme}://{host}{port}" + ("/***" if hidden else "")


class FileSink:
    """Appends one JSON line per alert to ``path`` (parents created), once per ``envelope_id``.

    The ids already in the file are read on every ``send``, so the file is the only state: a
    re-run, or a second process after this one, skips what is there. A last line left
    unterminated by a crash is closed before appending, and lines that are not JSON objects
    with an ``envelope_id`` are ignored when reading ids (they stay in the file).
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def delivered_ids(self) -> set[str]:
        """The ``envelope_id`` of every alert line in the file (empty if there is no file)."""
        if not self.path.is_file():
            return set()
        ids: set[str] = set()
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(row, dict) and isinstance(row.get("envelope_id"), str):
                ids.add(row["envelope_id"])
        return ids

    def send(self, alerts: Sequence[Mapping[str, Any]]) -> int:
        """Append the alerts not yet in the file (first of any repeated id); return how many."""
        seen = self.delivered_ids()
        lines = []
        for alert in map(as_alert, alerts):
            if alert["envelope_id"] not in seen:
                seen.add(alert["envelope_id"])
                lines.append(_json(alert) + "\n")
        if not lines:
            return 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a+b") as handle:
            handle.seek(0, 2)
            if handle.tell() > 0:
                handle.seek(-1, 2)
                if handle.read(1) != b"\n":
                    handle.write(b"\n")
            handle.write("".join(lines).encode("utf-8"))
        return len(lines)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001 - urllib's signature
        return None  # urllib then raises HTTPError with the 3xx status


class WebhookSink:
    """POSTs each batch as ``{"alerts": [...]}`` (JSON, UTF-8) to ``url``.

    Args:
        url: ``http`` or ``https`` endpoint; may carry a token (it is never put in a message).
        timeout_s: socket timeout of one attempt, seconds.
        retries: further attempts after the first fails (so ``retries + 1`` in all).
        backoff_s: wait before retry ``i`` (1-based) is ``backoff_s * 2 ** (i - 1)`` seconds.

    Raises:
        ValueError: the scheme is not http/https, or timeout_s <= 0, retries < 0, backoff_s < 0.
    """

    def __init__(self, url: str, timeout_s: float = 5.0, retries: int = 2, backoff_s: float = 0.5) -> None:
        scheme = urlsplit(url).scheme
        if scheme not in WEBHOOK_SCHEMES:
            raise ValueError(f"webhook URL scheme {scheme!r} not allowed (allowed: {', '.join(WEBHOOK_SCHEMES)})")
        if timeout_s <= 0 or retries < 0 or backoff_s < 0:
            raise ValueError(f"need timeout_s > 0, retries >= 0, backoff_s >= 0 "
                             f"(got {timeout_s}, {retries}, {backoff_s})")
        self.url = url
        self.timeout_s = timeout_s
        self.retries = retries
        self.backoff_s = backoff_s
        self._opener = urllib.request.build_opener(_NoRedirect)

    def __repr__(self) -> str:
        return f"WebhookSink({redact_url(self.url)!r}, timeout_s={self.timeout_s}, retries={self.retries})"

    def _attempt(self, body: bytes) -> str | None:
        """One POST; None on a 2xx answer, else what went wrong (without the URL)."""
        request = urllib.request.Request(
            self.url, data=body, method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "polytraders-alerts"},
        )
        try:
            with self._opener.open(request, timeout=self.timeout_s) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as exc:
            exc.close()
            return f"HTTP {exc.code}"
        except TimeoutError:
            return f"timed out after {self.timeout_s:g} s"
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                return f"timed out after {self.timeout_s:g} s"
            return f"connection failed ({type(exc.reason).__name__})"
        except OSError as exc:
            return f"connection failed ({type(exc).__name__})"
        return None if 200 <= status < 300 else f"HTTP {status}"

    def send(self, alerts: Sequence[Mapping[str, Any]]) -> int:
        """POST the batch (nothing for an empty one); return its size.

        Raises:
            DeliveryError: every attempt failed; names the redacted URL, the attempts and the
                last failure (``HTTP 500``, ``timed out after 5 s``, ``connection failed (…)``).
        """
        batch = [as_alert(a) for a in alerts]
        if not batch:
            return 0
        body = _json({"alerts": batch}).encode("utf-8")
        failure = None
        for attempt in range(self.retries + 1):
            if attempt and self.backoff_s:
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
            failure = self._attempt(body)
            if failure is None:
                return len(batch)
        raise DeliveryError(
            f"webhook {redact_url(self.url)}: {self.retries + 1} attempts failed, last: {failure}"
        )


def deliver(alerts: Iterable[Mapping[str, Any] | Any], sinks: Mapping[str, Sink]) -> dict[str, int]:
    """Send each alert to the sinks it names (its ``sinks`` field), one batch per sink.

    Every sink name is checked before anything is sent. Each sink gets its alerts in input
    order; every sink is tried even if an earlier one fails.

    Returns:
        sink name -> alerts newly delivered, for every sink in ``sinks`` (0 when none named it,
        or a FileSink already had them all).

    Raises:
        DeliveryError: an alert names a sink not in ``sinks`` (message lists the known ones),
            or has no ``sinks`` list; or a sink failed (message names each failed sink and its
            error; ``.delivered`` holds the counts of the sinks that succeeded).
    """
    batches: dict[str, list[dict[str, Any]]] = {name: [] for name in sinks}
    for alert in map(as_alert, alerts):
        names = alert.get("sinks")
        if isinstance(names, str) or not isinstance(names, Sequence):
            raise DeliveryError(f"alert {alert['envelope_id']}: sinks must be a list of sink names (got {names!r})")
        for name in dict.fromkeys(names):
            if name not in sinks:
                raise DeliveryError(
                    f"alert {alert['envelope_id']} names unknown sink {name!r} (known: {', '.join(sorted(sinks))})"
                )
            batches[name].append(alert)
    delivered: dict[str, int] = {}
    failures: list[str] = []
    for name, batch in batches.items():
        try:
            delivered[name] = sinks[name].send(batch) if batch else 0
        except (DeliveryError, OSError) as exc:  # a FileSink's disk error does not stop the webhook
            failures.append(f"{name}: {exc}")
    if failures:
        raise DeliveryError("delivery failed for " + "; ".join(failures), delivered)
    return delivered
