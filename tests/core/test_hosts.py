"""Host syntax (kcpcore.hosts) and what TunnelConfig.validate/warnings make of it (issue 16)."""

from __future__ import annotations

import dataclasses

import pytest

from kcpcore.config import DEFAULT_KEY, TunnelConfig
from kcpcore.hosts import host_problem
from kcpcore.keygen import KEY_BYTES, generate_key, new_profile_config


@pytest.mark.parametrize(
    "host",
    ["", "10.0.0.1", "0.0.0.0", "255.255.255.255", "::1", "fe80::1%eth0", "vps",
     "vps.example.com", "vps.example.com.", "xn--bcher-kva.de", "my_host.lan", "a-b.c"],
)  # fmt: skip
def test_good_hosts(host: str) -> None:
    assert host_problem(host) == ""


@pytest.mark.parametrize(
    ("host", "message"),
    [
        ("999.1.2.3", "999 is above 255"),
        ("1.2.3", "four numbers"),
        ("1.2.3.4.5", "four numbers"),
        ("10.0.0.1.", "four numbers"),
        ("010.1.1.1", "write 10, not 010"),
        ("fe80::zz", "not an IPv6 address"),
        ("fe80::1%", "empty zone"),
        ("vps..example.com", "empty part"),
        ("-vps.example.com", "'-' at the start or end"),
        ("vps example", "character ' '"),
        ("x" * 64 + ".com", "more than 63"),
        (("abcdefghi." * 26)[:-1], "more than 253"),
        ("bücher.de", "xn--bcher-kva.de"),
    ],
)
def test_bad_hosts_say_why(host: str, message: str) -> None:
    assert message in host_problem(host)


@pytest.mark.parametrize(
    ("role", "field", "value"),
    [
        ("client", "remoteaddr", "999.1.2.3:29900"),
        ("client", "localaddr", "127.0.0.256:1080"),
        ("server", "listen", "[::g]:29900"),
        ("server", "target", "bad..host:22"),
    ],
)
def test_validate_reports_the_host_beside_its_field(role: str, field: str, value: str) -> None:
    cfg = dataclasses.replace(TunnelConfig.default(role), key="k", **{field: value})  # type: ignore[arg-type]
    (err,) = cfg.validate()
    assert err.field == field and value in err.message


def test_unix_socket_target_is_not_a_host() -> None:
    assert TunnelConfig(role="server", key="k", target="/run/ssh.sock").validate() == []


def test_empty_key_is_an_error_unless_nothing_uses_it() -> None:
    (err,) = TunnelConfig(role="client", key="").validate()
    assert err.field == "key" and "empty key" in err.message
    assert TunnelConfig(role="client", key="", crypt="none").validate() == []
    (err,) = TunnelConfig(
        role="client", key="", crypt="none", qpp=True, peer="kcptun-2025"
    ).validate()
    assert err.field == "key"  # QPP is keyed by the raw key even without a cipher


def test_default_key_and_half_fec_are_warnings_not_errors() -> None:
    cfg = TunnelConfig(role="client", datashard=0, parityshard=3)
    assert cfg.validate() == []
    notes = {w.field: w.message for w in cfg.warnings()}
    assert "published default key" in notes["key"]
    assert "FEC is off" in notes["datashard"] and not cfg.fec_on()
    clean = TunnelConfig(role="client", key="own", datashard=10, parityshard=0)
    assert clean.warnings() == [] and not clean.fec_on()  # parityshard 0 is the usual way off
    assert TunnelConfig(role="client", key=DEFAULT_KEY, crypt="none").warnings() == []


def test_generated_keys_are_long_random_and_flag_safe() -> None:
    keys = {generate_key() for _ in range(200)}
    assert len(keys) == 200
    assert all(len(k) >= KEY_BYTES * 4 // 3 and not k.startswith("-") for k in keys)
    cfg = new_profile_config("server")
    assert cfg.key not in (DEFAULT_KEY, "") and cfg.validate() == [] and cfg.warnings() == []
    assert dataclasses.replace(cfg, key=DEFAULT_KEY) == TunnelConfig.default("server")
