"""X-Hub-Signature-256 and the Graph error shape, on their own."""

from __future__ import annotations

import pytest

from bots.meta import GraphError, send_error, sign, signature_ok
from bots.meta.fields import as_id, unix_time


def test_the_documented_vector() -> None:
    expected = "sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914"
    assert sign(b"test", "secret") == expected
    assert signature_ok(b"test", expected, "secret")
    assert signature_ok(b"test", expected.upper().replace("SHA256=", "sha256="), "secret")


@pytest.mark.parametrize(
    "header",
    [
        "",
        "sha256=",
        "0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914",  # no prefix
        "sha1=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914",
        "sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0915",
        "sha256=zz",
    ],
)
def test_wrong_signatures(header: str) -> None:
    assert not signature_ok(b"test", header, "secret")


def test_no_secret_accepts_nothing() -> None:
    assert not signature_ok(b"test", sign(b"test", ""), "")


def test_a_changed_body_fails() -> None:
    header = sign(b'{"a":1}', "secret")
    assert not signature_ok(b'{"a": 1}', header, "secret")


def graph(code: int, subcode: int | None = None, status: int = 400, **extra: object) -> GraphError:
    error: dict[str, object] = {"message": f"(#{code}) x", "type": "OAuthException", "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error.update(extra)
    return GraphError.parse(status, {"error": error})


@pytest.mark.parametrize(
    ("error", "permanent", "blocks", "retry_after"),
    [
        (graph(130429), False, False, 1.0),
        (graph(131056), False, False, 6.0),
        (graph(80007), False, False, 60.0),
        (graph(4, status=429), False, False, 60.0),
        (graph(131047), True, False, None),
        (graph(10, 2018278), True, False, None),
        (graph(131026), True, False, None),
        (graph(551, 1545041), True, True, None),
        (graph(100, 2018001), True, True, None),
        (graph(190, status=401), False, False, None),
        (graph(2, status=503), False, False, None),
        (graph(131000, status=500), False, False, None),
        (graph(131009), True, False, None),
        (graph(100), True, False, None),
        (graph(12345, is_transient=True), False, False, None),
    ],
)
def test_send_errors_by_code(
    error: GraphError, permanent: bool, blocks: bool, retry_after: float | None
) -> None:
    result = send_error(error)
    assert (result.permanent, result.blocks, result.retry_after) == (
        permanent,
        blocks,
        retry_after,
    )
    assert f"graph error {error.code}" in result.reason


def test_retry_after_header_wins_and_trace_is_kept() -> None:
    error = GraphError.parse(
        400,
        {
            "error": {
                "message": "(#131056) pair rate limit hit",
                "code": "131056",
                "error_data": {"messaging_product": "whatsapp", "details": "too many"},
                "fbtrace_id": "AbC123",
            }
        },
    )
    assert error.code == 131056 and error.details == "too many"
    result = send_error(error, retry_after=12.0)
    assert result.retry_after == 12.0 and "AbC123" in result.reason and "too many" in result.reason


def test_a_body_that_is_not_graphs_shape() -> None:
    error = GraphError.parse(502, "<html>Bad Gateway</html>")
    result = send_error(error)
    assert error.code is None and not result.permanent and result.retry_after is None


def test_token_errors_are_transient_and_loud(caplog: pytest.LogCaptureFixture) -> None:
    result = send_error(graph(190, status=401))
    assert not result.permanent
    assert any(r.levelname == "ERROR" and "access token" in r.getMessage() for r in caplog.records)


def test_ids_and_times_as_graph_sends_them() -> None:
    assert as_id(6251938475610293) == as_id("6251938475610293") == "6251938475610293"
    assert as_id(True) == as_id(None) == as_id(0) == ""
    seconds, millis = unix_time("1764667200"), unix_time(1764667200000)
    assert seconds == millis and seconds is not None and seconds.tzinfo is not None
    assert unix_time("soon") is None and unix_time(-5) is None and unix_time(10**30) is None
