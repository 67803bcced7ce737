"""Peer generations: defaults that follow the other end's kcptun, exports it accepts, the 2025
settings' validation, port-range parsing and 2025 JSON files with keys we do not know."""

from __future__ import annotations

import json
import shlex
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kcpcore.config import (
    MAX_LISTEN_PORTS,
    PortRange,
    TunnelConfig,
    parse_port_range,
    unknown_json_keys,
    with_peer,
)
from kcpcore.errors import ConfigError
from kcpcore.flags import build_config, parse_role_args
from kcpcore.profiles import (
    Profile,
    command_line,
    export_json,
    import_kcptun_json,
    omitted_flags,
    parse_command_line,
    peer_config,
)
from kcpcore.ratelimit import TokenBucket

NEW_FLAGS = ("--closewait", "--ratelimit", "--framesize", "--peer")


def errors(cfg: TunnelConfig) -> dict[str, str]:
    return {e.field: e.message for e in cfg.validate()}


def test_defaults_follow_the_peer_generation() -> None:
    old = TunnelConfig.default("client")
    assert (old.peer, old.smuxver, old.framesize, old.closewait) == ("kcptun-2021", 1, 32768, 0)
    new = TunnelConfig(role="server", peer="kcptun-2025")
    assert (new.smuxver, new.framesize, new.closewait) == (2, 8192, 30)
    ours = TunnelConfig(role="client", peer="kcpdesk")
    assert (ours.smuxver, ours.framesize, ours.closewait) == (2, 32768, 0)


def test_switching_generation_keeps_what_the_user_chose() -> None:
    cfg = replace(TunnelConfig.default("server"), framesize=4096)
    moved = with_peer(cfg, "kcptun-2025")
    assert (moved.smuxver, moved.framesize, moved.closewait) == (2, 4096, 30)
    back = with_peer(moved, "kcptun-2021")
    assert (back.smuxver, back.framesize, back.closewait) == (1, 4096, 0)


def test_a_2021_peer_gets_no_new_flag_and_its_defaults_unchanged() -> None:
    """The Debian binary exits on an unknown flag: nothing of 2025 may reach its command."""
    cfg = replace(TunnelConfig.default("client"), ratelimit=500_000, framesize=4096, closewait=5)
    line = command_line(peer_config(cfg))
    assert not any(f in line for f in NEW_FLAGS), line
    assert shlex.split(command_line(cfg))[0] == "kcptun-client"
    assert not any(f in command_line(cfg) for f in NEW_FLAGS)
    assert omitted_flags(cfg, "kcptun-2021") == ["--closewait", "--ratelimit", "--framesize"]
    assert TunnelConfig.default("client").to_args(kcptun=True) == []


def test_a_2025_peer_gets_its_flags_and_explicit_smuxver() -> None:
    cfg = replace(TunnelConfig(role="client", peer="kcptun-2025"), ratelimit=500_000)
    server = command_line(peer_config(cfg), runs="kcptun-2025")
    assert "--smuxver 2" in server and "--peer" not in server  # Go has no --peer
    own = command_line(cfg, runs="kcptun-2025")
    assert "--ratelimit 500000" in own and "--framesize 8192" in own
    ours = command_line(cfg, ["kcpdesk", "client"])
    assert "--peer kcptun-2025" in ours
    back, _warnings = parse_command_line(ours)  # what we export, we read back identically
    assert (back.peer, back.smuxver, back.ratelimit, back.framesize) == (
        "kcptun-2025",
        2,
        500_000,
        8192,
    )
    data = json.loads(export_json(cfg, runs="kcptun-2021"))
    assert "ratelimit" not in data and "peer" not in data and data["smuxver"] == 2


def test_peer_flag_sets_defaults_before_the_other_flags() -> None:
    cfg, _ = build_config(
        parse_role_args("server", ["--smuxver", "1", "--peer", "kcptun-2025"]), {}
    )
    assert (cfg.smuxver, cfg.framesize, cfg.closewait) == (1, 8192, 30)


def test_profile_file_round_trip_keeps_the_generation(tmp_path: Path) -> None:
    cfg = replace(TunnelConfig(role="server", peer="kcptun-2025"), listen=":3000-3100")
    back = Profile.from_json_text(Profile("p", cfg).to_json_text())
    assert back.config == cfg


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("h:1000", PortRange("h", 1000, 1000)),
        (":3000-4000", PortRange("", 3000, 4000)),
        ("[::1]:5-6", PortRange("::1", 5, 6)),
    ],
)
def test_port_ranges_parse(text: str, expected: PortRange) -> None:
    assert parse_port_range(text) == expected


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("listen", ":5000-4000", "backwards (did you mean 4000-5000?)"),
        ("listen", ":1-100000", "1..65535"),
        ("listen", ":1-65535", f"more than the {MAX_LISTEN_PORTS}"),
        ("listen", ":0-10", "1..65535"),
        ("listen", ":a-b", "MIN-MAX"),
        ("remoteaddr", "h:9-3", "backwards"),
        ("ratelimit", 5, "at least one datagram per second"),
        ("ratelimit", -1, "at least 0"),
        ("framesize", 0, "1..65535"),
        ("framesize", 70000, "16 bits"),
        ("closewait", -1, "0..86400"),
        ("peer", "kcptun-1999", "valid: kcptun-2021, kcptun-2025, kcpdesk"),
    ],
)
def test_bad_2025_values_get_one_clear_message(field: str, value: object, words: str) -> None:
    role = "client" if field == "remoteaddr" else "server"
    cfg = replace(TunnelConfig.default(role), **{field: value})  # type: ignore[arg-type]
    msg = errors(cfg).get(field, "")
    assert words in msg, msg


def test_client_range_of_any_size_is_fine() -> None:
    assert errors(replace(TunnelConfig.default("client"), remoteaddr="h:1-65535")) == {}


def test_new_ciphers_against_a_2021_peer_are_refused() -> None:
    cfg = replace(TunnelConfig.default("client"), crypt="aes-128-gcm")
    assert "kcptun 2021 (Debian) has no cipher" in errors(cfg)["crypt"]
    assert errors(with_peer(cfg, "kcptun-2025")) == {}


def test_json_from_2025_with_unknown_keys_warns_and_runs(tmp_path: Path) -> None:
    path = tmp_path / "server.json"
    path.write_text(
        json.dumps(
            {
                "listen": ":4000",
                "smuxver": 2,
                "QPPCount": 61,
                "fancy2027": True,
                "closewait": 10,
                "kcpdesk": {},
            }
        )
    )
    cfg, warnings = build_config(parse_role_args("server", ["-c", str(path)]), {})
    assert (cfg.smuxver, cfg.closewait, cfg.listen) == (2, 10, ":4000")
    assert "fancy2027" in unknown_json_keys("server", json.loads(path.read_text()))
    [warning] = [w for w in warnings if "unknown key" in w]
    assert "fancy2027" in warning and "the tunnel runs without them" in warning


def test_json_with_a_wrong_type_for_a_new_key_is_one_error() -> None:
    with pytest.raises(ConfigError, match="ratelimit: expected an integer"):
        TunnelConfig.from_kcptun_json_text("client", '{"ratelimit": "fast"}')


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_port_range_parser_only_ever_raises_config_error(text: str) -> None:
    try:
        ports = parse_port_range(text)
    except ConfigError:
        return
    assert 0 <= ports.first <= ports.last <= 65535 and ports.count >= 1


def test_token_bucket_holds_the_rate_over_time() -> None:
    bucket = TokenBucket(1000, now=0.0, burst=1500)
    now, sent = 0.0, 0
    while now < 100.0:  # a sender that sends whenever allowed, 100-byte datagrams
        if bucket.ready(now):
            bucket.take(100, now)
            sent += 100
        else:
            now = bucket.ready_at(now)
    assert 100_000 <= sent <= 100_000 + 1500 + 100  # rate x time + burst + one datagram
    with pytest.raises(ValueError):
        TokenBucket(0, now=0.0)


def test_a_2025_command_line_is_taken_for_a_2025_peer() -> None:
    cfg, warnings = build_config(parse_role_args("server", ["--QPP", "-l", ":4000"]), {})
    assert (cfg.peer, cfg.smuxver, cfg.closewait, cfg.qpp) == ("kcptun-2025", 2, 30, True)
    assert cfg.validate() == []
    [note] = [w for w in warnings if "only in kcptun 2025+" in w]
    assert "--QPP exists only" in note and "--peer kcptun-2021 keeps" in note
    # what the line says stays: an explicit smuxver, or an explicit peer
    cfg, _ = build_config(parse_role_args("server", ["--closewait", "5", "--smuxver", "1"]), {})
    assert (cfg.peer, cfg.smuxver, cfg.closewait) == ("kcptun-2025", 1, 5)
    cfg, warnings = build_config(
        parse_role_args("client", ["--ratelimit", "99999", "--peer", "kcptun-2021"]), {}
    )
    assert (cfg.peer, cfg.smuxver) == ("kcptun-2021", 1)
    assert not any("only in kcptun 2025+" in w for w in warnings)
    # plain 2021 lines change nothing
    cfg, warnings = build_config(parse_role_args("client", ["--smuxver", "2"]), {})
    assert cfg.peer == "kcptun-2021" and warnings == []


def test_imported_2025_json_is_taken_for_a_2025_peer() -> None:
    cfg = import_kcptun_json('{"remoteaddr": "vps:3000-3100", "crypt": "aes-128-gcm"}')
    assert (cfg.peer, cfg.smuxver, cfg.crypt) == ("kcptun-2025", 2, "aes-128-gcm")
    assert cfg.validate() == []
    assert import_kcptun_json('{"remoteaddr": "vps:29900"}').peer == "kcptun-2021"
