"""Alert delivery: FileSink idempotency, WebhookSink against a real local HTTP server, routing."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pydantic import BaseModel

from polytraders.runtime.alerts import DeliveryError, FileSink, WebhookSink, as_alert, deliver, redact_url

ID1, ID2, ID3 = "a" * 32, "b" * 32, "c" * 32


def alert(envelope_id: str, *sinks: str, **extra) -> dict:
    return {"envelope_id": envelope_id, "bot": "risk.drawdown", "ts_ms": 1_790_000_000_000, "severity": "WARN",
            "reason_codes": ["RISK_DRAWDOWN"], "summary": "drawdown 50 USDC", "sinks": list(sinks), **extra}


@dataclass
class Server:
    """What the local server received, and the script of its answers (status, delay_s)."""

    url: str
    script: list[tuple[int, float]]
    bodies: list[bytes] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)


@contextmanager
def http_server(script: list[tuple[int, float]]) -> Iterator[Server]:
    """A webhook receiver on 127.0.0.1 (free port) in a thread; answers per ``script`` in order,
    then 599 to anything beyond it (so a runaway client is visible and bounded); stopped after."""
    state = Server("", list(script))
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with lock:
                state.bodies.append(body)
                state.paths.append(self.path)
                status, delay_s = state.script.pop(0) if state.script else (599, 0.0)
            time.sleep(delay_s)
            try:
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out first (the slow-server case): nothing left to answer

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/T1/B2?token=s3cret"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- FileSink ---------------------------------------------------------------------------------

def test_file_sink_send_when_parents_missing_then_creates_them_and_writes_one_line_per_alert(tmp_path) -> None:
    sink = FileSink(tmp_path / "a" / "b" / "alerts.jsonl")
    assert sink.send([alert(ID1, "file"), alert(ID2, "file")]) == 2
    lines = (tmp_path / "a" / "b" / "alerts.jsonl").read_text().splitlines()
    assert [json.loads(line)["envelope_id"] for line in lines] == [ID1, ID2]
    assert json.loads(lines[0]) == alert(ID1, "file")


def test_file_sink_send_when_rerun_with_same_alerts_then_writes_only_new_ones(tmp_path) -> None:
    sink = FileSink(tmp_path / "alerts.jsonl")
    assert sink.send([alert(ID1, "file"), alert(ID2, "file")]) == 2
    # The re-run offers ID1, ID2 again plus ID3 (twice): only one ID3 line is added.
    assert sink.send([alert(ID2, "file"), alert(ID1, "file"), alert(ID3, "file"), alert(ID3, "file")]) == 1
    assert FileSink(tmp_path / "alerts.jsonl").send([alert(ID1, "file")]) == 0  # a fresh instance: file is the state
    lines = (tmp_path / "alerts.jsonl").read_text().splitlines()
    assert [json.loads(line)["envelope_id"] for line in lines] == [ID1, ID2, ID3]


def test_file_sink_send_when_last_line_unterminated_then_new_line_starts_on_its_own(tmp_path) -> None:
    path = tmp_path / "alerts.jsonl"
    path.write_text(json.dumps(alert(ID1, "file")) + "\n" + '{"envelope_id": "bbbb')  # crash mid-write
    assert FileSink(path).send([alert(ID1, "file"), alert(ID2, "file")]) == 1
    lines = path.read_text().splitlines()
    assert len(lines) == 3 and json.loads(lines[2])["envelope_id"] == ID2


def test_file_sink_send_when_models_and_decimals_then_written_as_json(tmp_path) -> None:
    class Alert(BaseModel):
        envelope_id: str
        sinks: tuple[str, ...]
        drawdown_usdc: Decimal

    sink = FileSink(tmp_path / "alerts.jsonl")
    assert sink.send([Alert(envelope_id=ID1, sinks=("file",), drawdown_usdc=Decimal("50.5")),
                      alert(ID2, "file", loss_usdc=Decimal("1.25"))]) == 2
    first, second = map(json.loads, (tmp_path / "alerts.jsonl").read_text().splitlines())
    assert first == {"envelope_id": ID1, "sinks": ["file"], "drawdown_usdc": "50.5"}
    assert second["loss_usdc"] == "1.25"


def test_as_alert_when_no_envelope_id_then_delivery_error() -> None:
    with pytest.raises(DeliveryError, match=r"^an alert needs a non-empty string envelope_id \(got None\)$"):
        as_alert({"sinks": ["file"]})
    with pytest.raises(DeliveryError, match=r"^an alert is a mapping or a model with model_dump, not int$"):
        as_alert(3)


# --- WebhookSink ------------------------------------------------------------------------------

def test_webhook_send_when_server_answers_200_then_body_is_the_batch(tmp_path) -> None:
    batch = [alert(ID1, "hook"), alert(ID2, "hook")]
    with http_server([(200, 0.0)]) as server:
        assert WebhookSink(server.url, timeout_s=2, retries=0).send(batch) == 2
    assert len(server.bodies) == 1
    assert json.loads(server.bodies[0]) == {"alerts": batch}
    assert server.paths == ["/hooks/T1/B2?token=s3cret"]


def test_webhook_send_when_500_then_200_then_retries_and_succeeds() -> None:
    with http_server([(500, 0.0), (200, 0.0)]) as server:
        assert WebhookSink(server.url, timeout_s=2, retries=2, backoff_s=0).send([alert(ID1, "hook")]) == 1
    assert len(server.bodies) == 2 and server.bodies[0] == server.bodies[1]


def test_webhook_send_when_500_every_time_then_raises_naming_status_without_secrets() -> None:
    with http_server([(500, 0.0)] * 3) as server:
        sink = WebhookSink(server.url, timeout_s=2, retries=2, backoff_s=0)
        with pytest.raises(DeliveryError) as caught:
            sink.send([alert(ID1, "hook")])
    port = server.url.split(":")[2].split("/")[0]
    assert str(caught.value) == f"webhook http://127.0.0.1:{port}/***: 3 attempts failed, last: HTTP 500"
    assert "s3cret" not in repr(sink) and "B2" not in str(caught.value)
    assert len(server.bodies) == 3  # 1 + retries, no more


def test_webhook_send_when_server_slower_than_timeout_then_times_out_after_retries() -> None:
    with http_server([(200, 1.0), (200, 1.0)]) as server:
        started = time.perf_counter()
        with pytest.raises(DeliveryError, match=r"2 attempts failed, last: timed out after 0.2 s$"):
            WebhookSink(server.url, timeout_s=0.2, retries=1, backoff_s=0).send([alert(ID1, "hook")])
        assert time.perf_counter() - started < 1.5  # 2 x 0.2 s, not 2 x 1 s
    assert len(server.bodies) == 2


def test_webhook_send_when_redirected_then_not_followed_and_fails() -> None:
    with http_server([(302, 0.0)]) as server:
        with pytest.raises(DeliveryError, match=r"1 attempts failed, last: HTTP 302$"):
            WebhookSink(server.url, timeout_s=2, retries=0).send([alert(ID1, "hook")])


def test_webhook_send_when_nobody_listens_then_connection_failed() -> None:
    with http_server([]) as server:
        url = server.url
    with pytest.raises(DeliveryError, match=r"last: connection failed \(ConnectionRefusedError\)$"):
        WebhookSink(url, timeout_s=1, retries=0).send([alert(ID1, "hook")])


def test_webhook_send_when_empty_batch_then_no_request() -> None:
    with http_server([]) as server:
        assert WebhookSink(server.url).send([]) == 0
    assert server.bodies == []


def test_webhook_init_when_scheme_not_http_then_value_error() -> None:
    with pytest.raises(ValueError, match=r"^webhook URL scheme 'file' not allowed \(allowed: http, https\)$"):
        WebhookSink("file:///etc/passwd")


def test_redact_url_when_credentials_query_or_path_then_only_scheme_host_port_remain() -> None:
    assert redact_url("https://u:p@h.example.com/services/T/B/tok?x=1#f") == "https://h.example.com/***"
    assert redact_url("http://h.example.com/?token=abc") == "http://h.example.com/***"
    assert redact_url("http://[::1]:8080/") == "http://[::1]:8080"


# --- deliver ----------------------------------------------------------------------------------

class Recorder:
    def __init__(self, fail: bool = False) -> None:
        self.batches: list[list[str]] = []
        self.fail = fail

    def send(self, alerts) -> int:
        if self.fail:
            raise DeliveryError("webhook http://x/***: 3 attempts failed, last: HTTP 503")
        self.batches.append([a["envelope_id"] for a in alerts])
        return len(alerts)


def test_deliver_when_alerts_name_sinks_then_each_sink_gets_its_alerts_in_order() -> None:
    file_sink, hook, pager = Recorder(), Recorder(), Recorder()
    counts = deliver([alert(ID1, "file", "hook"), alert(ID2, "file"), alert(ID3, "hook", "hook")],
                     {"file": file_sink, "hook": hook, "pager": pager})
    assert counts == {"file": 2, "hook": 2, "pager": 0}
    assert file_sink.batches == [[ID1, ID2]]
    assert hook.batches == [[ID1, ID3]]  # a sink named twice by one alert gets it once
    assert pager.batches == []  # no empty batch sent


def test_deliver_when_sink_unknown_then_error_lists_known_and_nothing_sent() -> None:
    file_sink = Recorder()
    with pytest.raises(DeliveryError, match=rf"^alert {ID2} names unknown sink 'slack' \(known: file, hook\)$"):
        deliver([alert(ID1, "file"), alert(ID2, "slack")], {"hook": Recorder(), "file": file_sink})
    assert file_sink.batches == []


def test_deliver_when_one_sink_fails_then_others_still_delivered_and_error_names_it() -> None:
    file_sink = Recorder()
    with pytest.raises(DeliveryError) as caught:
        deliver([alert(ID1, "hook", "file")], {"hook": Recorder(fail=True), "file": file_sink})
    assert str(caught.value) == "delivery failed for hook: webhook http://x/***: 3 attempts failed, last: HTTP 503"
    assert caught.value.delivered == {"file": 1}
    assert file_sink.batches == [[ID1]]


def test_deliver_when_file_and_webhook_then_end_to_end_and_rerun_adds_nothing_to_file(tmp_path) -> None:
    alerts = [alert(ID1, "file", "hook"), alert(ID2, "file")]
    with http_server([(200, 0.0), (200, 0.0)]) as server:
        sinks = {"file": FileSink(tmp_path / "alerts.jsonl"), "hook": WebhookSink(server.url, retries=0)}
        assert deliver(alerts, sinks) == {"file": 2, "hook": 1}
        assert deliver(alerts, sinks) == {"file": 0, "hook": 1}  # the webhook is at-least-once
    assert len((tmp_path / "alerts.jsonl").read_text().splitlines()) == 2
