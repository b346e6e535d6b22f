"""HTTP Message Signatures (RFC 9421, ed25519) and Content-Digest (RFC 9530) for box → hub requests.

The RFC vectors are read in place from ../shared/fixtures (see the NOTES.txt files next to them).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict

import sync._structured as sf
from sync._digest import DigestError, content_digest, verify_content_digest
from sync._signing import (
    CLOCK_SKEW,
    HttpRequest,
    SignatureError,
    component_value,
    sign_request,
    signature_base,
    verify_message,
    verify_request,
)
from tests.conftest import shared_fixture

NOW = 1_700_000_000
BODY = b'{"changes": []}'
BOX_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
KEYS = {"box-1": BOX_KEY.public_key()}
PARAMS = f';created={NOW};keyid="box-1";alg="ed25519"'
REQUIRED = ("@method", "@path", "@query", "content-digest")


def rfc9421() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(shared_fixture("rfc9421-ed25519.json").read_text())
    return data


def rfc9530() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(shared_fixture("rfc9530-examples.json").read_text())
    return data


def rfc_keys(vectors: dict[str, Any]) -> tuple[Ed25519PrivateKey, Ed25519PublicKey]:
    private = load_pem_private_key(vectors["private_key_pem"].encode(), password=None)
    public = load_pem_public_key(vectors["public_key"]["pem"].encode())
    assert isinstance(private, Ed25519PrivateKey) and isinstance(public, Ed25519PublicKey)
    return private, public


def parse_message(raw: str) -> HttpRequest:
    """A request as the RFC prints it: request line, field lines, an empty line, the content."""
    head = raw.split("\n\n", 1)[0].rstrip("\n")
    request_line, *lines = head.split("\n")
    method, target, _version = request_line.split(" ")
    fields = [(name, value.strip()) for name, _, value in (line.partition(":") for line in lines)]
    return HttpRequest(method, target, fields)


def covered_and_params(signature_input: str) -> tuple[list[str], str]:
    [(_label, member)] = sf.parse_dictionary(signature_input)
    assert isinstance(member, sf.InnerList)
    return [str(item.value) for item in member.items], sf.serialize_params(member.params)


def signed(
    covered: Sequence[str] = REQUIRED,
    params: str = PARAMS,
    *,
    key: Ed25519PrivateKey = BOX_KEY,
    target: str = "/sync/push",
    fields: Sequence[tuple[str, str]] = (),
) -> dict[str, str]:
    """Headers of a POST of BODY signed over any components, with any parameter text."""
    headers = {"Content-Digest": content_digest(BODY), **dict(fields)}
    request = HttpRequest("POST", target, list(headers.items()))
    base = signature_base([(name, component_value(request, name)) for name in covered], params)
    inner = " ".join(f'"{name}"' for name in covered)
    signature = base64.b64encode(key.sign(base.encode())).decode()
    return {
        **headers,
        "Signature-Input": f"sig1=({inner}){params}",
        "Signature": f"sig1=:{signature}:",
    }


def verify(headers: dict[str, str], path: str = "/sync/push", body: bytes = BODY) -> str:
    return verify_request("POST", path, headers, body, KEYS.get, NOW)


def refusal(headers: dict[str, str], path: str = "/sync/push", body: bytes = BODY) -> str:
    with pytest.raises(SignatureError) as caught:
        verify(headers, path, body)
    assert caught.value.reason == str(caught.value)
    return caught.value.reason


# RFC 9421 Appendix B.2.6 and B.4 ----------------------------------------------------------------


def test_b26_signature_base_is_rebuilt_byte_for_byte() -> None:
    vectors = rfc9421()
    request = parse_message(vectors["request"]["raw"])
    assert request.fields == [tuple(field) for field in vectors["request"]["headers"]]
    covered, params = covered_and_params(vectors["signature_input"])
    assert covered == ["date", "@method", "@path", "@authority", "content-type", "content-length"]
    base = signature_base([(name, component_value(request, name)) for name in covered], params)
    assert base.encode() == vectors["signature_base"].encode()
    assert hashlib.sha256(base.encode()).hexdigest() == vectors["signature_base_sha256_hex"]
    assert component_value(request, "@path") == "/foo"
    assert component_value(request, "@authority") == "example.com"


def test_b26_signing_gives_the_rfc_signature_bytes_and_verifies() -> None:
    vectors = rfc9421()
    private, public = rfc_keys(vectors)
    raw_private = Ed25519PrivateKey.from_private_bytes(
        bytes.fromhex(vectors["private_key_raw_hex"])
    )
    assert raw_private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw) == bytes.fromhex(
        vectors["public_key"]["raw_hex"]
    )
    signature = private.sign(vectors["signature_base"].encode())
    assert signature.hex() == vectors["signature_raw_hex"]
    assert vectors["signature"] == f"sig-b26=:{base64.b64encode(signature).decode()}:"
    public.verify(signature, vectors["signature_base"].encode())


def test_b26_request_verifies_with_the_public_key_and_not_with_another() -> None:
    vectors = rfc9421()
    _, public = rfc_keys(vectors)
    sent = parse_message(vectors["request"]["raw"])
    signature_fields = [("Signature-Input", vectors["signature_input"])]
    signature_fields += [("Signature", vectors["signature"])]
    request = HttpRequest(sent.method, sent.target, [*sent.fields, *signature_fields])
    verified = verify_message(request, {vectors["keyid"]: public}.get)
    assert (verified.label, verified.keyid) == ("sig-b26", "test-key-ed25519")
    assert verified.params["created"] == 1618884473
    with pytest.raises(SignatureError, match=r"^bad signature$"):
        verify_message(request, {vectors["keyid"]: OTHER_KEY.public_key()}.get)
    with pytest.raises(SignatureError, match=r"^missing alg$"):  # the hub's policy is stricter
        verify_message(request, {vectors["keyid"]: public}.get, REQUIRED, require_alg=True)
    verify_content_digest(
        request.field("content-digest") or "", vectors["request"]["body"].encode()
    )


def test_b4_has_four_allowed_and_two_forbidden_transformations() -> None:
    messages = rfc9421()["b4_transformations"]["messages"]
    assert [m["expected_valid_per_rfc"] for m in messages] == [True] * 4 + [False] * 2


@pytest.mark.parametrize("index", range(6))
def test_b4_transformations(index: int) -> None:
    vectors = rfc9421()
    _, public = rfc_keys(vectors)
    case = vectors["b4_transformations"]["messages"][index]
    request = parse_message(case["message"])
    covered, params = covered_and_params(request.field("signature-input") or "")
    base = signature_base([(name, component_value(request, name)) for name in covered], params)
    assert base == case["recomputed_signature_base"]
    if case["expected_valid_per_rfc"]:
        assert verify_message(request, {"test-key-ed25519": public}.get).label == "transform"
    else:
        with pytest.raises(SignatureError, match=r"^bad signature$"):
            verify_message(request, {"test-key-ed25519": public}.get)


# RFC 9530 -----------------------------------------------------------------------------------------


def tampered(value: str) -> str:
    """The field value with the first character of its first digest changed."""
    start = value.index("=:") + 2
    return value[:start] + ("B" if value[start] == "A" else "A") + value[start + 1 :]


def test_rfc9530_every_digest_is_recomputed() -> None:
    examples = rfc9530()["examples"]
    assert len(examples) >= 19
    for example in examples:
        body = bytes.fromhex(example["body_hex"])
        for check in example["checks"]:
            digest = content_digest(body, check["algorithm"])
            assert digest == f"{check['algorithm']}={check['computed_with_hashlib']}"
            assert (digest == f"{check['algorithm']}={check['expected']}") is check["matches"]


def test_rfc9530_matching_examples_verify_and_tampered_ones_are_refused() -> None:
    matching = [e for e in rfc9530()["examples"] if e["verdict"].startswith("all digests match")]
    assert len(matching) >= 14
    for example in matching:
        body, value = bytes.fromhex(example["body_hex"]), example["field_value"]
        verify_content_digest(value, body)
        with pytest.raises(DigestError, match=r"does not match the body$"):
            verify_content_digest(value, body + b"!")
        with pytest.raises(DigestError, match=r"does not match the body$"):
            verify_content_digest(tampered(value), body)


@pytest.mark.parametrize(
    ("verdict", "message"),
    [
        ("mismatch", "does not match the body$"),
        ("mixed", "^sha-256 does not match the body$"),
        ("malformed", "^malformed Content-Digest: byte sequence is not base64: too much padding$"),
    ],
)
def test_rfc9530_quirks_are_refused(verdict: str, message: str) -> None:
    cases = [e for e in rfc9530()["examples"] if e["verdict"].startswith(verdict)]
    assert cases
    for example in cases:
        with pytest.raises(DigestError, match=message):
            verify_content_digest(example["field_value"], bytes.fromhex(example["body_hex"]))


def test_rfc9530_want_fields_parse_as_dictionaries_of_integers() -> None:
    for want in rfc9530()["want_fields"]:
        members = sf.parse_dictionary(want["value"])
        assert members and all(isinstance(m, sf.Item) for _, m in members)
        assert all(type(m.value) is int for _, m in members if isinstance(m, sf.Item))


def test_content_digest_ignores_unknown_algorithms_and_needs_a_known_one() -> None:
    sha256, sha512 = content_digest(BODY), content_digest(BODY, "sha-512")
    verify_content_digest(f"unixsum=:AAAA:, md5=7, {sha256}, {sha512}", BODY)
    with pytest.raises(DigestError, match=r"^no known digest algorithm \(sha-256 or sha-512\)$"):
        verify_content_digest("unixsum=:AAAA:, sha=:AAAA:", BODY)
    with pytest.raises(DigestError, match=r"^sha-512 does not match the body$"):
        verify_content_digest(f"{sha256}, {content_digest(b'other', 'sha-512')}", BODY)
    with pytest.raises(DigestError, match=r"^sha-256 does not match the body$"):
        verify_content_digest(f"{sha256}, {content_digest(b'other')}", BODY)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ('sha-256="abc"', "malformed Content-Digest: sha-256 is not a byte sequence"),
        ("sha-256=(:AAAA:)", "malformed Content-Digest: sha-256 is not a byte sequence"),
        ("sha-256=:AAAA", "malformed Content-Digest: expected a byte sequence at offset 8"),
        (
            "sha-256=:AAAA:,",
            "malformed Content-Digest: expected ',' and another member at offset 14",
        ),
        ("", "no known digest algorithm (sha-256 or sha-512)"),
    ],
)
def test_malformed_content_digest_is_refused(header: str, message: str) -> None:
    with pytest.raises(DigestError) as caught:
        verify_content_digest(header, BODY)
    assert str(caught.value) == message


def test_content_digest_refuses_an_unknown_algorithm() -> None:
    assert content_digest(b"") == "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:"
    with pytest.raises(DigestError, match=r"unsupported digest algorithm 'md5'"):
        content_digest(b"", "md5")


# Structured fields (RFC 8941) -------------------------------------------------------------------


def test_structured_dictionary_members_params_and_bare_items() -> None:
    text = 'a=1, b=-2.50;x, c="q\\"\\\\", d=tok/en:1, e=:AQID:, f=?0, g;h=?1, i=("x" y);p=1'
    members = dict(sf.parse_dictionary(f"  {text}  "))
    assert members["a"] == sf.Item(1)
    assert members["b"] == sf.Item(Decimal("-2.50"), {"x": True})
    assert members["c"] == sf.Item('q"\\')
    assert members["d"] == sf.Item(sf.Token("tok/en:1"))
    assert members["e"] == sf.Item(b"\x01\x02\x03")
    assert members["f"] == sf.Item(False)
    assert members["g"] == sf.Item(True, {"h": True})
    assert members["i"] == sf.InnerList((sf.Item("x"), sf.Item(sf.Token("y"))), {"p": 1})
    assert [sf.serialize_bare_item(m.value) for m in (members["b"], members["c"])] == [
        "-2.5",
        '"q\\"\\\\"',
    ]
    assert isinstance(members["i"], sf.InnerList)
    assert sf.serialize_inner_list(members["i"]) == '("x" y);p=1'


def test_structured_byte_sequences_may_omit_padding_but_not_overdo_it() -> None:
    assert sf.parse_dictionary("k=:AQI:") == [("k", sf.Item(b"\x01\x02"))]
    for bad in ("k=:AQI==:", "k=:A:", "k=:AQ=I:"):
        with pytest.raises(sf.StructuredFieldError):
            sf.parse_dictionary(bad)


@pytest.mark.parametrize(
    "text",
    ["a=1,", "a=1 b=2", "A=1", "a=1234567890123456", "a=1.2345", "a=(1 2", 'a="\x01"', "a=@1"],
)
def test_structured_parser_refuses_invalid_text(text: str) -> None:
    with pytest.raises(sf.StructuredFieldError):
        sf.parse_dictionary(text)


def test_structured_serializer_refuses_values_it_cannot_write() -> None:
    for value in ("é", 10**15, sf.Token("1x")):
        with pytest.raises(sf.StructuredFieldError):
            sf.serialize_bare_item(value)
    with pytest.raises(sf.StructuredFieldError):
        sf.serialize_key("Sig")


# sign_request / verify_request -------------------------------------------------------------------


def test_sign_request_round_trips() -> None:
    headers = sign_request(BOX_KEY, "box-1", "POST", "/sync/push", BODY, NOW)
    assert headers["Content-Digest"] == content_digest(BODY)
    assert headers["Signature-Input"] == (
        'sig1=("@method" "@path" "@query" "content-digest")'
        f';created={NOW};keyid="box-1";alg="ed25519"'
    )
    assert headers["Signature"].startswith("sig1=:") and headers["Signature"].endswith(":")
    assert verify(headers) == "box-1"
    assert headers == signed()  # the same base, and Ed25519 is deterministic


def test_headers_are_looked_up_case_insensitively_and_per_field_line() -> None:
    headers = sign_request(BOX_KEY, "box-1", "GET", "/sync/pull", b"", NOW, label="box")
    lower = {name.lower(): value for name, value in headers.items()}
    assert verify_request("GET", "/sync/pull", lower, b"", KEYS.get, NOW) == "box-1"
    multi = CIMultiDict({name.upper(): value for name, value in headers.items()})
    assert verify_request("GET", "/sync/pull", multi, b"", KEYS.get, NOW) == "box-1"


def test_the_query_is_covered_so_a_pull_cursor_cannot_be_moved() -> None:
    headers = sign_request(BOX_KEY, "box-1", "GET", "/sync/pull?since=5", b"", NOW)
    assert verify_request("GET", "/sync/pull?since=5", headers, b"", KEYS.get, NOW) == "box-1"
    for tampered in ("/sync/pull?since=9", "/sync/pull"):
        with pytest.raises(SignatureError, match="bad signature"):
            verify_request("GET", tampered, headers, b"", KEYS.get, NOW)


@pytest.mark.parametrize("header", ["Signature-Input", "Signature", "Content-Digest"])
def test_missing_headers_are_refused(header: str) -> None:
    headers = signed()
    del headers[header]
    assert refusal(headers) == f"missing {header} header"
    assert refusal({**signed(), header: ""}) == f"missing {header} header"


@pytest.mark.parametrize(
    ("header", "value", "reason"),
    [
        (
            "Signature-Input",
            'sig1=("@method" "@path"',
            "malformed Signature-Input: unterminated inner list at offset 23",
        ),
        (
            "Signature-Input",
            'sig1=("@method" @path)',
            "malformed Signature-Input: expected an item at offset 16",
        ),
        (
            "Signature-Input",
            'sig1="@method"',
            "malformed Signature-Input: 'sig1' is not an inner list",
        ),
        (
            "Signature-Input",
            f'sig1=("@method";req "@path" "content-digest"){PARAMS}',
            'unsupported component "@method";req',
        ),
        (
            "Signature-Input",
            f"sig1=({' '.join(map(str, range(3)))}){PARAMS}",
            "unsupported component 0",
        ),
        (
            "Signature",
            "sig1=:not base64!:",
            "malformed Signature: expected a byte sequence at offset 5",
        ),
        (
            "Signature",
            "sig1=:AAAAA==:",
            "malformed Signature: byte sequence is not base64: too much padding",
        ),
        ("Signature", "sig1=sig", "malformed Signature: 'sig1' is not a byte sequence"),
        ("Signature", "Sig1=:AAAA:", "malformed Signature: expected a key at offset 0"),
    ],
)
def test_unparseable_signature_fields_are_refused(header: str, value: str, reason: str) -> None:
    assert refusal({**signed(), header: value}) == reason


def test_a_label_in_one_header_only_is_refused() -> None:
    headers = signed()
    renamed = {**headers, "Signature": headers["Signature"].replace("sig1=", "sig2=")}
    assert refusal(renamed) == "label 'sig1' is in Signature-Input but not in Signature"
    extra = {**headers, "Signature": f"{headers['Signature']}, sig2=:AAAA:"}
    assert refusal(extra) == "label 'sig2' is in Signature but not in Signature-Input"


@pytest.mark.parametrize("header", ["Signature", "Signature-Input"])
def test_a_duplicated_label_is_refused(header: str) -> None:
    headers = signed()
    other = signed(key=OTHER_KEY)[header]
    assert refusal({**headers, header: f"{headers[header]}, {other}"}) == (
        f"duplicate label 'sig1' in {header}"
    )
    lines = CIMultiDict(headers)
    lines.add(header, other)  # a second field line with the same label
    with pytest.raises(SignatureError, match=f"^duplicate label 'sig1' in {header}$"):
        verify_request("POST", "/sync/push", lines, BODY, KEYS.get, NOW)


@pytest.mark.parametrize("component", REQUIRED)
def test_every_required_component_must_be_covered(component: str) -> None:
    covered = [name for name in REQUIRED if name != component]
    assert refusal(signed(covered)) == f"component {component!r} is not covered"


def test_more_components_may_be_covered() -> None:
    fields = [("Content-Type", "application/json"), ("Host", "hub.example")]
    covered = [*REQUIRED, "content-type", "@authority"]
    headers = signed(covered, target="/sync/push?batch=1", fields=fields)
    assert verify(headers, path="/sync/push?batch=1") == "box-1"
    assert refusal(headers, path="/sync/push?batch=2") == "bad signature"


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        (f';created={NOW};keyid="box-1";alg="hmac-sha256"', "unsupported alg 'hmac-sha256'"),
        (f';created={NOW};keyid="box-1";alg=ed25519', "unsupported alg Token(value='ed25519')"),
        (f';created={NOW};keyid="box-1"', "missing alg"),
        (f';created={NOW};alg="ed25519"', "missing keyid"),
        (f';created={NOW};keyid=1;alg="ed25519"', "malformed keyid"),
        (f';created={NOW};keyid="box-9";alg="ed25519"', "unknown keyid 'box-9'"),
        (';keyid="box-1";alg="ed25519"', "missing created"),
        (f';created="{NOW}";keyid="box-1";alg="ed25519"', "malformed created"),
        (f"{PARAMS};expires={NOW - 1}", "signature expired"),
    ],
)
def test_signature_parameters_are_checked(params: str, reason: str) -> None:
    assert refusal(signed(params=params)) == reason


@pytest.mark.parametrize(
    ("age", "verifies"),
    [(300, True), (301, False), (-60, True), (-61, False), (86_400 * 30, False)],
)
def test_created_outside_the_window_is_clock_skew(age: int, verifies: bool) -> None:
    headers = sign_request(BOX_KEY, "box-1", "POST", "/sync/push", BODY, NOW - age)
    if verifies:
        assert verify(headers) == "box-1"
    else:
        assert refusal(headers) == CLOCK_SKEW == "clock skew"


def test_a_replay_with_an_old_created_is_clock_skew() -> None:
    headers = sign_request(BOX_KEY, "box-1", "POST", "/sync/push", BODY, NOW)
    assert verify(headers) == "box-1"
    with pytest.raises(SignatureError) as caught:
        verify_request("POST", "/sync/push", headers, BODY, KEYS.get, NOW + 301)
    assert caught.value.reason == "clock skew"


def test_clock_skew_is_only_reported_for_an_authentic_signature() -> None:
    headers = signed(params=f';created={NOW - 3600};keyid="box-1";alg="ed25519"', key=OTHER_KEY)
    assert refusal(headers) == "bad signature"


def test_a_tampered_body_fails_its_digest() -> None:
    reason = "bad Content-Digest: sha-256 does not match the body"
    assert refusal(signed(), body=BODY + b" ") == reason
    assert refusal(signed(), body=b"") == reason
    unknown_only = signed(fields=[("Content-Digest", "unixsum=:AAAA:")])
    assert (
        refusal(unknown_only)
        == "bad Content-Digest: no known digest algorithm (sha-256 or sha-512)"
    )


def test_a_tampered_digest_header_fails_the_signature() -> None:
    headers = signed()
    forged = {**headers, "Content-Digest": content_digest(b"forged")}
    assert refusal(forged, body=b"forged") == "bad signature"


@pytest.mark.parametrize("path", ["/sync/pull", "/sync/push/", "/Sync/push", "/sync/push;x"])
def test_a_tampered_path_fails_the_signature(path: str) -> None:
    assert refusal(signed(), path=path) == "bad signature"


def test_a_tampered_method_fails_the_signature() -> None:
    with pytest.raises(SignatureError, match=r"^bad signature$"):
        verify_request("PUT", "/sync/push", signed(), BODY, KEYS.get, NOW)


def test_a_signature_by_another_key_is_refused() -> None:
    assert refusal(signed(key=OTHER_KEY)) == "bad signature"
    assert refusal(sign_request(OTHER_KEY, "box-1", "POST", "/sync/push", BODY, NOW)) == (
        "bad signature"
    )


def test_a_target_that_is_not_a_path_is_refused() -> None:
    assert refusal(signed(), path="?x=/sync/push") == "request target '?x=/sync/push' is not a path"


def test_a_line_break_in_a_covered_value_is_refused() -> None:
    injected = f'{content_digest(BODY)}\n"@method": GET'
    reason = "component 'content-digest' has a control or non-ASCII character"
    assert refusal({**signed(), "Content-Digest": injected}) == reason
    assert refusal(signed(), path="/sync/push\r\n") == (
        "component '@path' has a control or non-ASCII character"
    )
    with pytest.raises(SignatureError, match=r"^component 'x-note' has a control or non-ASCII"):
        signature_base([("x-note", 'a\n"@method": GET')], PARAMS)
    with pytest.raises(SignatureError, match=r"^component '@path' has a control or non-ASCII"):
        sign_request(BOX_KEY, "box-1", "POST", "/sync/p\u00e9", BODY, NOW)


def test_a_line_break_in_any_covered_field_is_refused_by_verify_message() -> None:
    headers = signed([*REQUIRED, "x-note"], fields=[("X-Note", "fine")])
    assert verify(headers) == "box-1"
    request = HttpRequest("POST", "/sync/push", [*headers.items(), ("X-Note", 'x\n"@path": /')])
    with pytest.raises(SignatureError, match=r"^component 'x-note' has a control or non-ASCII"):
        verify_message(request, KEYS.get)


def test_the_first_usable_label_is_verified() -> None:
    good = signed()
    hmac = signed(params=f';created={NOW};keyid="box-1";alg="hmac-sha256"')
    unknown = signed(params=f';created={NOW};keyid="box-9";alg="ed25519"')
    headers = {
        "Content-Digest": good["Content-Digest"],
        "Signature-Input": ", ".join(
            h["Signature-Input"].replace("sig1", label)
            for h, label in ((hmac, "a"), (unknown, "b"), (good, "c"))
        ),
        "Signature": ", ".join(
            h["Signature"].replace("sig1", label)
            for h, label in ((hmac, "a"), (unknown, "b"), (good, "c"))
        ),
    }
    assert verify(headers) == "box-1"
    request = HttpRequest("POST", "/sync/push", list(headers.items()))
    assert verify_message(request, KEYS.get, REQUIRED, require_alg=True).label == "c"
    without_good = {
        k: v.rsplit(", ", 1)[0] if k != "Content-Digest" else v for k, v in headers.items()
    }
    assert refusal(without_good) == "unsupported alg 'hmac-sha256'"


# Components and the signature base -------------------------------------------------------------


def test_derived_components() -> None:
    request = HttpRequest(
        "GET", "/a/b?x=1&y", [("Host", "Hub.Example:443"), ("Accept", " a "), ("accept", "b")]
    )
    assert component_value(request, "@method") == "GET"
    assert component_value(request, "@path") == "/a/b"
    assert component_value(request, "@query") == "?x=1&y"
    assert component_value(request, "@authority") == "hub.example"
    assert component_value(request, "@target-uri") == "https://hub.example/a/b?x=1&y"
    assert component_value(request, "@scheme") == "https"
    assert component_value(request, "@request-target") == "/a/b?x=1&y"
    assert component_value(request, "accept") == "a, b"
    bare = HttpRequest("GET", "", [])
    assert (component_value(bare, "@path"), component_value(bare, "@query")) == ("/", "?")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("@status", "unsupported component '@status'"),
        ("@signature-params", "unsupported component '@signature-params'"),
        ("Accept", "unsupported component 'Accept'"),
        ("@authority", "component '@authority' is absent from the request"),
        ("date", "component 'date' is absent from the request"),
    ],
)
def test_unknown_or_absent_components_are_refused(name: str, reason: str) -> None:
    with pytest.raises(SignatureError) as caught:
        component_value(HttpRequest("GET", "/", []), name)
    assert caught.value.reason == reason


def test_signature_base_refuses_bad_or_repeated_names() -> None:
    with pytest.raises(SignatureError, match=r"^component '@method' is covered twice$"):
        signature_base([("@method", "GET"), ("@method", "GET")], PARAMS)
    with pytest.raises(SignatureError, match=r"^unsupported component 'X-Note'$"):
        signature_base([("X-Note", "a")], PARAMS)
    with pytest.raises(SignatureError, match=r"^unsupported component '@signature-params'$"):
        signature_base([("@signature-params", "()")], PARAMS)
    assert signature_base([], "") == '"@signature-params": ()'


# Property: sign then verify, and any flipped byte fails ------------------------------------------

PATH_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@%/"


def flip(data: bytes, at: int, mask: int) -> bytes:
    return data[:at] + bytes([data[at] ^ mask]) + data[at + 1 :]


@settings(deadline=None, max_examples=150)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"]),
    path=st.text(PATH_CHARS, max_size=40).map(lambda rest: f"/{rest}"),
    body=st.binary(max_size=300),
    age=st.integers(-60, 300),
    data=st.data(),
)
def test_sign_then_verify_round_trips_and_any_flipped_byte_fails(
    method: str, path: str, body: bytes, age: int, data: st.DataObject
) -> None:
    headers = sign_request(BOX_KEY, "box-1", method, path, body, NOW - age)
    assert verify_request(method, path, headers, body, KEYS.get, NOW) == "box-1"
    mask = data.draw(st.integers(1, 255), label="mask")
    if body:
        bad_body = flip(body, data.draw(st.integers(0, len(body) - 1), label="body byte"), mask)
        with pytest.raises(SignatureError):
            verify_request(method, path, headers, bad_body, KEYS.get, NOW)
    at = data.draw(st.integers(0, len(path) - 1), label="path byte")
    bad_path = flip(path.encode(), at, mask).decode("latin-1")
    with pytest.raises(SignatureError):
        verify_request(method, bad_path, headers, body, KEYS.get, NOW)
    signature = base64.b64decode(headers["Signature"].removeprefix("sig1=:").removesuffix(":"))
    at = data.draw(st.integers(0, len(signature) - 1), label="signature byte")
    bad_signature = base64.b64encode(flip(signature, at, mask)).decode()
    with pytest.raises(SignatureError, match=r"^bad signature$"):
        verify_request(
            method, path, {**headers, "Signature": f"sig1=:{bad_signature}:"}, body, KEYS.get, NOW
        )
