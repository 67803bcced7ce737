"""Import/export round trips (no Qt): kcptun JSON, pasted command lines, the other end."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from kcpcore import cli
from kcpcore.config import FIELD_SPECS, TunnelConfig, fields_for
from kcpcore.errors import ConfigError
from kcpcore.profiles import (
    MUST_MATCH,
    SHARED_FIELDS,
    Profile,
    command_line,
    export_json,
    guess_role,
    import_kcptun_json,
    known_peer_address,
    normalized,
    parse_command_line,
    peer_config,
)

CLIENT = TunnelConfig(
    role="client",
    localaddr="127.0.0.1:7000",
    remoteaddr="vps.example:4000",
    key='it\'s "quoted" & spaced',
    crypt="twofish",
    mode="fast3",
    datashard=5,
    parityshard=2,
    nocomp=True,
    smuxver=2,
    dscp=46,
    conn=3,
    mtu=1200,
    streambuf=1 << 20,
)
SERVER = TunnelConfig(
    role="server",
    listen="[::]:4000",
    target="/run/app.sock",
    key="-dash",
    crypt="none",
    mode="manual",
    nodelay=1,
    interval=15,
    resend=2,
    nc=1,
    sndwnd=2048,
    acknodelay=True,
    quiet=True,
)


@pytest.mark.parametrize(
    "cfg", [CLIENT, SERVER, TunnelConfig(role="client"), TunnelConfig(role="server")]
)
def test_command_line_round_trip(cfg: TunnelConfig) -> None:
    text = command_line(cfg)
    assert text.split()[0] == f"kcptun-{cfg.role}"
    back, warnings = parse_command_line(text)
    assert warnings == []
    assert back == normalized(cfg)


@pytest.mark.parametrize("cfg", [CLIENT, SERVER])
def test_kcpdesk_command_line_runs_through_the_cli_parser(cfg: TunnelConfig) -> None:
    text = command_line(cfg, ["kcpdesk", cfg.role])
    assert text.startswith(f"kcpdesk {cfg.role} ")
    import shlex

    words = shlex.split(text)
    parsed = cli.parse_role_args(cfg.role, words[2:])
    built, _warnings = cli.build_config(parsed, {})
    assert normalized(built) == normalized(cfg)


@pytest.mark.parametrize("cfg", [CLIENT, SERVER])
def test_json_round_trip(cfg: TunnelConfig) -> None:
    text = export_json(cfg)
    assert set(json.loads(text)) == {s.json_key for s in fields_for(cfg.role)}
    assert import_kcptun_json(text) == normalized(cfg)
    assert import_kcptun_json(text, cfg.role) == normalized(cfg)


def test_json_import_guesses_the_role_and_keeps_defaults() -> None:
    cfg = import_kcptun_json('{"RemoteAddr": "h:1", "key": "x", "crypt": "salsa20"}')
    assert (cfg.role, cfg.remoteaddr, cfg.key, cfg.crypt) == ("client", "h:1", "x", "salsa20")
    assert cfg.sndwnd == FIELD_SPECS["sndwnd"].default_for("client")
    cfg = import_kcptun_json('{"listen": ":1", "target": "t:2"}')
    assert cfg.role == "server"
    assert guess_role({"key": "x"}) is None
    with pytest.raises(ConfigError, match="client or a server"):
        import_kcptun_json('{"key": "x"}')
    assert import_kcptun_json('{"key": "x"}', "server").key == "x"
    with pytest.raises(ConfigError, match="expected an integer"):
        import_kcptun_json('{"listen": ":1", "mtu": "1350"}')
    with pytest.raises(ConfigError):
        import_kcptun_json("[1, 2]")


@pytest.mark.parametrize(
    ("text", "role", "checks"),
    [
        (
            "kcptun-client -r 1.2.3.4:29900 -l :8388 --key abc --mode fast2",
            "client",
            {"remoteaddr": "1.2.3.4:29900", "localaddr": ":8388", "key": "abc", "mode": "fast2"},
        ),
        (
            "/usr/bin/kcptun-server -t 127.0.0.1:1080 -l :4000 -crypt=salsa20 -nocomp",
            "server",
            {"target": "127.0.0.1:1080", "crypt": "salsa20", "nocomp": True},
        ),
        (
            "./client_linux_amd64 -r \"vps:1\" \\\n  --key 'two words' --ds 4 --ps 1",
            "client",
            {"remoteaddr": "vps:1", "key": "two words", "datashard": 4, "parityshard": 1},
        ),
        ("KCPTUN_KEY=fromenv kcptun-client -r v:1", "client", {"key": "fromenv"}),
        ("kcpdesk server --listen :9 --target t:1 --sndwnd 0x400", "server", {"sndwnd": 1024}),
        ("python -m kcpcore client -r v:2", "client", {"remoteaddr": "v:2"}),
        ("server_windows_amd64.exe -t t:1  # a comment", "server", {"target": "t:1"}),
    ],
)
def test_pasted_command_lines(text: str, role: str, checks: dict[str, object]) -> None:
    cfg, _warnings = parse_command_line(text)
    assert cfg.role == role
    for k, v in checks.items():
        assert getattr(cfg, k) == v


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "must start with"),
        ("ssh -p 22 host", "must start with"),
        ("kcptun-client --bogus 1", "flag provided but not defined: -bogus"),
        ("kcptun-client -r h:1 stray -l :1", "unexpected argument 'stray'"),
        ("kcptun-client --key 'unterminated", "cannot split"),
    ],
)
def test_bad_command_lines(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_command_line(text)


def test_unknown_crypt_warns_like_the_cli() -> None:
    cfg, warnings = parse_command_line("kcptun-client --crypt rot13")
    assert cfg.crypt == "aes" and "unknown crypt 'rot13'" in warnings[0]


def test_mode_preset_values_are_not_exported() -> None:
    cfg, _ = parse_command_line("kcptun-client --mode fast3 --interval 40")
    assert "--interval" not in command_line(cfg)  # the preset overrides it anyway
    manual, _ = parse_command_line("kcptun-client --mode manual --interval 40")
    assert "--interval 40" in command_line(manual)


@pytest.mark.parametrize("cfg", [CLIENT, SERVER])
def test_the_other_end_agrees(cfg: TunnelConfig) -> None:
    peer = peer_config(cfg)
    assert peer.role != cfg.role
    for name in SHARED_FIELDS:
        assert getattr(normalized(peer), name) == getattr(normalized(cfg), name), name
    # exported as a command line and parsed back, it still agrees on what must match
    back, _ = parse_command_line(command_line(peer))
    for name in MUST_MATCH:
        assert getattr(back, name) == getattr(cfg, name), name
    # and the other end's other end is this end again, for everything shared
    again = peer_config(back)
    for name in SHARED_FIELDS:
        assert getattr(normalized(again), name) == getattr(normalized(cfg), name), name


def test_peer_addresses() -> None:
    server = peer_config(CLIENT)
    assert server.listen == ":4000" and server.target == "127.0.0.1:12948"
    assert peer_config(CLIENT, "10.0.0.5:22").target == "10.0.0.5:22"
    client = peer_config(SERVER)
    assert client.remoteaddr == "SERVER:4000"
    assert peer_config(SERVER, "my.host:4000").remoteaddr == "my.host:4000"
    specific = replace(SERVER, listen="[2001:db8::1]:4000")
    assert peer_config(specific).remoteaddr == "[2001:db8::1]:4000"
    assert peer.validate() == [] if (peer := peer_config(CLIENT)) else False


def test_the_other_end_is_found_among_saved_profiles() -> None:
    """An export pre-fills the real address when the other end is a saved profile."""
    client = TunnelConfig(role="client", key="k", remoteaddr="vps:3005")
    server = TunnelConfig(role="server", key="k", listen=":3000-3010", target="10.0.0.5:22")
    others = [
        Profile("wrong key", replace(server, key="other", target="1.1.1.1:1")),
        Profile("other port", replace(server, listen=":4000", target="1.1.1.1:2")),
        Profile("same role", replace(client, remoteaddr="x:3005")),
        Profile("srv", server),
    ]
    assert known_peer_address(client, others) == "10.0.0.5:22"
    assert known_peer_address(server, [Profile("laptop", client)]) == "vps:3005"
    assert known_peer_address(client, others[:3]) == ""


def test_profile_file_imports_as_json(tmp_path: Path) -> None:
    """A profile file exported from the store is itself importable (role from its header)."""
    from kcpcore.profiles import Profile

    text = Profile("x", replace(CLIENT, key="k1")).to_json_text()
    assert import_kcptun_json(text).key == "k1"
