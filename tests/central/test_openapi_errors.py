"""The error answers match the OpenAPI document: every operation declares the error
model the service really sends (central.errors.ErrorResponse: `detail` a string,
`errors` a list for validation), and real error answers of every operation validate
against what the document declares for their status (issue #9, section 4)."""
from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from central_helpers import (
    ADMIN_TOKEN,
    ENROLMENT_TOKEN,
    TODAY,
    SealingKiosk,
    sealed_body,
    signed_verify_body,
)

from central.app import MAX_BODY_BYTES
from central.server import CentralServer
from offline_queue.crypto import KioskKeys, b64e
from offline_queue.wire import SEALED_ROUTES

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
WRONG_ADMIN = {"Authorization": "Bearer not-the-token"}
METHODS = ("get", "post", "put", "patch", "delete")


# --- a small JSON Schema validator (the subset OpenAPI 3.1 documents here use) -------

def schema_errors(value: Any, schema: dict[str, Any], spec: dict[str, Any],
                  where: str = "$") -> list[str]:
    """What makes `value` fail `schema` ($ref resolved against `spec`); [] if valid."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        return schema_errors(value, spec["components"]["schemas"][name], spec, where)
    if "anyOf" in schema:
        options = [schema_errors(value, option, spec, where) for option in schema["anyOf"]]
        if all(options):
            return [f"{where}: matches no option of anyOf ({options})"]
        return []
    if "const" in schema and value != schema["const"]:
        return [f"{where}: {value!r} is not {schema['const']!r}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r} not in {schema['enum']}"]
    kind = schema.get("type")
    checks = {"string": lambda v: isinstance(v, str),
              "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
              "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
              "boolean": lambda v: isinstance(v, bool), "null": lambda v: v is None,
              "object": lambda v: isinstance(v, dict), "array": lambda v: isinstance(v, list)}
    if kind is not None and not checks[kind](value):
        return [f"{where}: {value!r} is not of type {kind}"]
    problems: list[str] = []
    if kind == "object":
        properties = schema.get("properties", {})
        problems += [f"{where}: {name!r} is required" for name in schema.get("required", ())
                     if name not in value]
        extra = schema.get("additionalProperties", True)
        for name, item in value.items():
            if name in properties:
                problems += schema_errors(item, properties[name], spec, f"{where}.{name}")
            elif extra is False:
                problems.append(f"{where}: {name!r} is not declared")
            elif isinstance(extra, dict):
                problems += schema_errors(item, extra, spec, f"{where}.{name}")
    if kind == "array" and "items" in schema:
        for i, item in enumerate(value):
            problems += schema_errors(item, schema["items"], spec, f"{where}[{i}]")
    return problems


def test_the_validator_itself_refuses_what_fastapis_default_422_declares() -> None:
    """FastAPI's default declaration (detail: array of ValidationError) rejects this
    service's answer: what made generated clients break."""
    default = {"components": {"schemas": {
        "HTTPValidationError": {"type": "object", "properties": {"detail": {
            "type": "array", "items": {"$ref": "#/components/schemas/ValidationError"}}}},
        "ValidationError": {"type": "object", "required": ["loc", "msg", "type"],
                            "properties": {"msg": {"type": "string"}}}}}}
    answer = {"detail": "type_code: Field required", "errors": []}
    assert schema_errors(answer, {"$ref": "#/components/schemas/HTTPValidationError"},
                         default)


# --- the document ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def spec(shared_client: httpx.Client) -> dict[str, Any]:
    response = shared_client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation


def declared_schema(spec: dict[str, Any], method: str, path: str,
                    status: int) -> dict[str, Any]:
    responses = spec["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method.upper()} {path}: {status} not declared"
    schema: dict[str, Any] = responses[str(status)]["content"]["application/json"]["schema"]
    return schema


def _takes_input(operation: dict[str, Any]) -> bool:
    return bool(operation.get("parameters") or operation.get("requestBody"))


def test_every_operation_declares_the_error_model_it_sends(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    error = schemas["ErrorResponse"]
    assert error["properties"]["detail"]["type"] == "string"
    assert error["required"] == ["detail"]
    seen = 0
    for method, path, operation in operations(spec):
        if not path.startswith("/v1/"):
            continue
        seen += 1
        responses = operation["responses"]
        errors = {code for code in responses if code[0] in "45"}
        assert "503" in errors, f"{method} {path}: a busy database is not declared"
        if _takes_input(operation):
            assert "422" in errors, f"{method} {path}: no 422 declared"
        if "requestBody" in operation:
            assert "413" in errors, f"{method} {path}: no 413 declared"
        for code in errors:
            content = responses[code].get("content", {})
            assert content.get("application/json", {}).get("schema") == {
                "$ref": "#/components/schemas/ErrorResponse"}, f"{method} {path} {code}"
            assert responses[code]["description"]
    assert seen >= 15  # every /v1/ operation (more with each area)


# --- real error answers, validated against the declaration -----------------------------

def _raw_post_too_large(url: str, path: str) -> httpx.Response:
    """A POST announcing a body over the limit, sent by hand (no client would): the
    service refuses it from the header, before any body is read."""
    parsed = httpx.URL(url)
    with socket.create_connection((parsed.host, parsed.port), timeout=10) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: {parsed.host}\r\n"
                     f"Content-Type: application/json\r\n"
                     f"Content-Length: {MAX_BODY_BYTES + 1}\r\n\r\n".encode())
        data = b""
        while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < int(
                _header(data, b"content-length") or 0):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    status = int(head.split(b" ", 2)[1])
    return httpx.Response(status, content=body,
                          headers={"content-type": _header(data, b"content-type") or ""})


def _header(data: bytes, name: bytes) -> str | None:
    for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name:
            return value.strip().decode()
    return None


@pytest.fixture(scope="module")
def probed(module_db_url: str) -> Iterator[list[tuple[str, str, httpx.Response]]]:
    """(method, path template, real error answer) for every operation: at least one
    error per operation, most of each operation's declared statuses."""
    answers: list[tuple[str, str, httpx.Response]] = []
    with CentralServer(module_db_url, today=lambda: TODAY, demo_data=True,
                       admin_token=ADMIN_TOKEN, enrolment_token=ENROLMENT_TOKEN,
                       public_verify_limit=(1, 0.001)) as server, \
            httpx.Client(base_url=server.url, timeout=10.0) as http:

        def probe(method: str, template: str, path: str | None = None,
                  **kwargs: Any) -> None:
            answers.append((method, template,
                            http.request(method.upper(), path or template, **kwargs)))

        kiosk = SealingKiosk("K-openapi")
        assert http.post("/v1/kiosks/enroll", json=kiosk.enrol_body()).status_code == 200
        now = datetime.now(UTC).isoformat()
        query = {"type_code": "01", "code": "033001800111", "number": "25672225",
                 "issued_on": "2018-06-10", "amount": "100.00"}

        probe("post", "/v1/invoices/verify", json={})
        probe("post", "/v1/invoices/verify", json=query | {"type_code": "99"})
        probe("post", "/v1/invoices/verify", json=query)  # uses up the burst of 1
        probe("post", "/v1/invoices/verify", json=query)  # 429
        template = "/v1/kiosks/{kiosk_id}/verify"
        probe("post", template, "/v1/kiosks/K-openapi/verify", json={})
        stranger = KioskKeys.generate()
        probe("post", template, "/v1/kiosks/K-stranger/verify",
              json=signed_verify_body("K-stranger", stranger, query))
        signed = signed_verify_body("K-openapi", kiosk.keys, query)
        http.post("/v1/kiosks/K-openapi/verify", json=signed)
        probe("post", template, "/v1/kiosks/K-openapi/verify", json=signed)  # replay
        probe("post", "/v1/kiosks/enroll", json={})
        probe("post", "/v1/kiosks/enroll", json=kiosk.enrol_body(token="wrong"))
        other = SealingKiosk("K-openapi")
        probe("post", "/v1/kiosks/enroll", json=other.enrol_body())  # other keys: 409
        template = "/v1/admin/kiosks/{kiosk_id}/approve"
        probe("post", template, "/v1/admin/kiosks/K-openapi/approve",
              json={"key_fingerprint": "x"})
        probe("post", template, "/v1/admin/kiosks/K-openapi/approve",
              json={"key_fingerprint": "x"}, headers=WRONG_ADMIN)
        probe("post", template, "/v1/admin/kiosks/K-openapi/approve", json={},
              headers=ADMIN)
        probe("post", template, "/v1/admin/kiosks/K-nobody/approve",
              json={"key_fingerprint": "x"}, headers=ADMIN)
        probe("post", template, "/v1/admin/kiosks/K-openapi/approve",
              json={"key_fingerprint": "0000-0000"}, headers=ADMIN)
        template = "/v1/admin/kiosks/{kiosk_id}"
        probe("get", template, "/v1/admin/kiosks/K-openapi")
        probe("get", template, "/v1/admin/kiosks/K-nobody", headers=ADMIN)
        template = "/v1/admin/kiosks/{kiosk_id}/out-of-service"  # issue #14 §2
        for method in ("get", "post", "delete"):
            probe(method, template, "/v1/admin/kiosks/K-openapi/out-of-service")
            probe(method, template, "/v1/admin/kiosks/K-nobody/out-of-service", headers=ADMIN,
                  **({"json": {k: "x" for k in ("reason_zh", "reason_en", "alternative_zh",
                                               "alternative_en")}} if method == "post" else {}))
        probe("post", template, "/v1/admin/kiosks/K-openapi/out-of-service", headers=ADMIN,
              json={"reason_zh": ""})
        probe("post", "/v1/sync/batch", json={})
        probe("post", "/v1/sync/batch", json={"kiosk_id": "K-nobody", "records": []})
        probe("post", "/v1/sync/batch", json={"kiosk_id": "K-openapi", "records": [
            kiosk.record("k", {}).model_dump(mode="json") | {"kiosk_id": "K-other"}]})
        probe("get", "/v1/verifications/{uuid}", "/v1/verifications/unknown")
        template = "/v1/audit/kiosks/{kiosk_id}/records"
        probe("get", template, "/v1/audit/kiosks/K-openapi/records")
        probe("get", template, "/v1/audit/kiosks/K-openapi/records?after_seq=-1",
              headers=ADMIN)
        template = "/v1/audit/kiosks/{kiosk_id}/assistance"  # remote assistance (#14)
        probe("get", template, "/v1/audit/kiosks/K-openapi/assistance")
        probe("get", template, "/v1/audit/kiosks/K-openapi/assistance?limit=0", headers=ADMIN)
        for area in ("heartbeat", "staff", "staff/pin"):
            template = f"/v1/kiosks/{{kiosk_id}}/{area}"
            probe("post", template, f"/v1/kiosks/K-openapi/{area}", json={})
            probe("post", template, f"/v1/kiosks/K-openapi/{area}",
                  json={"kiosk_id": "K-openapi", "sent_at": now, "signature": b64e(
                      b"\0" * 64)} | ({"card": "0" * 64, "nonce": b64e(b"\0" * 12),
                                       "ciphertext": "AAAA"} if area == "staff/pin"
                                      else {"software_version": "1", "queue_depth": 0}
                                      if area == "heartbeat" else {}))
        probe("get", "/v1/reference", "/v1/reference?cursor=-1")
        probe("post", "/v1/admin/reference", content=b"[]")
        probe("post", "/v1/admin/reference", content=b"[", headers=ADMIN)
        probe("post", "/v1/admin/import-invoices", content=b"x", headers=WRONG_ADMIN)
        probe("post", "/v1/admin/import-invoices", content=b"\xff\xfe\xfa", headers=ADMIN)
        # Certificates (central.routes.certificates).
        probe("get", "/v1/certificates/{number}", "/v1/certificates/000")  # 404
        probe("post", "/v1/certificates/check-code", json={})
        probe("post", "/v1/certificates/check-code", json={"code": "2222333344445555"})
        template = "/v1/admin/certificates/{number}/revoke"
        probe("post", template, "/v1/admin/certificates/000/revoke", json={})
        probe("post", template, "/v1/admin/certificates/000/revoke", json={},
              headers=WRONG_ADMIN)
        probe("post", template, "/v1/admin/certificates/000/revoke", json={}, headers=ADMIN)
        template = "/v1/kiosks/{kiosk_id}/certificate/issue"
        probe("post", template, "/v1/kiosks/K-openapi/certificate/issue", json={})
        probe("post", template, "/v1/kiosks/K-nobody/certificate/issue", json={
            "kiosk_id": "K-nobody", "sent_at": now, "nonce": b64e(b"\0" * 12),
            "ciphertext": "AAAA", "signature": b64e(b"\0" * 64)})  # 403
        # Taxpayer identity and look-ups (central.routes.identity, .taxpayer): sealed
        # calls of an approved kiosk, the demo QR approval, the registry import.
        for purpose, area in SEALED_ROUTES.items():
            if purpose.startswith("certificate."):
                continue
            template = f"/v1/kiosks/{{kiosk_id}}/{area}"
            probe("post", template, f"/v1/kiosks/K-openapi/{area}", json={})
            probe("post", template, f"/v1/kiosks/K-nobody/{area}",
                  json=sealed_body("K-nobody", stranger, purpose, {}))  # 403
        probe("post", "/v1/kiosks/{kiosk_id}/taxpayer/info",
              "/v1/kiosks/K-openapi/taxpayer/info",
              json=sealed_body("K-openapi", kiosk.keys, "taxpayer.info",
                               {"session": "A" * 43}))  # 401 session.expired
        card = sealed_body("K-openapi", kiosk.keys, "identity.id_card",
                           {"id_number": "110105199001011234", "name": "x",
                            "valid_until": "长期"})
        template = "/v1/kiosks/{kiosk_id}/identity/id-card"
        probe("post", template, "/v1/kiosks/K-openapi/identity/id-card", json=card)  # 404
        probe("post", template, "/v1/kiosks/K-openapi/identity/id-card", json=card)  # 409
        template = "/v1/login/qr/{token}/approve"
        probe("post", template, "/v1/login/qr/x/approve", json={"tin": "1" * 18})
        probe("post", template, "/v1/login/qr/x/approve", json={"tin": "1" * 18},
              headers=WRONG_ADMIN)
        probe("post", template, "/v1/login/qr/x/approve", json={"tin": "1" * 18},
              headers=ADMIN)  # 404 login.qr_expired
        probe("post", template, "/v1/login/qr/x/approve", json={}, headers=ADMIN)
        probe("post", "/v1/admin/registry", content=b"{}")
        probe("post", "/v1/admin/registry", content=b"{}", headers=WRONG_ADMIN)
        probe("post", "/v1/admin/registry", content=b"[", headers=ADMIN)
        # Consultation and the tax school (central.routes.consult, .school).
        probe("get", "/v1/tickets/{number}", "/v1/tickets/GD000000000000")  # 404
        probe("get", "/v1/tickets/{number}", "/v1/tickets/GD123")  # 422
        probe("get", "/v1/admin/tickets", "/v1/admin/tickets")  # 401
        probe("get", "/v1/admin/tickets", "/v1/admin/tickets?limit=0", headers=ADMIN)
        template = "/v1/admin/tickets/{number}/replies"
        probe("post", template, "/v1/admin/tickets/GD000000000000/replies",
              json={"body": "x"}, headers=WRONG_ADMIN)
        probe("post", template, "/v1/admin/tickets/GD000000000000/replies",
              json={"body": "x"}, headers=ADMIN)  # 404
        probe("post", template, "/v1/admin/tickets/GD000000000000/replies", json={},
              headers=ADMIN)
        probe("get", "/v1/admin/suggestions", "/v1/admin/suggestions", headers=WRONG_ADMIN)
        probe("get", "/v1/admin/suggestions", "/v1/admin/suggestions?after_id=-1",
              headers=ADMIN)
        for purpose, area in (("invoices.courier", "invoices/courier"),
                              ("invoices.pickup_cache", "invoices/pickup-cache")):
            template = f"/v1/kiosks/{{kiosk_id}}/{area}"
            probe("post", template, f"/v1/kiosks/K-openapi/{area}", json={})
            probe("post", template, f"/v1/kiosks/K-nobody/{area}",
                  json=sealed_body("K-nobody", stranger, purpose, {}))  # 403
        template = "/v1/kiosks/{kiosk_id}/school/seats"
        probe("post", template, "/v1/kiosks/K-openapi/school/seats", json={})
        probe("post", template, "/v1/kiosks/K-nobody/school/seats",
              json=sealed_body("K-nobody", stranger, "school.seats", {}))  # 403
        probe("post", "/v1/kiosks/{kiosk_id}/school/book",
              "/v1/kiosks/K-openapi/school/book",
              json=sealed_body("K-openapi", kiosk.keys, "school.book",
                               {"session": "A" * 43, "course": "c-x"}))  # 401
        # The demo acquirer's payer side (central.routes.payments): token, order, query.
        for action in ("pay", "cancel", "busy"):
            template = f"/v1/demo/acquirer/{{order_id}}/{action}"
            unknown = f"/v1/demo/acquirer/{'0' * 32}/{action}"
            probe("post", template, unknown)  # 401
            probe("post", template, unknown, headers=WRONG_ADMIN)  # 403
            probe("post", template, unknown, headers=ADMIN)  # 404
        probe("post", "/v1/demo/acquirer/{order_id}/busy",
              f"/v1/demo/acquirer/{'0' * 32}/busy?reverses=0", headers=ADMIN)  # 422
        for _method, path, operation in operations(http.get("/openapi.json").json()):
            if "requestBody" in operation:
                answers.append(("post", path, _raw_post_too_large(
                    server.url, path.replace("{kiosk_id}", "K-openapi"))))
        yield answers


def test_real_error_answers_match_the_declared_schema(spec: dict[str, Any],
                                                      probed: list[Any]) -> None:
    covered: dict[tuple[str, str], set[int]] = {}
    for method, path, response in probed:
        status = response.status_code
        assert status >= 400, (method, path, response.text)
        assert response.headers["content-type"].startswith("application/json")
        body = response.json()
        problems = schema_errors(body, declared_schema(spec, method, path, status), spec)
        assert not problems, (method, path, status, body, problems)
        assert isinstance(body["detail"], str) and body["detail"]
        if status == 422 and "errors" in body:
            assert body["errors"] and all(isinstance(e["msg"], str) for e in body["errors"])
        covered.setdefault((method, path), set()).add(status)
    every = {(m, p) for m, p, _ in operations(spec) if p.startswith("/v1/")}
    assert every - set(covered) == {("get", "/v1/health")}  # see the 503 test
    # Each status an operation declares is seen for real, except the few a probe here
    # cannot cause (a busy database; a wrong-but-matching fingerprint after approval...).
    statuses = {s for found in covered.values() for s in found}
    assert statuses == {401, 403, 404, 409, 413, 422, 429}


def test_a_validation_failure_of_every_operation_matches_its_declared_422(
        spec: dict[str, Any], shared_client: httpx.Client, module_db_url: str) -> None:
    """Schemathesis-style: for each operation, a request that breaks its documented
    input (a body of the wrong type, a query parameter that is not a number; on
    PostgreSQL a NUL character in a path parameter) gets a 422 that validates
    against the operation's declared 422."""
    postgres = module_db_url.startswith("postgresql")
    tried = []
    for method, path, operation in operations(spec):
        if not path.startswith("/v1/") or not _takes_input(operation):
            continue
        url = path.replace("{kiosk_id}", "K-openapi").replace("{uuid}", "0" * 32)
        headers = ADMIN if "401" in operation["responses"] else {}
        body = operation.get("requestBody", {}).get("content", {})
        integers = [p["name"] for p in operation.get("parameters", ())
                    if p["in"] == "query" and p["schema"].get("type") == "integer"]
        if "application/json" in body:
            response = shared_client.request(method.upper(), url, json=["not", "an object"],
                                             headers=headers)
        elif "text/csv" in body:
            response = shared_client.request(method.upper(), url, content=b"\xff\xfe",
                                             headers=headers)
        elif integers:
            response = shared_client.request(method.upper(), url,
                                             params={integers[0]: "not-a-number"},
                                             headers=headers)
        elif postgres:
            # Only string path parameters: only the database refuses one (PostgreSQL
            # text holds no NUL character; SQLite does, so nothing to refuse there).
            url = path.replace("{kiosk_id}", "K%00").replace("{uuid}", "%00") \
                .replace("{number}", "%00")
            response = shared_client.request(method.upper(), url, headers=headers)
        else:
            continue
        assert response.status_code == 422, (method, path, response.text)
        problems = schema_errors(response.json(), declared_schema(spec, method, path, 422),
                                 spec)
        assert not problems, (method, path, response.json(), problems)
        tried.append((method, path))
    assert len(tried) >= (14 if postgres else 12), tried


def test_a_busy_database_answers_the_declared_503(tmp_path: Path) -> None:
    """The database gone from under a running service: 503 with Retry-After, as
    declared on every operation (here /v1/health, which takes no input)."""
    folder = tmp_path / "db"
    folder.mkdir()
    with CentralServer(f"sqlite:///{folder / 'central.db'}") as server, \
            httpx.Client(base_url=server.url, timeout=10.0) as http:
        spec = http.get("/openapi.json").json()
        assert http.get("/v1/health").status_code == 200
        server.app.state.engine.dispose()
        shutil.rmtree(folder)
        response = http.get("/v1/health")
        assert response.status_code == 503, response.text
        assert response.headers["Retry-After"] == "1"
        assert not schema_errors(response.json(),
                                 declared_schema(spec, "get", "/v1/health", 503), spec)
