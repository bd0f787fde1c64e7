from support.drivers.redaction import REDACTED, Redactor


def test_headers_by_name_and_known_values_anywhere():
    r = Redactor(["s3cr3t-key"])
    assert r.headers({"Authorization": "Bearer abc", "X-API-Key": "k", "Accept": "json"}) == {
        "Authorization": REDACTED,
        "X-API-Key": REDACTED,
        "Accept": "json",
    }
    assert r.text("the key is s3cr3t-key!") == f"the key is {REDACTED}!"


def test_json_bodies_are_redacted_by_key_at_any_depth():
    r = Redactor()
    body = r.body(
        b'{"user": {"password": "pw", "name": "a"}, "tokens": [{"access_token": "t"}]}',
        "application/json",
    )
    assert "pw" not in body and '"t"' not in body and '"a"' in body


def test_forms_and_query_strings():
    r = Redactor()
    form = r.body(
        b"grant_type=authorization_code&code=abc123&code_verifier=v3r",
        "application/x-www-form-urlencoded",
    )
    assert "abc123" not in form and "v3r" not in form and "authorization_code" in form
    url = r.url("http://h/cb?code=abc123&state=xyz")
    assert "abc123" not in url and "state=xyz" in url


def test_plain_text_secrets_are_redacted_inline():
    r = Redactor()
    assert "hunter2" not in r.body(b"password=hunter2 and more", "text/plain")


def test_a_redirect_location_loses_its_code_but_keeps_its_state():
    location = "http://127.0.0.1:8000/v1/brokerage/callback?code=c0de-value-123&state=abc"
    headers = Redactor().headers({"Location": location, "Content-Length": "0"})
    assert "c0de-value-123" not in headers["Location"]
    assert headers["Location"].endswith("code=***&state=abc")
    assert headers["Content-Length"] == "0"


def test_a_long_body_is_shown_cut_at_a_line_saying_how_much_is_left_out():
    from support.drivers.http import shown

    body = "".join(f"2024-01-{n:02d},SPX,1.00\n" for n in range(1, 2001))
    cut = shown(body, limit=1000)
    head, _, note = cut.rpartition("\n")
    assert body.startswith(head) and head.endswith("1.00") and len(head) <= 1000
    assert note == f"... ({len(body) - len(head):,} more characters not shown of {len(body):,})"
    assert shown("short", limit=1000) == "short"
