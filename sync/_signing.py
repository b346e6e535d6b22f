"""HTTP Message Signatures (RFC 9421) with ed25519, for the requests a box makes to the hub.

A box signs `"@method"`, `"@path"`, `"@query"` and `"content-digest"` (RFC 9530; `?since=` of a
pull is part of what the box asked for) with `created`, `keyid` and
`alg="ed25519"`; the hub verifies with the box's registered key. `verify_message` verifies any
covered components; `verify_request` adds the hub's policy: required components, time, digest.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

import sync._structured as sf
from sync._digest import DigestError, content_digest, verify_content_digest

ALG = "ed25519"
REQUIRED_COMPONENTS = ("@method", "@path", "@query", "content-digest")
#: The reason for a `created` outside the window: the client should set its clock from `Date`.
CLOCK_SKEW = "clock skew"
_NAME = re.compile(r"@?[a-z0-9!#$%&'*+.^_`|~-]+")
_VALUE = re.compile(r"[\t -~]*")
_DEFAULT_PORTS = {"https": ":443", "http": ":80"}

PublicKeyLookup = Callable[[str], Ed25519PublicKey | None]


class SignatureError(ValueError):
    """A signature that cannot be made or does not verify; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class HttpRequest:
    """What components come from: `target` is the path and query, `fields` every field line."""

    method: str
    target: str
    fields: Sequence[tuple[str, str]]
    scheme: str = "https"

    def field(self, name: str) -> str | None:
        """All lines of a field, each trimmed, joined with ", " (RFC 9421 §2.1); None if absent."""
        values = [value.strip(" \t") for key, value in self.fields if key.lower() == name]
        return ", ".join(values) if values else None


@dataclass(frozen=True)
class Verified:
    label: str
    keyid: str
    covered: tuple[str, ...]
    params: sf.Params


def component_value(request: HttpRequest, name: str) -> str:
    """A field's value, or a derived component's: @method, @target-uri, @authority, @scheme,
    @request-target, @path (without the query) or @query (RFC 9421 §2.2)."""
    path, _, query = request.target.partition("?")
    host = request.field("host")
    authority = host.lower().removesuffix(_DEFAULT_PORTS.get(request.scheme, "")) if host else None
    derived = {
        "@method": request.method,
        "@target-uri": authority and f"{request.scheme}://{authority}{request.target}",
        "@authority": authority,
        "@scheme": request.scheme,
        "@request-target": request.target,
        "@path": path or "/",
        "@query": f"?{query}",
    }
    if not _NAME.fullmatch(name) or (name.startswith("@") and name not in derived):
        raise SignatureError(f"unsupported component {name!r}")
    value = derived[name] if name.startswith("@") else request.field(name)
    if value is None:
        raise SignatureError(f"component {name!r} is absent from the request")
    return value


def signature_base(components: list[tuple[str, str]], params: str) -> str:
    """The signature base (RFC 9421 §2.5) of `(name, value)` components; `params` is the
    parameter part of `@signature-params`, e.g. `;created=1618884473;keyid="test-key-ed25519"`."""
    names = [name for name, _ in components]
    lines = [_base_line(name, value, names) for name, value in components]
    return "\n".join([*lines, f'"@signature-params": {_signature_params(names, params)}'])


def _base_line(name: str, value: str, names: list[str]) -> str:
    if not _NAME.fullmatch(name) or name == "@signature-params":
        raise SignatureError(f"unsupported component {name!r}")
    if names.count(name) > 1:
        raise SignatureError(f"component {name!r} is covered twice")
    if not _VALUE.fullmatch(value):
        raise SignatureError(f"component {name!r} has a control or non-ASCII character")
    return f'"{name}": {value}'


def _signature_params(names: list[str], params: str) -> str:
    return sf.serialize_inner_list(sf.InnerList(tuple(sf.Item(name) for name in names))) + params


def sign_request(
    private_key: Ed25519PrivateKey,
    keyid: str,
    method: str,
    path: str,
    body: bytes,
    created: int,
    label: str = "sig1",
) -> dict[str, str]:
    """The Content-Digest, Signature-Input and Signature headers for a request to the hub."""
    digest = content_digest(body)
    request = HttpRequest(method, path, [("content-digest", digest)])
    names = list(REQUIRED_COMPONENTS)
    params = sf.serialize_params({"created": created, "keyid": keyid, "alg": ALG})
    base = signature_base([(name, component_value(request, name)) for name in names], params)
    signature = sf.serialize_bare_item(private_key.sign(base.encode("ascii")))
    return {
        "Content-Digest": digest,
        "Signature-Input": f"{sf.serialize_key(label)}={_signature_params(names, params)}",
        "Signature": f"{label}={signature}",
    }


def verify_message(
    request: HttpRequest,
    public_key_for: PublicKeyLookup,
    required: Collection[str] = (),
    require_alg: bool = False,
) -> Verified:
    """Verify the first signature whose alg is ed25519 (or absent, unless `require_alg`) and
    whose keyid is known, over the components its Signature-Input covers. No time policy."""
    inputs, signatures = _labelled(request, "Signature-Input"), _labelled(request, "Signature")
    _check_labels(inputs, signatures)
    label, member, key, keyid = _select(inputs, public_key_for, require_alg)
    names, params = _covered(member), member.params
    for name in required:
        if name not in names:
            raise SignatureError(f"component {name!r} is not covered")
    components = [(name, component_value(request, name)) for name in names]
    base = signature_base(components, sf.serialize_params(params))
    signature = signatures[label]
    if not isinstance(signature, sf.Item) or not isinstance(signature.value, bytes):
        raise SignatureError(f"malformed Signature: {label!r} is not a byte sequence")
    try:
        key.verify(signature.value, base.encode("ascii"))
    except InvalidSignature:
        raise SignatureError("bad signature") from None
    return Verified(label, keyid, tuple(names), params)


def verify_request(
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes,
    public_key_for: PublicKeyLookup,
    now: int,
    max_age: int = 300,
    max_future: int = 60,
) -> str:
    """The keyid of a request to the hub signed as `sign_request` does, else `SignatureError`.

    `path` is the request target as sent (still percent-encoded; a query is not covered).
    `headers` lists every field line by `items()`. `created` must lie in
    [now - max_age, now + max_future], else the reason is exactly `CLOCK_SKEW`.
    """
    if not path.startswith("/"):
        raise SignatureError(f"request target {path!r} is not a path")
    request = HttpRequest(method, path, list(headers.items()))
    for header in ("Signature-Input", "Signature", "Content-Digest"):
        if not request.field(header.lower()):
            raise SignatureError(f"missing {header} header")
    verified = verify_message(request, public_key_for, REQUIRED_COMPONENTS, require_alg=True)
    _check_window(verified.params, now, max_age, max_future)
    try:
        verify_content_digest(request.field("content-digest") or "", body)
    except DigestError as err:
        raise SignatureError(f"bad Content-Digest: {err}") from err
    return verified.keyid


def _labelled(request: HttpRequest, header: str) -> dict[str, sf.Member]:
    value = request.field(header.lower())
    if not value:
        raise SignatureError(f"missing {header} header")
    try:
        members = sf.parse_dictionary(value)
    except sf.StructuredFieldError as err:
        raise SignatureError(f"malformed {header}: {err}") from err
    labelled: dict[str, sf.Member] = {}
    for label, member in members:
        if label in labelled:
            raise SignatureError(f"duplicate label {label!r} in {header}")
        labelled[label] = member
    return labelled


def _check_labels(inputs: dict[str, sf.Member], signatures: dict[str, sf.Member]) -> None:
    for label in [*inputs, *signatures]:
        if label not in inputs or label not in signatures:
            found, lacking = "Signature-Input", "Signature"
            if label not in inputs:
                found, lacking = lacking, found
            raise SignatureError(f"label {label!r} is in {found} but not in {lacking}")


def _select(
    inputs: dict[str, sf.Member], public_key_for: PublicKeyLookup, require_alg: bool
) -> tuple[str, sf.InnerList, Ed25519PublicKey, str]:
    refusals: list[SignatureError] = []
    for label, member in inputs.items():
        try:
            return label, *_usable_key(label, member, public_key_for, require_alg)
        except SignatureError as refusal:
            refusals.append(refusal)
    raise refusals[0]


def _usable_key(
    label: str, member: sf.Member, public_key_for: PublicKeyLookup, require_alg: bool
) -> tuple[sf.InnerList, Ed25519PublicKey, str]:
    if not isinstance(member, sf.InnerList):
        raise SignatureError(f"malformed Signature-Input: {label!r} is not an inner list")
    alg, keyid = member.params.get("alg"), member.params.get("keyid")
    if alg is None and require_alg:
        raise SignatureError("missing alg")
    if alg is not None and alg != ALG:
        raise SignatureError(f"unsupported alg {alg!r}")
    if not isinstance(keyid, str):
        raise SignatureError("missing keyid" if keyid is None else "malformed keyid")
    key = public_key_for(keyid)
    if key is None:
        raise SignatureError(f"unknown keyid {keyid!r}")
    return member, key, keyid


def _covered(member: sf.InnerList) -> list[str]:
    for item in member.items:
        if not isinstance(item.value, str) or item.params:
            identifier = sf.serialize_bare_item(item.value) + sf.serialize_params(item.params)
            raise SignatureError(f"unsupported component {identifier}")
    return [str(item.value) for item in member.items]


def _check_window(params: sf.Params, now: int, max_age: int, max_future: int) -> None:
    created, expires = _integer(params, "created"), _integer(params, "expires")
    if created is None:
        raise SignatureError("missing created")
    if not now - max_age <= created <= now + max_future:
        raise SignatureError(CLOCK_SKEW)
    if expires is not None and now > expires:
        raise SignatureError("signature expired")


def _integer(params: sf.Params, name: str) -> int | None:
    value = params.get(name)
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise SignatureError(f"malformed {name}")
