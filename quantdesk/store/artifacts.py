"""Model artifact files: saved with skops, checked against their checksum, loaded only with
an explicit list of trusted types.

skops writes a zip of a ``schema.json`` and ``.npy`` files, but names the files after
Python object ids and stamps the zip entries with the current time, so two dumps of the
same model differ. :func:`dumps` renumbers the ids in order of first appearance and
stamps every entry with one fixed time: the same model always gives the same bytes, and
the same training the same checksum, on every machine and database.

Loading (:func:`load_verified`) refuses, before anything is unpickled, an artifact whose
bytes do not match the registered checksum (:class:`ArtifactTampered`) and one holding a
type outside :data:`TRUSTED_TYPES` and skops' own safe defaults
(:class:`ArtifactUntrusted`).
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path
from typing import Any

from quantdesk.errors import ArtifactTampered, ArtifactUntrusted

# Types a QuantDesk model holds beyond skops' defaults (numpy, builtins, scikit-learn's
# estimators): the gradient-boosted trees' predictor.
TRUSTED_TYPES: tuple[str, ...] = (
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
)
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_IDS = re.compile(rb'"__id__": (\d+)|"(\d+)\.npy"')


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical(data: bytes) -> bytes:
    """The skops zip ``data`` with object ids renumbered and one fixed time stamp."""
    source = zipfile.ZipFile(io.BytesIO(data))
    schema = source.read("schema.json")
    numbers: dict[bytes, bytes] = {}
    for match in _IDS.finditer(schema):
        key = match.group(1) or match.group(2)
        numbers.setdefault(key, str(len(numbers) + 1).encode())

    def renumber(match: re.Match[bytes]) -> bytes:
        if match.group(1):
            return b'"__id__": ' + numbers[match.group(1)]
        return b'"' + numbers[match.group(2)] + b'.npy"'

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            name = info.filename
            if name == "schema.json":
                content = _IDS.sub(renumber, content)
            elif name.endswith(".npy") and name[:-4].encode() in numbers:
                name = numbers[name[:-4].encode()].decode() + ".npy"
            entry = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3  # the same on every operating system
            entry.external_attr = 0o644 << 16
            target.writestr(entry, content)
    return out.getvalue()


def dumps(model: Any) -> bytes:
    """The artifact bytes of ``model`` (deterministic; see the module's docstring)."""
    import skops.io as sio  # heavy: only when a model is saved or loaded

    return canonical(sio.dumps(model))


def write(path: Path, data: bytes) -> None:
    """Write the artifact whole or not at all (a temporary file renamed into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)


def load_verified(
    path: Path, sha256: str, what: dict[str, Any], cache: dict[str, Any] | None = None
) -> Any:
    """The model in the artifact at ``path``, once its bytes match ``sha256`` and it holds
    only trusted types; ``what`` names the model version in the errors. ``cache`` keeps
    models already parsed, by checksum: the bytes are still read and checked every time."""
    import skops.io as sio

    try:
        data = path.read_bytes()
    except OSError:
        data = b""
    if sha256_of(data) != sha256:
        raise ArtifactTampered(
            "The model's artifact no longer matches its registered checksum; it is not loaded.",
            details={**what, "expected_sha256": sha256, "actual_sha256": sha256_of(data)},
        )
    try:
        untrusted = [t for t in sio.get_untrusted_types(data=data) if t not in TRUSTED_TYPES]
    except Exception:  # not a skops file at all: treat as tampered content
        untrusted = ["<not a skops artifact>"]
    if untrusted:
        raise ArtifactUntrusted(
            "The model's artifact holds types that are not trusted; it is not loaded.",
            details={**what, "untrusted_types": sorted(untrusted)},
        )
    if cache is not None and sha256 in cache:
        return cache[sha256]
    model = sio.loads(data, trusted=list(TRUSTED_TYPES))
    if cache is not None:
        cache[sha256] = model
    return model
