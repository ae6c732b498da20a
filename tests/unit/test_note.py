"""Signed notes, checkpoints and cosignatures: the Go reference vectors, RFC 8032 and
Wycheproof Ed25519 vectors, and the checkpoint and cosignature rules.

The vectors are in ``tests/vectors`` (see ``tests/vectors/SOURCES.md``).
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coordcell.record.merkle import EMPTY_ROOT, root_hash
from coordcell.record.note import (
    ALG_COSIGNATURE_V1,
    ALG_ED25519,
    Checkpoint,
    Note,
    NoteError,
    Signature,
    Signer,
    Verifier,
    add_signatures,
    cosign,
    open_note,
    parse_checkpoint,
    parse_note,
    sign_note,
    verify_cosignature,
)
from tests import reference

ED25519 = reference.VECTORS / "ed25519"
NOTE_VECTORS: dict[str, Any] = json.loads(
    (reference.VECTORS / "signed-note" / "signed-note-vectors.json").read_text()
)
RFC8032: dict[str, Any] = json.loads((ED25519 / "rfc8032-ed25519.json").read_text())
WYCHEPROOF: dict[str, Any] = json.loads((ED25519 / "wycheproof-ed25519-subset.json").read_text())
SIGN_INPUT = (ED25519 / "sign.input.first64").read_text().splitlines()
KEYS = NOTE_VECTORS["keys"]
H = bytes.fromhex

LOG = Signer.from_seed("example.org/log", bytes(range(32)))
WITNESS = Signer.from_seed("witness.example/w1", bytes(range(32, 64)), ALG_COSIGNATURE_V1)
CHECKPOINT = Checkpoint("example.org/log", 3, root_hash([b"a", b"b", b"c"]))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# --- the Go reference vectors --------------------------------------------------------------


def test_sign_reproduces_the_reference_note_byte_for_byte() -> None:
    case = NOTE_VECTORS["sign"]
    signer = Signer.from_skey(case["signer_skey"])
    note = sign_note(case["text"], [signer])
    assert note == case["expected_note"]
    assert note.encode("utf-8") == case["expected_note"].encode("utf-8")
    assert sign_note(case["text"], [signer, signer]) == note  # identical lines once


def test_reference_keys_round_trip() -> None:
    peter = Signer.from_skey(KEYS["peter_skey"])
    assert peter.skey == KEYS["peter_skey"]
    assert peter.verifier.vkey == KEYS["peter_vkey"]
    assert peter.verifier == Verifier.from_vkey(KEYS["peter_vkey"])
    assert (peter.name, peter.key_id.hex(), peter.alg) == ("PeterNeumann", "c74f20a3", ALG_ED25519)
    enoch = Verifier.from_vkey(KEYS["enoch_vkey"])
    assert enoch.vkey == KEYS["enoch_vkey"]
    assert enoch.key_id == hashlib.sha256(b"EnochRoot\n\x01" + enoch.public_key).digest()[:4]
    assert peter.seed.hex() not in repr(peter)
    assert "seed" not in repr(peter)


@pytest.mark.parametrize(
    "case", NOTE_VECTORS["verify_cases"], ids=[c["desc"] for c in NOTE_VECTORS["verify_cases"]]
)
def test_verify_cases(case: dict[str, Any]) -> None:
    verifiers = [Verifier.from_vkey(k) for k in case["verifier_keys"]]
    expect = case["expect"]
    if "verified" in expect:
        note, verified = open_note(case["note"], verifiers)
        assert [s.name for s in verified] == expect["verified"]
        assert note.text + "\n" + "".join(s.line for s in note.signatures) == case["note"]
        assert set(verified) <= set(note.signatures)
    else:
        with pytest.raises(NoteError) as excinfo:
            open_note(case["note"], verifiers)
        assert str(excinfo.value) == expect["error"]


# --- Ed25519 vectors -----------------------------------------------------------------------


@pytest.mark.parametrize("case", RFC8032["tests"], ids=[t["name"] for t in RFC8032["tests"]])
def test_rfc8032_signatures(case: dict[str, str]) -> None:
    signer = Signer.from_seed("rfc8032.example", H(case["secret_key"]))
    message, signature = H(case["message"]), H(case["signature"])
    assert signer.verifier.public_key == H(case["public_key"])
    assert signer.sign(message) == signature
    assert signer.verifier.verify(message, signature)
    assert not signer.verifier.verify(message + b"x", signature)
    assert Signer.from_skey(signer.skey) == signer


def test_ed25519_sign_input_lines() -> None:
    assert len(SIGN_INPUT) == 64
    for line in SIGN_INPUT:
        sk_pk, pk, message, sig_msg, _ = line.split(":")
        signer = Signer.from_seed("sign.input", H(sk_pk)[:32], ALG_COSIGNATURE_V1)
        assert signer.verifier.public_key == H(pk)
        assert signer.sign(H(message)) == H(sig_msg)[:64]


@pytest.mark.parametrize(
    "case", WYCHEPROOF["tests"], ids=[str(t["tcId"]) for t in WYCHEPROOF["tests"]]
)
def test_wycheproof_verification(case: dict[str, Any]) -> None:
    verifier = Verifier.from_public_key("wycheproof.example", H(WYCHEPROOF["publicKey"]))
    assert verifier.verify(H(case["msg"]), H(case["sig"])) is (case["result"] == "valid")


@pytest.mark.parametrize("signature", [b"", b"\0" * 63, b"\0" * 65, "x" * 64, None, bytearray(64)])
def test_verify_rejects_signatures_of_the_wrong_shape(signature: Any) -> None:
    assert LOG.verifier.verify(b"message", signature) is False


# --- keys ----------------------------------------------------------------------------------


@pytest.mark.parametrize("alg", [ALG_ED25519, ALG_COSIGNATURE_V1])
def test_generated_keys_round_trip(alg: int) -> None:
    signer = Signer.generate("example.org/w-x", alg)
    verifier = signer.verifier
    assert signer.alg == verifier.alg == alg
    assert (
        signer.key_id
        == hashlib.sha256(
            signer.name.encode() + b"\n" + bytes([alg]) + verifier.public_key
        ).digest()[:4]
    )
    assert Signer.from_skey(signer.skey) == signer
    assert Verifier.from_vkey(verifier.vkey) == verifier
    assert signer.skey.startswith(f"PRIVATE+KEY+{signer.name}+{signer.key_id.hex()}+")
    assert base64.b64decode(verifier.vkey.split("+", 2)[2])[0] == alg
    assert verifier.verify(b"m", signer.sign(b"m"))
    assert Signer.generate(signer.name, alg) != signer


def test_cosignature_key_ids_use_type_0x04() -> None:
    seed = bytes(range(32, 64))
    note_key = Signer.from_seed(WITNESS.name, seed, ALG_ED25519)
    assert WITNESS.verifier.public_key == note_key.verifier.public_key
    assert WITNESS.key_id != note_key.key_id
    assert (
        WITNESS.key_id
        == hashlib.sha256(WITNESS.name.encode() + b"\n\x04" + WITNESS.verifier.public_key).digest()[
            :4
        ]
    )


def _retag(vkey: str, key_id: str) -> str:
    name, _, rest = vkey.partition("+")
    return f"{name}+{key_id}+{rest.partition('+')[2]}"


def test_key_id_mismatches_are_rejected() -> None:
    vkey = KEYS["peter_vkey"]
    with pytest.raises(NoteError, match="does not match"):
        Verifier.from_vkey(_retag(vkey, "c74f20a4"))
    with pytest.raises(NoteError, match="does not match"):
        Verifier.from_vkey("PeterNeumannX" + vkey.removeprefix("PeterNeumann"))
    skey = KEYS["peter_skey"]
    with pytest.raises(NoteError, match="does not match"):
        Signer.from_skey(skey.replace("c74f20a3", "00000000"))
    with pytest.raises(NoteError, match="does not match"):
        Signer.from_skey(skey.replace("PeterNeumann", "PeterNeumanm"))
    peter = Verifier.from_vkey(vkey)
    with pytest.raises(NoteError, match="does not match"):
        Verifier(peter.name, b"\0\0\0\0", peter.alg, peter.public_key)
    with pytest.raises(NoteError, match="does not match"):
        Verifier(peter.name, peter.key_id, ALG_COSIGNATURE_V1, peter.public_key)
    with pytest.raises(NoteError, match="does not match"):
        Signer(LOG.name, WITNESS.key_id, LOG.alg, LOG.seed)
    # Upper-case hex IDs are read (as Go does) and written back in lower case.
    assert Verifier.from_vkey(_retag(vkey, "C74F20A3")).vkey == vkey


def _vkey(name: str, type_byte: int, key: bytes) -> str:
    key_id = hashlib.sha256(name.encode() + b"\n" + bytes([type_byte]) + key).digest()[:4]
    return f"{name}+{key_id.hex()}+{b64(bytes([type_byte]) + key)}"


@pytest.mark.parametrize(
    "vkey",
    [
        "",
        "PeterNeumann",
        "PeterNeumann+c74f20a3",
        "PeterNeumann+c74f20a3+",
        "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+0xc74f20+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW\n",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW==",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        _vkey("short.example", ALG_ED25519, b"\1" * 31),
        _vkey("long.example", ALG_ED25519, b"\1" * 33),
        _vkey("bad\u00a0name", ALG_ED25519, b"\1" * 32),
        _vkey("bad\u2003name", ALG_ED25519, b"\1" * 32),
    ],
)
def test_malformed_vkeys(vkey: str) -> None:
    with pytest.raises(NoteError):
        Verifier.from_vkey(vkey)


@pytest.mark.parametrize("type_byte", [0x00, 0x02, 0x03, 0x05, 0x06, 0xFF])
def test_unknown_key_types_are_rejected(type_byte: int) -> None:
    with pytest.raises(NoteError, match="unknown signature type"):
        Verifier.from_vkey(_vkey("example.org/k", type_byte, b"\1" * 32))
    with pytest.raises(NoteError, match="unknown signature type"):
        Signer.from_seed("example.org/k", b"\1" * 32, type_byte)


@pytest.mark.parametrize(
    "skey",
    [
        "",
        "PRIVATE+KEY",
        "PRIVATE+KEY+PeterNeumann+c74f20a3",
        "private+key+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDF",
        "PRIVATE+KEY+PeterNeumann+c74f20a3+" + b64(b"\1" + b"\0" * 31),
    ],
)
def test_malformed_skeys(skey: str) -> None:
    with pytest.raises(NoteError):
        Signer.from_skey(skey)


@pytest.mark.parametrize("name", ["", "a b", "a+b", "a\tb", "tab\u3000", "\ud800", "a\x01b"])
def test_invalid_key_names(name: str) -> None:
    with pytest.raises(NoteError, match="invalid key name"):
        Signer.from_seed(name, b"\1" * 32)
    with pytest.raises(NoteError, match="invalid key name"):
        Verifier.from_public_key(name, LOG.verifier.public_key)


# --- notes ---------------------------------------------------------------------------------


def test_sign_and_open_a_note_with_several_keys() -> None:
    other = Signer.from_seed("other.example/k", b"\7" * 32)
    note = sign_note("line one\n\nline three, after a blank line\n", [LOG, other])
    parsed = parse_note(note)
    assert parsed.text == "line one\n\nline three, after a blank line\n"
    assert [s.name for s in parsed.signatures] == [LOG.name, other.name]
    assert all(len(s.payload) == 64 for s in parsed.signatures)
    assert parsed.signatures[0].line.startswith("\u2014 example.org/log ")
    _, verified = open_note(note, [other.verifier])
    assert [s.name for s in verified] == [other.name]
    _, verified = open_note(note, [LOG.verifier, other.verifier, LOG.verifier])
    assert [s.name for s in verified] == [LOG.name, other.name]


def test_open_note_ignores_cosignature_keys_and_skips_repeats() -> None:
    text = CHECKPOINT.body()
    note = sign_note(text, [LOG])
    with pytest.raises(NoteError, match="no verifiable signatures"):
        open_note(note, [WITNESS.verifier])
    good = parse_note(note).signatures[0]
    forged_line = f"\u2014 {good.name} {b64(good.key_id + bytes(64))}\n"
    # Go semantics: only the first signature by a key is checked; repeats are skipped.
    _, verified = open_note(note + forged_line, [LOG.verifier])
    assert verified == [good]
    with pytest.raises(NoteError, match=f"invalid signature for key {LOG.name}\\+"):
        open_note(text + "\n" + forged_line + good.line, [LOG.verifier])


def test_two_different_keys_with_one_name_and_id_are_ambiguous() -> None:
    note = sign_note("text\n", [LOG])
    impostor = Verifier.from_public_key(LOG.name, b"\x09" * 32)
    object.__setattr__(impostor, "key_id", LOG.key_id)  # a forged collision of name and ID
    with pytest.raises(NoteError, match="ambiguous key"):
        open_note(note, [LOG.verifier, impostor])


def test_tampered_text_fails() -> None:
    note = sign_note("hello\n", [LOG])
    with pytest.raises(NoteError, match="invalid signature"):
        open_note(note.replace("hello", "hellO"), [LOG.verifier])


@pytest.mark.parametrize(
    "text", ["", "no final newline", "bad \x00 char\n", "tab\tchar\n", "cr\r\n", "\ud800\n"]
)
def test_sign_note_rejects_bad_text(text: str) -> None:
    with pytest.raises(NoteError, match="malformed note"):
        sign_note(text, [LOG])


def test_sign_note_needs_note_signers() -> None:
    with pytest.raises(NoteError, match="at least one signer"):
        sign_note("text\n", [])
    with pytest.raises(NoteError, match="cosign"):
        sign_note("text\n", [WITNESS])


SIG = (
    "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfq"
    "dngotpRZb6KE6RyyBwJnAM=\n"
)


@pytest.mark.parametrize(
    "note",
    [
        "text\n",
        "text\n\n",
        "\n\n",
        "text\n" + SIG,
        "text\n\n" + SIG.rstrip("\n"),
        "text\n\n" + SIG + "\n",
        "text\n\n" + SIG.replace("\u2014", "-"),
        "text\n\n" + SIG.replace("\u2014 ", "\u2014"),
        "text\n\n" + SIG.replace(" x08go", "  x08go"),
        "text\n\n" + SIG.replace(" x08go", "\u00a0x08go"),
        "text\n\n" + SIG.replace("=\n", "\n"),
        "text\n\n" + SIG.replace("x08go", "x08g*"),
        "text\n\n\u2014 PeterNeumann\n",
        "text\n\n\u2014 PeterNeumann \n",
        "text\n\n\u2014 PeterNeumann AAAAAA==\n",  # 4 bytes: a key ID and no signature
        "text\n\n\u2014 Peter+Neumann AAAAAAA=\n",
        "text\r\n\n" + SIG,
        "te\x7fxt\x1b\n\n" + SIG,
        "text\n\n" + SIG * 101,
    ],
)
def test_malformed_notes(note: str) -> None:
    with pytest.raises(NoteError) as excinfo:
        parse_note(note)
    assert str(excinfo.value) == "malformed note"


def test_note_limits() -> None:
    assert len(parse_note("text\n\n" + SIG * 100).signatures) == 100
    assert parse_note("\n\n" + SIG).text == "\n"
    assert parse_note("te\x7fxt\n\n" + SIG).text == "te\x7fxt\n"  # DEL is not below U+0020
    assert parse_note("\u2014 fake signature line\n\n" + SIG).text == "\u2014 fake signature line\n"


def test_add_signatures_appends_and_dedupes() -> None:
    text = CHECKPOINT.body()
    note = sign_note(text, [LOG])
    line = cosign(text, WITNESS, 1_700_000_000)
    once = add_signatures(note, [line])
    assert once == note + line
    assert add_signatures(once, [line, line.rstrip("\n")]) == once
    assert add_signatures(note, []) == note
    for bad in ["", "x\n", line + line, line.replace("\u2014", "-"), "\u2014 a b\x01\n"]:
        with pytest.raises(NoteError, match="malformed signature line"):
            add_signatures(note, [bad])
    with pytest.raises(NoteError, match="malformed note"):
        add_signatures(text, [line])
    with pytest.raises(NoteError, match="at most 100"):
        add_signatures(note, [cosign(text, WITNESS, t) for t in range(100)])


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=60).map(lambda s: s + "\n"))
def test_any_valid_text_round_trips(text: str) -> None:
    valid = all(ch == "\n" or ch >= " " for ch in text) and not any(
        0xD800 <= ord(ch) <= 0xDFFF for ch in text
    )
    if not valid:
        with pytest.raises(NoteError):
            sign_note(text, [LOG])
        return
    note = sign_note(text, [LOG])
    parsed, verified = open_note(note, [LOG.verifier])
    assert parsed == Note(text, tuple(verified))


# --- checkpoints ---------------------------------------------------------------------------


def test_checkpoint_round_trip() -> None:
    body = CHECKPOINT.body()
    assert body == f"example.org/log\n3\n{b64(CHECKPOINT.root)}\n"
    assert parse_checkpoint(body) == CHECKPOINT
    extended = Checkpoint("example.org/log", 0, EMPTY_ROOT, ("ext one", "— two"))
    assert extended.body().endswith("\next one\n— two\n")
    assert parse_checkpoint(extended.body()) == extended
    big = Checkpoint("o", 2**63 - 1, EMPTY_ROOT)
    assert parse_checkpoint(big.body()) == big
    assert parse_checkpoint(
        "example.com/behind-the-sofa\n20852163\n" + b64(bytes(32)) + "\n"
    ).size == (20852163)


ROOT64 = b64(bytes(range(32)))
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
# The same 32 bytes with a non-zero unused bit in the last base64 digit (decoders accept it).
ROOT64_NONCANONICAL = ROOT64[:-2] + _ALPHABET[_ALPHABET.index(ROOT64[-2]) ^ 1] + "="


@pytest.mark.parametrize(
    "text",
    [
        "",
        "origin\n",
        "origin\n3\n",
        f"origin\n3\n{ROOT64}",
        f"\n3\n{ROOT64}\n",
        f"origin\n03\n{ROOT64}\n",
        f"origin\n00\n{ROOT64}\n",
        f"origin\n-1\n{ROOT64}\n",
        f"origin\n+1\n{ROOT64}\n",
        f"origin\n 1\n{ROOT64}\n",
        f"origin\n1 \n{ROOT64}\n",
        f"origin\n1_0\n{ROOT64}\n",
        f"origin\n\u0661\n{ROOT64}\n",
        f"origin\n0x10\n{ROOT64}\n",
        f"origin\n\n{ROOT64}\n",
        f"origin\n{2**63}\n{ROOT64}\n",
        "origin\n3\n" + b64(bytes(31)) + "\n",
        "origin\n3\n" + b64(bytes(33)) + "\n",
        "origin\n3\n" + ROOT64.rstrip("=") + "\n",
        f"origin\n3\n{ROOT64_NONCANONICAL}\n",
        "origin\n3\n" + ROOT64.replace("A", "-") + "\n",
        "origin\n3\n" + bytes(32).hex() + "\n",
        f"origin\n3\n{ROOT64}\n\n",
        f"origin\n3\n{ROOT64}\next\n\n",
        f"origin\n3\n{ROOT64}\r\n",
        f"ori\x00gin\n3\n{ROOT64}\n",
    ],
)
def test_malformed_checkpoints(text: str) -> None:
    with pytest.raises(NoteError, match="malformed checkpoint"):
        parse_checkpoint(text)


@pytest.mark.parametrize(
    ("origin", "size", "root", "extensions"),
    [
        ("", 1, EMPTY_ROOT, ()),
        ("a\nb", 1, EMPTY_ROOT, ()),
        ("o", -1, EMPTY_ROOT, ()),
        ("o", 2**63, EMPTY_ROOT, ()),
        ("o", True, EMPTY_ROOT, ()),
        ("o", 1, EMPTY_ROOT[:31], ()),
        ("o", 1, EMPTY_ROOT, ("",)),
        ("o", 1, EMPTY_ROOT, ("a\nb",)),
        ("o", 1, EMPTY_ROOT, ("tab\t",)),
    ],
)
def test_invalid_checkpoint_fields(origin: str, size: int, root: bytes, extensions: Any) -> None:
    with pytest.raises(NoteError, match="malformed checkpoint"):
        Checkpoint(origin, size, root, extensions)


# --- cosignatures --------------------------------------------------------------------------


def test_cosignature_round_trip() -> None:
    text = CHECKPOINT.body()
    note = add_signatures(sign_note(text, [LOG]), [cosign(text, WITNESS, 1_679_315_147)])
    parsed, verified = open_note(note, [LOG.verifier, WITNESS.verifier])
    assert [s.name for s in verified] == [LOG.name]  # the cosignature is not a note signature
    cosig = parsed.signatures[1]
    assert cosig.key_id == WITNESS.key_id
    assert len(cosig.payload) == 8 + 64
    assert int.from_bytes(cosig.payload[:8], "big") == 1_679_315_147
    assert verify_cosignature(parsed.text, cosig, WITNESS.verifier) == 1_679_315_147
    assert verify_cosignature(parsed.text, parsed.signatures[0], WITNESS.verifier) is None
    message = b"cosignature/v1\ntime 1679315147\n" + text.encode()
    assert WITNESS.verifier.verify(message, cosig.payload[8:])
    assert cosign(text, WITNESS, 1_679_315_147) == cosig.line  # deterministic
    assert (
        verify_cosignature(
            text, parse_note(text + "\n" + cosign(text, WITNESS, 0)).signatures[0], WITNESS.verifier
        )
        == 0
    )


def _cosig(text: str, timestamp: int = 1_700_000_000) -> Signature:
    return parse_note(text + "\n" + cosign(text, WITNESS, timestamp)).signatures[0]


def test_cosignature_from_another_key_does_not_verify() -> None:
    text = CHECKPOINT.body()
    other = Signer.generate(WITNESS.name, ALG_COSIGNATURE_V1)
    assert verify_cosignature(text, _cosig(text), other.verifier) is None
    # Same name and key ID but a different key: verification fails, without raising.
    impostor = Verifier.from_public_key(WITNESS.name, other.verifier.public_key, ALG_COSIGNATURE_V1)
    object.__setattr__(impostor, "key_id", WITNESS.key_id)
    assert verify_cosignature(text, _cosig(text), impostor) is None
    renamed = _cosig(text)
    assert (
        verify_cosignature(
            text, Signature("x.example", renamed.key_id, renamed.payload, ""), WITNESS.verifier
        )
        is None
    )


def test_tampered_checkpoint_or_timestamp_does_not_verify() -> None:
    text = CHECKPOINT.body()
    cosig = _cosig(text)
    grown = Checkpoint(CHECKPOINT.origin, 4, root_hash([b"a", b"b", b"c", b"d"])).body()
    assert verify_cosignature(grown, cosig, WITNESS.verifier) is None
    assert verify_cosignature(text.replace("\n3\n", "\n4\n"), cosig, WITNESS.verifier) is None
    assert verify_cosignature(text + "extension\n", cosig, WITNESS.verifier) is None
    for delta in (1, -1, 1 << 40):
        stamp = (1_700_000_000 + delta).to_bytes(8, "big")
        tampered = Signature(cosig.name, cosig.key_id, stamp + cosig.payload[8:], "")
        assert verify_cosignature(text, tampered, WITNESS.verifier) is None
    flipped = bytearray(cosig.payload)
    flipped[20] ^= 1
    assert (
        verify_cosignature(
            text, Signature(cosig.name, cosig.key_id, bytes(flipped), ""), WITNESS.verifier
        )
        is None
    )


def test_cosignature_needs_type_0x04_keys() -> None:
    text = CHECKPOINT.body()
    with pytest.raises(NoteError, match="cosignatures need type 0x04"):
        cosign(text, LOG, 1)
    # A note-signature verifier (type 0x01) over the same key never accepts a cosignature.
    same_key = Verifier.from_public_key(WITNESS.name, WITNESS.verifier.public_key, ALG_ED25519)
    cosig = _cosig(text)
    assert verify_cosignature(text, cosig, same_key) is None
    relabelled = Signature(cosig.name, same_key.key_id, cosig.payload, "")
    assert verify_cosignature(text, relabelled, same_key) is None
    # and a plain note signature is not a cosignature, even by the same Ed25519 key
    plain = parse_note(sign_note(text, [Signer.from_seed(WITNESS.name, WITNESS.seed)])).signatures[
        0
    ]
    assert (
        verify_cosignature(
            text, Signature(plain.name, WITNESS.key_id, plain.payload, ""), WITNESS.verifier
        )
        is None
    )


@pytest.mark.parametrize("timestamp", [-1, 2**63, 1.5, True, "1"])
def test_cosign_rejects_bad_timestamps(timestamp: Any) -> None:
    with pytest.raises(NoteError, match="timestamp"):
        cosign(CHECKPOINT.body(), WITNESS, timestamp)


def test_cosign_rejects_non_checkpoints() -> None:
    with pytest.raises(NoteError, match="malformed checkpoint"):
        cosign("just some text\n", WITNESS, 1)


def test_cosignature_timestamps_above_2_63_are_rejected() -> None:
    text = CHECKPOINT.body()
    stamp = 2**63
    message = f"cosignature/v1\ntime {stamp}\n{text}".encode()
    payload = stamp.to_bytes(8, "big") + WITNESS.sign(message)
    assert WITNESS.verifier.verify(message, payload[8:])
    assert (
        verify_cosignature(
            text, Signature(WITNESS.name, WITNESS.key_id, payload, ""), WITNESS.verifier
        )
        is None
    )


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(st.binary(max_size=100), st.text(max_size=10), st.none(), st.integers()),
    st.one_of(st.text(max_size=40), st.binary(max_size=10), st.none()),
)
def test_verify_cosignature_never_raises(payload: Any, text: Any) -> None:
    signature = Signature(WITNESS.name, WITNESS.key_id, payload, "")
    assert verify_cosignature(text, signature, WITNESS.verifier) is None
    assert verify_cosignature(CHECKPOINT.body(), signature, WITNESS.verifier) is None
