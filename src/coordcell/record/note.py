"""Signed notes, checkpoints and witness cosignatures with Ed25519 (C2SP).

Three small text formats, as used by the Go checksum database, Sigstore and the
transparency-log witness network, so that a tree head this project signs can be checked and
cosigned with tools nobody here wrote:

- c2sp.org/signed-note: a UTF-8 text ending in a newline, a blank line, then one or more
  signature lines ``— <key name> <base64(4-byte key ID || signature)>`` (an em dash, U+2014).
  Verifier keys travel as ``<name>+<8 hex key ID>+<base64(type || public key)>`` ("vkeys"),
  signer keys as ``PRIVATE+KEY+<name>+<8 hex key ID>+<base64(type || seed)>`` ("skeys"). The key
  ID is ``SHA-256(name || "\\n" || type || public key)[:4]``. Parsing and verification follow
  golang.org/x/mod/sumdb/note: signatures from unknown keys are ignored, a failing signature from
  a known key rejects the note, and a note must carry at least one verified signature.
- c2sp.org/tlog-checkpoint: the note text ``<origin>\\n<size>\\n<base64 root>\\n`` plus optional
  extension lines.
- c2sp.org/tlog-cosignature (``cosignature/v1``, key type 0x04): a witness signs
  ``cosignature/v1\\ntime <timestamp>\\n`` followed by the checkpoint text; the signature line
  carries ``key ID || u64 big-endian timestamp || Ed25519 signature``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

__all__ = [
    "ALG_COSIGNATURE_V1",
    "ALG_ED25519",
    "Checkpoint",
    "Note",
    "NoteError",
    "Signature",
    "Signer",
    "Verifier",
    "add_signatures",
    "cosign",
    "open_note",
    "parse_checkpoint",
    "parse_note",
    "sign_note",
    "verify_cosignature",
]

ALG_ED25519 = 0x01
ALG_COSIGNATURE_V1 = 0x04
_ALGORITHMS = frozenset({ALG_ED25519, ALG_COSIGNATURE_V1})

_KEY_SIZE = 32
_SIGNATURE_SIZE = 64
_KEY_ID_SIZE = 4
_TIMESTAMP_SIZE = 8
_MAX_TIMESTAMP = 2**63 - 1  # tlog-cosignature: the timestamp MUST NOT exceed 2^63 - 1
_MAX_TREE_SIZE = 2**63 - 1  # what Go's tlog (int64) and other implementations can read
_MAX_SIGNATURES = 100  # as golang.org/x/mod/sumdb/note; the spec asks for at least 16

_SIG_PREFIX = "— "  # em dash U+2014, space
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")  # ASCII controls other than newline
_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_HEX_ID = re.compile(r"[0-9a-fA-F]{8}")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")

_MALFORMED = "malformed note"


class NoteError(ValueError):
    """A note, key, checkpoint or signature that is malformed or does not verify."""


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64decode(text: str) -> bytes | None:
    """Standard padded base64 (RFC 4648 §4), nothing else; ``None`` when it is not."""
    if not _BASE64.fullmatch(text):
        return None
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def _valid_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return False
    return True


def _valid_name(name: object) -> bool:
    """Non-empty valid UTF-8 with no Unicode space, no "+" and no control character."""
    return (
        isinstance(name, str)
        and name != ""
        and "+" not in name
        and not any(ch.isspace() or ch < " " for ch in name)
        and _valid_utf8(name)
    )


def _valid_text(text: object) -> bool:
    """Note text: non-empty valid UTF-8 ending in a newline, no other ASCII control chars."""
    return (
        isinstance(text, str)
        and text.endswith("\n")
        and not _CONTROL.search(text)
        and _valid_utf8(text)
    )


def _key_id(name: str, alg: int, public_key: bytes) -> bytes:
    """``SHA-256(name || "\\n" || type || public key)[:4]``."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([alg]) + public_key).digest()[
        :_KEY_ID_SIZE
    ]


def _check_key_fields(name: object, key_id: object, alg: object, key: object) -> None:
    if not _valid_name(name):
        raise NoteError(f"invalid key name {name!r}")
    if not isinstance(alg, int) or isinstance(alg, bool) or alg not in _ALGORITHMS:
        raise NoteError(f"unknown signature type {alg!r}")
    if not isinstance(key, bytes) or len(key) != _KEY_SIZE:
        raise NoteError(f"an Ed25519 key must be {_KEY_SIZE} bytes")
    if not isinstance(key_id, bytes) or len(key_id) != _KEY_ID_SIZE:
        raise NoteError(f"a key ID must be {_KEY_ID_SIZE} bytes")


# --- keys ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verifier:
    """A public key that checks signatures: a key name, its 4-byte key ID, the signature type
    (``ALG_ED25519`` for note signatures, ``ALG_COSIGNATURE_V1`` for witness cosignatures) and
    the raw 32-byte Ed25519 public key. The key ID must be the one the other fields give."""

    name: str
    key_id: bytes
    alg: int
    public_key: bytes
    _key: Ed25519PublicKey = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        _check_key_fields(self.name, self.key_id, self.alg, self.public_key)
        if self.key_id != _key_id(self.name, self.alg, self.public_key):
            raise NoteError(f"key ID {self.key_id.hex()} does not match key {self.name}")
        try:
            key = Ed25519PublicKey.from_public_bytes(self.public_key)
        except ValueError as exc:
            raise NoteError(f"invalid Ed25519 public key for {self.name}") from exc
        object.__setattr__(self, "_key", key)

    @classmethod
    def from_public_key(cls, name: str, public_key: bytes, alg: int = ALG_ED25519) -> Verifier:
        """The verifier for a raw 32-byte public key, with its key ID computed."""
        _check_key_fields(name, b"\0" * _KEY_ID_SIZE, alg, public_key)
        return cls(name, _key_id(name, alg, public_key), alg, public_key)

    @classmethod
    def from_vkey(cls, vkey: str) -> Verifier:
        """Parse ``<name>+<hex key ID>+<base64(type || public key)>``."""
        if not isinstance(vkey, str):
            raise NoteError("malformed verifier key")
        name, _, rest = vkey.partition("+")
        hex_id, _, key64 = rest.partition("+")
        raw = _b64decode(key64)
        if not _valid_name(name) or not _HEX_ID.fullmatch(hex_id) or not raw:
            raise NoteError("malformed verifier key")
        alg, public_key = raw[0], raw[1:]
        if alg not in _ALGORITHMS:
            raise NoteError(f"unknown signature type 0x{alg:02x} in verifier key {name}")
        if len(public_key) != _KEY_SIZE:
            raise NoteError("malformed verifier key")
        key_id = bytes.fromhex(hex_id)
        if key_id != _key_id(name, alg, public_key):
            raise NoteError(f"verifier key ID {hex_id} does not match key {name}")
        return cls(name, key_id, alg, public_key)

    @property
    def vkey(self) -> str:
        """``<name>+<hex key ID>+<base64(type || public key)>``."""
        return f"{self.name}+{self.key_id.hex()}+{_b64encode(bytes([self.alg]) + self.public_key)}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's raw Ed25519 signature of ``message``. Never
        raises."""
        if not isinstance(signature, bytes) or len(signature) != _SIGNATURE_SIZE:
            return False
        try:
            self._key.verify(signature, message)
        except (InvalidSignature, TypeError, ValueError):
            return False
        return True


@dataclass(frozen=True)
class Signer:
    """A private key that signs: key name, key ID, signature type and the 32-byte Ed25519
    seed (kept out of ``repr``). The key ID must be the one of the derived public key."""

    name: str
    key_id: bytes
    alg: int
    seed: bytes = field(repr=False)
    _key: Ed25519PrivateKey = field(init=False, repr=False, compare=False, hash=False)
    _public_key: bytes = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        _check_key_fields(self.name, self.key_id, self.alg, self.seed)
        key = Ed25519PrivateKey.from_private_bytes(self.seed)
        public_key = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        if self.key_id != _key_id(self.name, self.alg, public_key):
            raise NoteError(f"key ID {self.key_id.hex()} does not match key {self.name}")
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "_public_key", public_key)

    @classmethod
    def from_seed(cls, name: str, seed: bytes, alg: int = ALG_ED25519) -> Signer:
        """The signer for a raw 32-byte Ed25519 seed (RFC 8032 private key), key ID computed."""
        _check_key_fields(name, b"\0" * _KEY_ID_SIZE, alg, seed)
        public_key = (
            Ed25519PrivateKey.from_private_bytes(seed)
            .public_key()
            .public_bytes(Encoding.Raw, PublicFormat.Raw)
        )
        return cls(name, _key_id(name, alg, public_key), alg, seed)

    @classmethod
    def from_skey(cls, skey: str) -> Signer:
        """Parse ``PRIVATE+KEY+<name>+<hex key ID>+<base64(type || seed)>``."""
        if not isinstance(skey, str) or not skey.startswith("PRIVATE+KEY+"):
            raise NoteError("malformed signer key")
        name, _, rest = skey.removeprefix("PRIVATE+KEY+").partition("+")
        hex_id, _, key64 = rest.partition("+")
        raw = _b64decode(key64)
        if not _valid_name(name) or not _HEX_ID.fullmatch(hex_id) or not raw:
            raise NoteError("malformed signer key")
        alg, seed = raw[0], raw[1:]
        if alg not in _ALGORITHMS:
            raise NoteError(f"unknown signature type 0x{alg:02x} in signer key {name}")
        if len(seed) != _KEY_SIZE:
            raise NoteError("malformed signer key")
        signer = cls.from_seed(name, seed, alg)
        if signer.key_id != bytes.fromhex(hex_id):
            raise NoteError(f"signer key ID {hex_id} does not match key {name}")
        return signer

    @classmethod
    def generate(cls, name: str, alg: int = ALG_ED25519) -> Signer:
        """A new random key (``ALG_COSIGNATURE_V1`` for a witness cosigner)."""
        return cls.from_seed(name, secrets.token_bytes(_KEY_SIZE), alg)

    @property
    def skey(self) -> str:
        """``PRIVATE+KEY+<name>+<hex key ID>+<base64(type || seed)>``: keep it secret."""
        key64 = _b64encode(bytes([self.alg]) + self.seed)
        return f"PRIVATE+KEY+{self.name}+{self.key_id.hex()}+{key64}"

    @property
    def verifier(self) -> Verifier:
        """The matching public key."""
        return Verifier(self.name, self.key_id, self.alg, self._public_key)

    def sign(self, message: bytes) -> bytes:
        """The raw 64-byte Ed25519 signature of ``message`` (RFC 8032, deterministic)."""
        return self._key.sign(message)


# --- notes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    """One signature line of a note: the key name, the 4-byte key ID, what follows the key ID
    (the signature proper) and the whole line, from the em dash to the final newline."""

    name: str
    key_id: bytes
    payload: bytes
    line: str


@dataclass(frozen=True)
class Note:
    """A parsed note: its text (with the final newline) and its signature lines in order."""

    text: str
    signatures: tuple[Signature, ...]


def _signature_line(name: str, key_id: bytes, payload: bytes) -> str:
    return f"{_SIG_PREFIX}{name} {_b64encode(key_id + payload)}\n"


def _parse_signature_line(line: str) -> Signature | None:
    """``line`` without its newline; ``None`` unless it is a well-formed signature line."""
    if not line.startswith(_SIG_PREFIX):
        return None
    name, _, b64 = line[len(_SIG_PREFIX) :].partition(" ")
    raw = _b64decode(b64)
    if raw is None or len(raw) <= _KEY_ID_SIZE or not _valid_name(name):
        return None
    return Signature(name, raw[:_KEY_ID_SIZE], raw[_KEY_ID_SIZE:], line + "\n")


def parse_note(note: str) -> Note:
    """Split a signed note into its text and signature lines, checking only the format.

    Raises ``NoteError("malformed note")`` unless ``note`` is valid UTF-8 without ASCII control
    characters other than newline, and ends with a blank line followed by 1 to 100 well-formed
    signature lines.
    """
    if not isinstance(note, str) or _CONTROL.search(note) or not _valid_utf8(note):
        raise NoteError(_MALFORMED)
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError(_MALFORMED)
    text, block = note[: split + 1], note[split + 2 :]
    if not block.endswith("\n"):
        raise NoteError(_MALFORMED)
    lines = block[:-1].split("\n")
    if len(lines) > _MAX_SIGNATURES:
        raise NoteError(_MALFORMED)
    signatures = []
    for line in lines:
        signature = _parse_signature_line(line)
        if signature is None:
            raise NoteError(_MALFORMED)
        signatures.append(signature)
    return Note(text, tuple(signatures))


def sign_note(text: str, signers: Sequence[Signer]) -> str:
    """The signed note of ``text`` (which must end in a newline) by each of ``signers``
    (Ed25519 note keys, ``ALG_ED25519``), in order."""
    if not _valid_text(text):
        raise NoteError(_MALFORMED)
    if not signers:
        raise NoteError("a signed note needs at least one signer")
    message = text.encode("utf-8")
    lines: list[str] = []
    for signer in signers:
        if signer.alg != ALG_ED25519:
            raise NoteError(
                f"key {signer.name} has signature type 0x{signer.alg:02x}, not a note key "
                "(cosignature keys sign checkpoints through cosign())"
            )
        line = _signature_line(signer.name, signer.key_id, signer.sign(message))
        if line not in lines:
            lines.append(line)
    return text + "\n" + "".join(lines)


def add_signatures(note: str, lines: Sequence[str]) -> str:
    """``note`` (already signed) with the signature ``lines`` appended, skipping lines it
    already has. Lines may come with or without their final newline."""
    parsed = parse_note(note)
    have = [signature.line for signature in parsed.signatures]
    for line in lines:
        if not isinstance(line, str) or _CONTROL.search(line) or not _valid_utf8(line):
            raise NoteError(f"malformed signature line {line!r}")
        body = line.removesuffix("\n")
        signature = None if "\n" in body else _parse_signature_line(body)
        if signature is None:
            raise NoteError(f"malformed signature line {line!r}")
        if signature.line not in have:
            have.append(signature.line)
    if len(have) > _MAX_SIGNATURES:
        raise NoteError(f"a note carries at most {_MAX_SIGNATURES} signatures")
    return parsed.text + "\n" + "".join(have)


def open_note(note: str, verifiers: Sequence[Verifier]) -> tuple[Note, list[Signature]]:
    """Parse ``note`` and verify its signatures against the known ``verifiers``.

    As golang.org/x/mod/sumdb/note: signature lines whose (name, key ID) match no known
    note key (``ALG_ED25519``) are ignored; a matching one that fails raises
    ``NoteError("invalid signature for key <name>+<hex key ID>")``; repeats by one key are
    skipped; with no verified signature at all, ``NoteError("note has no verifiable
    signatures")``. Returns the note and the verified signatures, in order.
    """
    parsed = parse_note(note)
    known: dict[tuple[str, bytes], list[Verifier]] = {}
    for verifier in verifiers:
        if verifier.alg != ALG_ED25519:
            continue
        same_id = known.setdefault((verifier.name, verifier.key_id), [])
        if verifier not in same_id:
            same_id.append(verifier)
    message = parsed.text.encode("utf-8")
    seen: set[tuple[str, bytes]] = set()
    verified: list[Signature] = []
    for signature in parsed.signatures:
        key = (signature.name, signature.key_id)
        candidates = known.get(key)
        if candidates is None or key in seen:
            continue
        label = f"{signature.name}+{signature.key_id.hex()}"
        if len(candidates) > 1:
            raise NoteError(f"ambiguous key {label}")
        seen.add(key)
        if not candidates[0].verify(message, signature.payload):
            raise NoteError(f"invalid signature for key {label}")
        verified.append(signature)
    if not verified:
        raise NoteError("note has no verifiable signatures")
    return parsed, verified


# --- checkpoints and cosignatures ----------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """A transparency-log tree head (c2sp.org/tlog-checkpoint): the log's origin line, the
    number of leaves, the 32-byte RFC 6962 root hash and opaque extension lines (without their
    newlines)."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for line in (self.origin, *self.extensions):
            if not isinstance(line, str) or not _valid_text(line + "\n") or "\n" in line:
                raise NoteError(f"malformed checkpoint: invalid line {line!r}")
            if line == "":
                raise NoteError("malformed checkpoint: empty origin or extension line")
        size_ok = isinstance(self.size, int) and not isinstance(self.size, bool)
        if not size_ok or not 0 <= self.size <= _MAX_TREE_SIZE:
            raise NoteError(f"malformed checkpoint: tree size {self.size!r} out of range")
        if not isinstance(self.root, bytes) or len(self.root) != _KEY_SIZE:
            raise NoteError("malformed checkpoint: the root hash must be 32 bytes")

    def body(self) -> str:
        """The note text: ``<origin>\\n<size>\\n<base64 root>\\n`` and the extension lines."""
        lines = [self.origin, str(self.size), _b64encode(self.root), *self.extensions]
        return "".join(line + "\n" for line in lines)


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse checkpoint note text (without signatures). Strict, so that ``body()`` gives the
    same text back: decimal size without leading zeros (unless ``0``), canonical base64 of a
    32-byte root, non-empty extension lines."""
    if not _valid_text(text):
        raise NoteError("malformed checkpoint: not note text ending in a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError("malformed checkpoint: fewer than three lines")
    origin, size_line, root_line, *extensions = lines
    if not origin:
        raise NoteError("malformed checkpoint: empty origin line")
    if not _DECIMAL.fullmatch(size_line):
        raise NoteError(
            f"malformed checkpoint: tree size {size_line!r} is not a decimal number "
            "without leading zeros"
        )
    root = _b64decode(root_line)
    if root is None or len(root) != _KEY_SIZE or _b64encode(root) != root_line:
        raise NoteError(f"malformed checkpoint: {root_line!r} is not a base64 32-byte root hash")
    if any(line == "" for line in extensions):
        raise NoteError("malformed checkpoint: empty extension line")
    return Checkpoint(origin, int(size_line), root, tuple(extensions))


def _cosigned_message(checkpoint_text: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{checkpoint_text}".encode()


def cosign(checkpoint_text: str, signer: Signer, timestamp: int) -> str:
    """A witness's ``cosignature/v1`` signature line for ``checkpoint_text`` (the checkpoint's
    note text, without signature lines) at POSIX time ``timestamp``. ``signer`` must be a
    cosignature key (``ALG_COSIGNATURE_V1``)."""
    if signer.alg != ALG_COSIGNATURE_V1:
        raise NoteError(
            f"key {signer.name} has signature type 0x{signer.alg:02x}; "
            f"cosignatures need type 0x{ALG_COSIGNATURE_V1:02x}"
        )
    if not isinstance(timestamp, int) or isinstance(timestamp, bool):
        raise NoteError(f"cosignature timestamp {timestamp!r} is not an integer")
    if not 0 <= timestamp <= _MAX_TIMESTAMP:
        raise NoteError(f"cosignature timestamp {timestamp} is out of range")
    parse_checkpoint(checkpoint_text)
    signature = signer.sign(_cosigned_message(checkpoint_text, timestamp))
    payload = timestamp.to_bytes(_TIMESTAMP_SIZE, "big") + signature
    return _signature_line(signer.name, signer.key_id, payload)


def verify_cosignature(
    checkpoint_text: str, signature: Signature, verifier: Verifier
) -> int | None:
    """The timestamp of a valid ``cosignature/v1`` by ``verifier`` over ``checkpoint_text``;
    ``None`` when the signature is not this cosigner's (name or key ID differ, or the verifier
    is not a cosignature key) or does not verify. Never raises."""
    try:
        if verifier.alg != ALG_COSIGNATURE_V1:
            return None
        if signature.name != verifier.name or signature.key_id != verifier.key_id:
            return None
        payload = signature.payload
        if not isinstance(payload, bytes) or len(payload) != _TIMESTAMP_SIZE + _SIGNATURE_SIZE:
            return None
        timestamp = int.from_bytes(payload[:_TIMESTAMP_SIZE], "big")
        if timestamp > _MAX_TIMESTAMP:
            return None
        message = _cosigned_message(checkpoint_text, timestamp)
        if not verifier.verify(message, payload[_TIMESTAMP_SIZE:]):
            return None
    except Exception:
        return None
    return timestamp
