"""kcpcore.crypt (+ salsa20, tea): kcptun's packet crypt (PROTOCOL.md 3, 10, 11).

Sources of the known answers:
* kcptun: PROTOCOL.md 3.1 (PBKDF2), 3.3 (xor pad) and 11 (one 40-byte datagram per method), all
  produced by the real Debian kcptun binary [V].
* Salsa20: eSTREAM/ECRYPT "verified.test-vectors", 256-bit keys, set 6 (stream segments and the
  131072-byte xor-digests quoted in golang.org/x/crypto salsa20_test.go).
* TEA: ironclad's tea.testvec and the 16-round vector, quoted in x/crypto tea_test.go.
* XTEA: freemedialibrary.com and Second Life/Bouncy Castle vectors, quoted in x/crypto xtea_test.go.
* Twofish: the Twofish book, appendix B.2 (the vectors the twofish package self-checks with), and
  the all-zero 256-bit key row of ecb_tbl.txt.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import warnings
import zlib
from collections.abc import Callable

import numpy as np
import pytest
from cryptography.hazmat.decrepit.ciphers.algorithms import CAST5, Blowfish, TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kcpcore import crypt as crypt_module
from kcpcore.crypt import (
    CIPHERS,
    CRC_SIZE,
    CRYPT_HEADER_SIZE,
    CRYPT_METHODS,
    INITIAL_VECTOR,
    KEY_SIZE,
    NONCE_SIZE,
    BlockCrypt,
    derive_key,
    new_block_crypt,
    open_packet,
    resolve_method,
    seal,
    xor_table,
)
from kcpcore.errors import AuthFailed, ConfigError, LocalProtocolError, MalformedPacket
from kcpcore.salsa20 import Salsa20
from kcpcore.tea import KCP_TEA_ROUNDS, Tea, Xtea

DEFAULT_KEY = "it's a secrect"  # kcptun's default --key, misspelling included
PASS = derive_key(DEFAULT_KEY)
PLAIN_0_39 = bytes(range(40))

# PROTOCOL.md 11: bytes 0x00..0x27 encrypted by each method with the default key [V]
SECTION_11 = {
    "aes": "86834343335b168ca911bf584a05f9900e1c6fda2c822a981eb60909411c15690afb116b0d607393",
    "aes-128": "ddd7e0a7981ba3e2a7f6d51f2a2663184531e844fe0ddec4d65df15b489c5ba3e15ff1881eaf077a",
    "aes-192": "b9db59f7dd1bce4922855fb7f8f8e261a4937c0d7360349b24871684eb7bca422017d9f232c59cd2",
    "salsa20": "00010203040506079aaa6e7faf75365c40a4761a0c7be4446a8a411f62e5954a4ac802ddae0f35e6",
    "blowfish": "186797305116055ece6531b898c4b2352cc7452301c8434ae21a1256aeb7305fb08d8648ad906dcc",
    "twofish": "79a0668add94e7387471af7514bb1065027a4425d5bd62db2ba645c8b7f41fe83931f68d4c3ad655",
    "cast5": "bb8f8d2209e0131c7d027b3e28d6b45788b9c798dc5b25fc905f95636f61bb1cf570dd159b95dc56",
    "3des": "5dca5d4fac8f6accf083365ae9eb528a24c6879fd6daee12f406f9a17955efec4fa86c417ab7d94f",
    "tea": "fc9c4eb4a8e9502bde3d3c8b0679084d963bc6bfca609b1ba987df5d5e088440024c54fe55fe7a44",
    "xtea": "09256989438dfb5af0f2a323dfd1ac2c9af741cc94cf83fec52a72395260600933396d604d06cba2",
    "xor": "0fff8b84a99173765c7011c3f60cb8237bdf1315a6805604d54b25a70367b293d08e441c63be3569",
    "sm4": "0340e44fd923bb2259e375a7ab6ee54de9bca063ac2859b4bfd05a8a7ada8cfee0ee39b42f17db45",
    "none": "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324252627",
}
# PROTOCOL.md 3.2: bytes of the derived key each method uses
KEY_LEN = {
    "aes": 32,
    "aes-128": 16,
    "aes-192": 24,
    "salsa20": 32,
    "blowfish": 32,
    "twofish": 32,
    "cast5": 16,
    "3des": 24,
    "tea": 16,
    "xtea": 16,
    "xor": 32,
    "sm4": 16,
    "none": 0,
}
CFB_METHODS = (
    "aes",
    "aes-128",
    "aes-192",
    "blowfish",
    "twofish",
    "cast5",
    "3des",
    "tea",
    "xtea",
    "sm4",
)
KEYED_METHODS = tuple(m for m in CRYPT_METHODS if m != "none")


@functools.cache
def crypt_for(method: str, key: str = DEFAULT_KEY) -> BlockCrypt:
    return new_block_crypt(method, derive_key(key))


# --- key derivation and registry ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "derived"),
    [
        (DEFAULT_KEY, "25d7d7bd51050742d8d791f2b653c6c8b2366b7e25a124cf7a2e12eaf4ffa444"),  # 3.1
        ("test", "fc0327c66699e5622be3b108e336991375ba429750939d57003dc89d9fed8859"),  # 11
    ],
)
def test_derive_key_matches_kcptun(key: str, derived: str) -> None:
    assert derive_key(key).hex() == derived


def test_xor_pad_is_pbkdf2_of_the_derived_key() -> None:
    pad = xor_table(PASS)
    assert len(pad) == 1500
    assert pad[:32].hex() == "0ffe8987ad94757154791bc8fa01b62c6bce0106b2954013cd523fbc1f7aac8c"


def test_constants() -> None:
    assert (NONCE_SIZE, CRC_SIZE, CRYPT_HEADER_SIZE, KEY_SIZE) == (16, 4, 20, 32)
    assert INITIAL_VECTOR.hex() == "a7734f9c12ac1b01a415f2c1fc78e66b"


def test_methods_are_kcptuns_in_help_order() -> None:
    assert CRYPT_METHODS == (
        "aes",
        "aes-128",
        "aes-192",
        "salsa20",
        "blowfish",
        "twofish",
        "cast5",
        "3des",
        "tea",
        "xtea",
        "xor",
        "sm4",
        "none",
    )
    assert tuple(CIPHERS) == CRYPT_METHODS


@pytest.mark.parametrize("method", CRYPT_METHODS)
def test_registry_entries(method: str) -> None:
    spec = CIPHERS[method]
    assert spec.name == method
    assert spec.key_len == KEY_LEN[method]
    assert spec.description and "\n" not in spec.description


def test_unknown_method_is_a_config_error_listing_valid_names() -> None:
    for bad in ("rot13", "AES", "aes256", ""):  # names are case-sensitive, like kcptun's switch
        with pytest.raises(ConfigError) as info:
            new_block_crypt(bad, PASS)
        assert info.value.field == "crypt"
        assert all(m in str(info.value) for m in CRYPT_METHODS)


def test_resolve_method_mimics_kcptuns_silent_aes_fallback() -> None:
    assert [resolve_method(m) for m in CRYPT_METHODS] == list(CRYPT_METHODS)
    assert resolve_method("rot13") == resolve_method("AES") == "aes"


@pytest.mark.parametrize("length", [0, 16, 31, 33])
def test_password_must_be_the_32_derived_bytes(length: int) -> None:
    with pytest.raises(LocalProtocolError):
        new_block_crypt("aes", bytes(length))


def test_only_the_key_prefix_matters() -> None:
    """A method keyed from pass[:n] ignores the rest of the derived key (PROTOCOL.md 3.2)."""
    other = PASS[:16] + bytes(16)
    for method in ("aes-128", "cast5", "tea", "xtea", "sm4"):
        assert new_block_crypt(method, other).encrypt(PLAIN_0_39).hex() == SECTION_11[method]
    assert new_block_crypt("aes", other).encrypt(PLAIN_0_39).hex() != SECTION_11["aes"]


# --- kcptun vectors ----------------------------------------------------------------------------


@pytest.mark.parametrize("method", CRYPT_METHODS)
def test_section_11_encrypt(method: str) -> None:
    assert crypt_for(method).encrypt(PLAIN_0_39).hex() == SECTION_11[method]


@pytest.mark.parametrize("method", CRYPT_METHODS)
def test_section_11_decrypt(method: str) -> None:
    assert crypt_for(method).decrypt(bytes.fromhex(SECTION_11[method])) == PLAIN_0_39


def test_what_each_mode_leaves_in_clear() -> None:
    """CFB and xor cover the nonce; salsa20 leaves bytes 0..7 as its nonce; none is a copy."""
    for method in CRYPT_METHODS:
        ct = bytes.fromhex(SECTION_11[method])
        clear = [i for i in range(40) if ct[i] == i]
        if method == "none":
            assert clear == list(range(40))
        elif method == "salsa20":
            assert clear[:8] == list(range(8)) and len(clear) < 10
        else:
            assert len(clear) < 3, method


# --- the modes against plain definitions --------------------------------------------------------


def _openssl_block(algorithm_for: Callable[[bytes], object]) -> Callable[[bytes], bytes]:
    ctx = Cipher(algorithm_for(PASS), modes.ECB()).encryptor()  # type: ignore[arg-type]
    return ctx.update


def _u64_block(cipher: Tea | Xtea) -> Callable[[bytes], bytes]:
    return lambda b: cipher.encrypt_u64(int.from_bytes(b, "big")).to_bytes(8, "big")


# method -> (single-block encryption E, block size); E is keyed like kcptun keys the method
BLOCK_FUNCTIONS: dict[str, tuple[Callable[[bytes], bytes], int]] = {
    "aes": (_openssl_block(lambda k: algorithms.AES(k)), 16),
    "aes-128": (_openssl_block(lambda k: algorithms.AES(k[:16])), 16),
    "aes-192": (_openssl_block(lambda k: algorithms.AES(k[:24])), 16),
    "blowfish": (_openssl_block(lambda k: Blowfish(k)), 8),
    "twofish": (crypt_module._Twofish(PASS).encrypt_blocks, 16),
    "cast5": (_openssl_block(lambda k: CAST5(k[:16])), 8),
    "3des": (_openssl_block(lambda k: TripleDES(k[:24])), 8),
    "tea": (_u64_block(Tea(PASS[:16], KCP_TEA_ROUNDS)), 8),
    "xtea": (_u64_block(Xtea(PASS[:16])), 8),
    "sm4": (_openssl_block(lambda k: algorithms.SM4(k[:16])), 16),
}


def reference_cfb(method: str, data: bytes, *, decrypt: bool) -> bytes:
    """Full-block CFB straight from the definition, one block at a time (test reference only)."""
    encrypt_block, size = BLOCK_FUNCTIONS[method]
    out = bytearray()
    feedback = INITIAL_VECTOR[:size]
    for i in range(0, len(data), size):
        chunk = data[i : i + size]
        result = bytes(a ^ b for a, b in zip(chunk, encrypt_block(feedback), strict=False))
        out += result
        feedback = chunk if decrypt else result
    return bytes(out)


LENGTHS = [*range(0, 70), 127, 128, 129, 1350, 1500]


@pytest.mark.parametrize("method", CFB_METHODS)
def test_cfb_matches_the_definition_at_every_tail_length(method: str) -> None:
    """Encrypt (serial) and decrypt (one ECB pass) both equal block-by-block CFB."""
    crypt = crypt_for(method)
    data = os.urandom(1500)
    for n in LENGTHS:
        assert crypt.encrypt(data[:n]) == reference_cfb(method, data[:n], decrypt=False), n
        assert crypt.decrypt(data[:n]) == reference_cfb(method, data[:n], decrypt=True), n


def test_xor_stops_at_the_1500_byte_pad() -> None:
    """Like kcp-go's xorsimd.Bytes: min(len, 1500) bytes are XORed, the rest pass through."""
    crypt, pad = crypt_for("xor"), xor_table(PASS)
    data = os.urandom(1600)
    out = crypt.encrypt(data)
    assert out[:1500] == bytes(a ^ b for a, b in zip(data, pad, strict=False))
    assert out[1500:] == data[1500:]
    assert crypt.encrypt(b"") == b""


def test_salsa20_mode_is_the_keystream_after_8_clear_bytes() -> None:
    data = os.urandom(1350)
    stream = Salsa20(PASS).keystream(data[:8], 1342).tobytes()
    expected = data[:8] + bytes(a ^ b for a, b in zip(data[8:], stream, strict=True))
    assert crypt_for("salsa20").encrypt(data) == expected
    assert crypt_for("salsa20").decrypt(expected) == data


@pytest.mark.parametrize("method", CRYPT_METHODS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=1500))
def test_round_trip_length_and_prefix(method: str, data: bytes) -> None:
    """Same length out; calls are independent; every mode truncates like a stream."""
    crypt = crypt_for(method)
    ct = crypt.encrypt(data)
    assert len(ct) == len(data)
    assert crypt.decrypt(ct) == data
    assert crypt.encrypt(data) == ct
    cut = len(data) // 2
    assert crypt.encrypt(data[:cut]) == ct[:cut]


@pytest.mark.parametrize("method", CRYPT_METHODS)
def test_accepts_bytes_like_input(method: str) -> None:
    crypt = crypt_for(method)
    ct = bytes.fromhex(SECTION_11[method])
    assert crypt.encrypt(bytearray(PLAIN_0_39)) == ct
    assert crypt.decrypt(memoryview(ct)) == PLAIN_0_39


# --- seal / open_packet ------------------------------------------------------------------------


def test_seal_layout_in_clear() -> None:
    nonce = bytes(range(16))
    sealed = seal(crypt_for("none"), b"123456789", nonce)
    # CRC32-IEEE("123456789") = 0xCBF43926, stored little-endian
    assert sealed == nonce + bytes.fromhex("2639f4cb") + b"123456789"


def test_seal_draws_a_fresh_nonce_and_checks_a_given_one() -> None:
    a, b = seal(crypt_for("none"), b"x"), seal(crypt_for("none"), b"x")
    assert a[:NONCE_SIZE] != b[:NONCE_SIZE] and a[NONCE_SIZE:] == b[NONCE_SIZE:]
    with pytest.raises(LocalProtocolError):
        seal(crypt_for("aes"), b"x", bytes(15))


@pytest.mark.parametrize("method", CRYPT_METHODS)
def test_seal_open_round_trip(method: str) -> None:
    crypt = crypt_for(method)
    nonce = os.urandom(NONCE_SIZE)
    for body in (b"", b"k", os.urandom(24), os.urandom(1330)):
        sealed = seal(crypt, body, nonce)
        assert len(sealed) == CRYPT_HEADER_SIZE + len(body)
        assert sealed == crypt.encrypt(nonce + zlib.crc32(body).to_bytes(4, "little") + body)
        assert open_packet(crypt, sealed) == body
        assert open_packet(crypt, seal(crypt, body)) == body


@pytest.mark.parametrize("method", KEYED_METHODS)
def test_wrong_key_is_auth_failed(method: str) -> None:
    body = bytes(range(200))
    sealed = seal(crypt_for(method), body)
    with pytest.raises(AuthFailed):
        open_packet(crypt_for(method, DEFAULT_KEY + "!"), sealed)


def test_wrong_method_is_auth_failed() -> None:
    sealed = seal(crypt_for("aes"), bytes(100))
    for method in CRYPT_METHODS:
        if method != "aes":
            with pytest.raises(AuthFailed):
                open_packet(crypt_for(method), sealed)


def test_none_ignores_the_key() -> None:
    sealed = seal(crypt_for("none"), b"body")
    assert open_packet(crypt_for("none", "other"), sealed) == b"body"


@pytest.mark.parametrize("method", CRYPT_METHODS)
def test_any_flipped_bit_after_the_nonce_is_auth_failed(method: str) -> None:
    crypt = crypt_for(method)
    sealed = bytearray(seal(crypt, bytes(range(60)), bytes(16)))
    for i in range(NONCE_SIZE, len(sealed)):
        for bit in (0x01, 0x80):
            sealed[i] ^= bit
            with pytest.raises(AuthFailed):
                open_packet(crypt, bytes(sealed))
            sealed[i] ^= bit


@pytest.mark.parametrize("method", CRYPT_METHODS)
def test_a_flipped_nonce_byte_fails_only_where_the_nonce_feeds_the_cipher(method: str) -> None:
    """CFB chains the nonce into later blocks, salsa20 keys its stream with bytes 0..7;
    xor and none do not look at the nonce, and the CRC does not cover it (PROTOCOL.md 3.4)."""
    crypt = crypt_for(method)
    sealed = seal(crypt, bytes(range(60)), bytes(16))
    last = NONCE_SIZE - 1 if method != "salsa20" else 7
    tampered = sealed[:last] + bytes([sealed[last] ^ 1]) + sealed[last + 1 :]
    if method in ("xor", "none"):
        assert open_packet(crypt, tampered) == bytes(range(60))
    else:
        with pytest.raises(AuthFailed):
            open_packet(crypt, tampered)


@pytest.mark.parametrize("method", CRYPT_METHODS)
def test_shorter_than_the_header_is_malformed_not_auth(method: str) -> None:
    crypt = crypt_for(method)
    for n in range(CRYPT_HEADER_SIZE):
        with pytest.raises(MalformedPacket) as info:
            open_packet(crypt, bytes(n))
        assert not isinstance(info.value, AuthFailed)
    assert open_packet(crypt, seal(crypt, b"")) == b""


@pytest.mark.parametrize("method", CRYPT_METHODS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datagram=st.one_of(st.binary(max_size=64), st.binary(min_size=1300, max_size=1600)))
def test_garbage_raises_only_malformed_or_auth_failed(method: str, datagram: bytes) -> None:
    crypt = crypt_for(method)
    try:
        body = open_packet(crypt, datagram)
    except MalformedPacket:  # AuthFailed included
        return
    # only reachable when the garbage happens to carry a valid CRC (e.g. "none" with crafted input)
    plain = crypt.decrypt(datagram)
    assert body == plain[CRYPT_HEADER_SIZE:]
    assert zlib.crc32(body) == int.from_bytes(plain[NONCE_SIZE:CRYPT_HEADER_SIZE], "little")


@pytest.mark.parametrize("method", CRYPT_METHODS)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.binary(max_size=1480),
    flips=st.lists(st.integers(0, 1499), min_size=1, max_size=3, unique=True),
)
def test_tampered_datagrams_fail_or_open_intact(method: str, body: bytes, flips: list[int]) -> None:
    crypt = crypt_for(method)
    sealed = bytearray(seal(crypt, body))
    for i in flips:
        sealed[i % len(sealed)] ^= 0x5A
    try:
        opened = open_packet(crypt, bytes(sealed))
    except MalformedPacket:  # AuthFailed included
        return
    # flips confined to nonce bytes the cipher does not chain into the body can pass (xor,
    # none; salsa20 bytes 8..15; bytes 0..7 of the 8-byte-block CFBs): the body is intact then
    assert opened == body


# --- published vectors for the self-written ciphers ---------------------------------------------

SET6 = [  # (key, iv, xor-digest of the first 131072 keystream bytes); ECRYPT set 6, vectors 0..3
    (
        "0053A6F94C9FF24598EB3E91E4378ADD3083D6297CCF2275C81B6EC11467BA0D",
        "0D74DB42A91077DE",
        "C349B6A51A3EC9B712EAED3F90D8BCEE69B7628645F251A996F55260C62EF31F"
        "D6C6B0AEA94E136C9D984AD2DF3578F78E457527B03A0450580DD874F63B1AB9",
    ),
    (
        "0558ABFE51A4F74A9DF04396E93C8FE23588DB2E81D4277ACD2073C6196CBF12",
        "167DE44BB21980E7",
        "C3EAAF32836BACE32D04E1124231EF47E101367D6305413A0EEB07C60698A287"
        "6E4D031870A739D6FFDDD208597AFF0A47AC17EDB0167DD67EBA84F1883D4DFD",
    ),
    (
        "0A5DB00356A9FC4FA2F5489BEE4194E73A8DE03386D92C7FD22578CB1E71C417",
        "1F86ED54BB2289F0",
        "3CD23C3DC90201ACC0CF49B440B6C417F0DC8D8410A716D5314C059E14B1A8D9"
        "A9FB8EA3D9C8DAE12B21402F674AA95C67B1FC514E994C9D3F3A6E41DFF5BBA6",
    ),
    (
        "0F62B5085BAE0154A7FA4DA0F34699EC3F92E5388BDE3184D72A7DD02376C91C",
        "288FF65DC42B92F9",
        "E00EBCCD70D69152725F9987982178A2E2E139C7BCBE04CA8A0E99E318D9AB76"
        "F988C8549F75ADD790BA4F81C176DA653C1A043F11A958E169B6D2319F4EEC1A",
    ),
]


def test_salsa20_estream_set6_vector0_segments() -> None:
    key, iv = bytes.fromhex(SET6[0][0]), bytes.fromhex(SET6[0][1])
    stream = Salsa20(key).keystream(iv, 65600).tobytes()
    assert stream[:64].hex().upper() == (
        "F5FAD53F79F9DF58C4AEA0D0ED9A9601F278112CA7180D565B420A48019670EA"
        "F24CE493A86263F677B46ACE1924773D2BB25571E1AA8593758FC382B1280B71"
    )
    assert stream[65472:65536].hex().upper() == (
        "B70C50139C63332EF6E77AC54338A4079B82BEC9F9A403DFEA821B83F7860791"
        "650EF1B2489D0590B1DE772EEDA4E3BCD60FA7CE9CD623D9D2FD5758B8653E70"
    )
    assert stream[65536:].hex().upper() == (
        "81582C65D7562B80AEC2F1A673A9D01C9F892A23D4919F6AB47B9154E08E699B"
        "4117D7C666477B60F8391481682F5D95D96623DBC489D88DAA6956B9F0646B6E"
    )
    # starting mid-stream gives the same bytes (the 64-bit block counter)
    assert Salsa20(key).keystream(iv, 64, counter=1024).tobytes() == stream[65536:]


@pytest.mark.parametrize(("key", "iv", "digest"), SET6)
def test_salsa20_estream_set6_xor_digests(key: str, iv: str, digest: str) -> None:
    stream = Salsa20(bytes.fromhex(key)).keystream(bytes.fromhex(iv), 131072)
    folded = np.bitwise_xor.reduce(stream.reshape(-1, 64), axis=0)
    assert folded.tobytes().hex().upper() == digest


def test_salsa20_counter_crosses_into_the_high_word() -> None:
    """Blocks 2**32 - 1 and 2**32 differ only in x8/x9; both orders agree with one call."""
    cipher, nonce = Salsa20(bytes(range(32))), bytes(8)
    both = cipher.keystream(nonce, 128, counter=2**32 - 1).tobytes()
    assert both[:64] == cipher.keystream(nonce, 64, counter=2**32 - 1).tobytes()
    assert both[64:] == cipher.keystream(nonce, 64, counter=2**32).tobytes()
    assert both[64:] != cipher.keystream(nonce, 64, counter=0).tobytes()


def test_salsa20_rejects_bad_sizes() -> None:
    with pytest.raises(ValueError):
        Salsa20(bytes(16))
    with pytest.raises(ValueError):
        Salsa20(bytes(32)).keystream(bytes(12), 64)


TEA_VECTORS = [  # (rounds, key, plaintext, ciphertext)
    (64, "00" * 16, "0000000000000000", "41ea3a0a94baa940"),
    (64, "ff" * 16, "ffffffffffffffff", "319bbefb016abdb2"),
    (16, "00" * 16, "0000000000000000", "ed285da1455b33c1"),
]
XTEA_VECTORS = [  # (key, plaintext, ciphertext)
    ("000102030405060708090a0b0c0d0e0f", "4142434445464748", "497df3d072612cb5"),
    ("000102030405060708090a0b0c0d0e0f", "4141414141414141", "e78f2d13744341d8"),
    ("000102030405060708090a0b0c0d0e0f", "5a5b6e278948d77f", "4141414141414141"),
    ("00000000000000000000000000000000", "4142434445464748", "a0390589f8b8efa5"),
    ("00000000000000000000000000000000", "4141414141414141", "ed23375a821a8c2d"),
    ("00000000000000000000000000000000", "70e1225d6e4e7655", "4141414141414141"),
    ("00000000000000000000000000000000", "0000000000000000", "dee9d4d8f7131ed9"),
    ("00000000000000000000000000000000", "0102030405060708", "065c1b8975c6a816"),
    ("0123456712345678234567893456789a", "0000000000000000", "1ff9a0261ac64264"),
    ("0123456712345678234567893456789a", "0102030405060708", "8c67155b2ef91ead"),
]


@pytest.mark.parametrize(("rounds", "key", "plain", "cipher"), TEA_VECTORS)
def test_tea_published_vectors(rounds: int, key: str, plain: str, cipher: str) -> None:
    tea = Tea(bytes.fromhex(key), rounds)
    assert tea.encrypt_u64(int(plain, 16)) == int(cipher, 16)
    assert tea.encrypt_blocks(bytes.fromhex(plain * 3)).hex() == cipher * 3


@pytest.mark.parametrize(("key", "plain", "cipher"), XTEA_VECTORS)
def test_xtea_published_vectors(key: str, plain: str, cipher: str) -> None:
    xtea = Xtea(bytes.fromhex(key))
    assert xtea.encrypt_u64(int(plain, 16)) == int(cipher, 16)
    assert xtea.encrypt_blocks(bytes.fromhex(plain * 3)).hex() == cipher * 3


def test_kcptun_tea_is_16_rounds() -> None:
    assert KCP_TEA_ROUNDS == 16
    with pytest.raises(ValueError):
        Tea(bytes(16), 15)
    with pytest.raises(ValueError):
        Xtea(bytes(8))


@settings(max_examples=30, deadline=None)
@given(
    key=st.binary(min_size=16, max_size=16),
    blocks=st.binary(max_size=400).map(lambda b: b[: len(b) // 8 * 8]),
)
def test_vectorised_tea_xtea_equal_the_scalar_code(key: bytes, blocks: bytes) -> None:
    for cipher in (Tea(key), Tea(key, KCP_TEA_ROUNDS), Xtea(key)):
        expected = b"".join(
            cipher.encrypt_u64(int.from_bytes(blocks[i : i + 8], "big")).to_bytes(8, "big")
            for i in range(0, len(blocks), 8)
        )
        assert cipher.encrypt_blocks(blocks) == expected


@pytest.mark.parametrize(
    ("key", "plain", "cipher"),
    [
        ("00" * 32, "00" * 16, "57ff739d4dc92c1bd7fc01700cc8216f"),  # ecb_tbl.txt, KEYSIZE=256, I=1
        (
            "d43bb7556ea32e46f2a282b7d45b4e0d57ff739d4dc92c1bd7fc01700cc8216f",  # book B.2
            "90afe91bb288544f2c32dc239b2635e6",
            "6cb4561c40bf0a9705931cb6d408e7fa",
        ),
    ],
)
def test_twofish_binding_published_vectors(key: str, plain: str, cipher: str) -> None:
    tf = crypt_module._Twofish(bytes.fromhex(key))
    assert tf.encrypt_blocks(bytes.fromhex(plain * 2)).hex() == cipher * 2


def test_twofish_loads_without_the_deprecated_imp_wrapper() -> None:
    crypt_module._twofish_lib.cache_clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        crypt = new_block_crypt("twofish", PASS)
    assert crypt.encrypt(PLAIN_0_39).hex() == SECTION_11["twofish"]


def test_every_method_builds_with_warnings_as_errors() -> None:
    """No CryptographyDeprecationWarning (CFB, Blowfish, CAST5, 3DES moved to decrepit) and no
    DeprecationWarning from the twofish package, in a fresh interpreter."""
    code = (
        "from kcpcore.crypt import *; p = derive_key('k');"
        "[seal(new_block_crypt(m, p), b'x') for m in CRYPT_METHODS]"
    )
    subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        check=True,
        timeout=60,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
    )
