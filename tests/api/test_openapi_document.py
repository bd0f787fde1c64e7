"""The OpenAPI document declares every error a route can answer, with the one error schema."""

from __future__ import annotations

import pytest

from quantdesk.api.errors import errors

ERROR_SCHEMA = {"$ref": "#/components/schemas/ErrorOut"}
# Routes anyone may call: no 401 to declare.
PUBLIC = {
    ("get", "/v1/health"),
    ("get", "/v1/ready"),
    ("post", "/v1/sessions"),
    ("get", "/v1/brokerage/callback"),
}


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


def test_every_error_answer_is_declared_with_the_error_schema(client):
    document = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                schema = response["content"]["application/json"]["schema"]
                assert schema == ERROR_SCHEMA, (method, path, status)


def test_every_guarded_route_declares_401_and_every_route_with_a_body_400(client):
    document = client.get("/openapi.json").json()
    for method, path, operation in operations(document):
        declared = set(operation["responses"])
        if (method, path) not in PUBLIC:
            assert "401" in declared, (method, path)
        if "requestBody" in operation:
            assert {"400", "422"} <= declared, (method, path)


def test_a_route_describes_its_own_codes_only_for_statuses_it_declares():
    declared = errors(404, 409, e409="operation_finished")
    assert declared[409]["description"] == "operation_finished"
    assert declared[404]["description"].startswith("not_found")
    with pytest.raises(ValueError, match="409"):
        errors(404, e409="operation_finished")
