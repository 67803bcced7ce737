"""TunnelConfig: defaults and names against kcptun itself, JSON semantics, validation, helpers.

The flag/default tables are compared with what the installed Debian kcptun 20210922 binaries
print for ``--help`` (visible flags) and with their Go sources (hidden flags, JSON tags), so the
tests track the reference rather than a copy of it. The JSON rules (case folding, null, type
errors, trailing text, repeated keys) were each checked against ``kcptun-client -c``.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kcpcore.config import (
    DEFAULT_KEY,
    FIELD_SPECS,
    KCPTUN_CRYPTS,
    MODES,
    ROLES,
    FieldError,
    ModePreset,
    Role,
    TunnelConfig,
    apply_mode,
    effective_kcp_params,
    fields_for,
    parse_hostport,
    resolve_mode,
    split_hostport,
)
from kcpcore.errors import ConfigError

KCPTUN_SRC = Path("/usr/share/gocode/src/github.com/xtaci/kcptun")
BINARY = {"client": "kcptun-client", "server": "kcptun-server"}


# --- kcptun's --help, parsed --------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class HelpFlag:
    names: tuple[str, ...]
    takes_value: bool
    usage: str
    default: str | None
    env: str | None


_HELP_LINE = re.compile(r"^   (?P<names>-\S.*?)  +(?P<usage>.*)$")


def parse_urfave_help(text: str) -> list[HelpFlag]:
    """The GLOBAL OPTIONS table of a urfave/cli v1 help screen."""
    lines = text.splitlines()
    start = lines.index("GLOBAL OPTIONS:") + 1
    out = []
    for line in lines[start:]:
        if not line.strip():
            break
        m = _HELP_LINE.match(line)
        if m is None:  # a bool flag without usage text has no second column
            names_part, usage = line.strip(), ""
        else:
            names_part, usage = m["names"], m["usage"]
        parts = names_part.split(", ")
        env = default = None
        if (e := re.search(r" \[\$(\w+)\]$", usage)) is not None:
            env, usage = e[1], usage[: e.start()]
        if (d := re.search(r" \(default: (.*)\)$", usage)) is not None:
            default, usage = d[1], usage[: d.start()]
        out.append(
            HelpFlag(
                names=tuple(p.split(" ")[0].lstrip("-") for p in parts),
                takes_value=parts[0].endswith(" value"),
                usage=usage,
                default=default,
                env=env,
            )
        )
    return out


def kcptun_help(role: Role) -> str:
    exe = shutil.which(BINARY[role])
    if exe is None:
        pytest.skip(f"{BINARY[role]} is not installed")
    return subprocess.run(
        [exe, "--help"], capture_output=True, text=True, timeout=10, check=True
    ).stdout


def test_help_parser_reads_a_known_screen() -> None:
    text = (
        "GLOBAL OPTIONS:\n"
        '   --listen value, -l value  kcp listen (default: ":1")\n'
        '   --key value               secret (default: "k") [$KCPTUN_KEY]\n'
        "   --nocomp                  disable compression\n"
        "   --mtu value               mtu (default: 1350)\n\n"
    )
    assert parse_urfave_help(text) == [
        HelpFlag(("listen", "l"), True, "kcp listen", '":1"', None),
        HelpFlag(("key",), True, "secret", '"k"', "KCPTUN_KEY"),
        HelpFlag(("nocomp",), False, "disable compression", None, None),
        HelpFlag(("mtu",), True, "mtu", "1350", None),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_visible_flags_defaults_and_help_equal_kcptun_help(role: Role) -> None:
    theirs = [
        f
        for f in parse_urfave_help(kcptun_help(role))
        if f.names[0] not in ("c", "help", "version")
    ]
    ours = [s for s in fields_for(role) if not s.hidden and s.since == "kcptun-2021"]
    assert [f.names for f in theirs] == [s.flags for s in ours]
    for flag, spec in zip(theirs, ours, strict=True):
        assert flag.takes_value == (spec.kind != "bool"), spec.name
        assert flag.usage == spec.help, spec.name
        assert flag.env == spec.env, spec.name
        default = spec.default_for(role)
        if spec.kind == "bool":
            assert flag.default is None and default is False, spec.name
        elif spec.kind == "int":
            assert flag.default is not None and int(flag.default) == default, spec.name
        elif default == "":
            assert flag.default is None, spec.name  # urfave hides empty string defaults
        else:
            assert flag.default == f'"{default}"', spec.name


def _go_flag_blocks(role: Role) -> list[dict[str, Any]]:
    path = KCPTUN_SRC / role / "main.go"
    if not path.exists():
        pytest.skip("kcptun Go sources are not installed")
    out = []
    for kind, body in re.findall(
        r"cli\.(String|Int|Bool)Flag\{(.*?)\n\t\t\}", path.read_text(), re.S
    ):
        name = re.search(r'Name:\s*"([^"]*)"', body)
        value = re.search(r"Value:\s*(\"[^\"]*\"|-?\d+)", body)
        assert name is not None
        out.append(
            {
                "names": tuple(n.strip() for n in name[1].split(",")),
                "kind": {"String": "str", "Int": "int", "Bool": "bool"}[kind],
                "default": (
                    json.loads(value[1]) if value else {"String": "", "Int": 0, "Bool": False}[kind]
                ),
                "hidden": "Hidden: true" in body,
                "env": (m[1] if (m := re.search(r'EnvVar:\s*"(\w+)"', body)) else None),
            }
        )
    return out


@pytest.mark.parametrize("role", ROLES)
def test_every_flag_including_hidden_matches_go_source(role: Role) -> None:
    theirs = [b for b in _go_flag_blocks(role) if b["names"] != ("c",)]
    ours = [
        {
            "names": s.flags,
            "kind": s.kind,
            "default": s.default_for(role),
            "hidden": s.hidden,
            "env": s.env,
        }
        for s in fields_for(role)
        if s.since == "kcptun-2021"
    ]
    assert ours == theirs


@pytest.mark.parametrize("role", ROLES)
def test_json_keys_match_go_struct_tags(role: Role) -> None:
    path = KCPTUN_SRC / role / "config.go"
    if not path.exists():
        pytest.skip("kcptun Go sources are not installed")
    tags = set(re.findall(r'json:"(\w+)"', path.read_text()))
    extensions = {s.json_key for s in fields_for(role) if s.since != "kcptun-2021"}
    assert {s.json_key for s in fields_for(role)} - extensions == tags
    assert set(TunnelConfig.default(role).to_kcptun_json()) - extensions == tags


def test_role_specific_defaults() -> None:
    client, server = TunnelConfig.default("client"), TunnelConfig.default("server")
    assert (client.sndwnd, client.rcvwnd, client.localaddr, client.remoteaddr) == (
        128,
        512,
        ":12948",
        "vps:29900",
    )
    assert (server.sndwnd, server.rcvwnd, server.listen, server.target) == (
        1024,
        1024,
        ":29900",
        "127.0.0.1:12948",
    )
    assert TunnelConfig(role="server") == server
    # explicit values, even 0, are never mistaken for the role placeholder
    assert TunnelConfig(role="server", sndwnd=0).sndwnd == 0
    assert dataclasses.replace(server, mtu=1200).sndwnd == 1024
    assert client.key == DEFAULT_KEY


def test_role_must_be_known() -> None:
    with pytest.raises(ConfigError):
        TunnelConfig(role="relay")  # type: ignore[arg-type]


def test_repr_hides_the_key() -> None:
    assert "secrect" not in repr(TunnelConfig.default("client"))
    assert "hunter2" not in repr(TunnelConfig(role="client", key="hunter2"))


def test_every_field_is_documented_for_the_gui() -> None:
    for spec in FIELD_SPECS.values():
        assert spec.help and spec.tooltip, spec.name
        if spec.kind == "int":
            assert spec.minimum is not None, spec.name
    client = {s.name for s in fields_for("client")}
    server = {s.name for s in fields_for("server")}
    assert client - server == {"localaddr", "remoteaddr", "conn", "autoexpire", "scavengettl"}
    assert server - client == {"listen", "target", "pprof", "tuneserve"}
    assert FIELD_SPECS["crypt"].choices == (*KCPTUN_CRYPTS, "aes-128-gcm", "null")
    assert FIELD_SPECS["mode"].choices == ("normal", "fast", "fast2", "fast3", "manual")


# --- modes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        # PROTOCOL.md 5.3
        ("normal", (0, 40, 2, 1)),
        ("fast", (0, 30, 2, 1)),
        ("fast2", (1, 20, 2, 1)),
        ("fast3", (1, 10, 2, 1)),
        ("manual", (1, 15, 3, 0)),
        ("Fast", (1, 15, 3, 0)),  # kcptun's switch is case-sensitive: anything else is manual
        ("turbo", (1, 15, 3, 0)),
    ],
)
def test_resolve_mode(mode: str, expected: tuple[int, int, int, int]) -> None:
    cfg = TunnelConfig(role="client", mode=mode, nodelay=1, interval=15, resend=3, nc=0)
    assert resolve_mode(cfg) == ModePreset(*expected)
    applied = apply_mode(cfg)
    assert (applied.nodelay, applied.interval, applied.resend, applied.nc) == expected
    assert applied.mode == mode


@pytest.mark.parametrize(
    ("fields_", "expected"),
    [
        ({"interval": 5}, (0, 10, 0, 0)),
        ({"interval": 6000}, (0, 5000, 0, 0)),
        ({"interval": -1}, (0, 100, 0, 0)),  # kcp-go leaves its default for negatives
        ({"nodelay": -1, "resend": -3, "nc": -1, "interval": 10}, (0, 10, 0, 0)),
        ({"nodelay": 2, "resend": 5, "nc": 1, "interval": 5000}, (2, 5000, 5, 1)),
    ],
)
def test_effective_kcp_params_clamp_like_kcp_go(
    fields_: dict[str, int], expected: tuple[int, ...]
) -> None:
    cfg = TunnelConfig(role="client", mode="manual", **fields_)
    assert effective_kcp_params(cfg) == expected


def test_effective_params_ignore_manual_fields_in_preset_modes() -> None:
    cfg = TunnelConfig(role="server", mode="fast3", interval=1, resend=-9)
    assert effective_kcp_params(cfg) == (1, 10, 2, 1)
    assert MODES["fast3"] == ModePreset(1, 10, 2, 1)


# --- kcptun JSON -------------------------------------------------------------------------


def test_json_keys_override_base_and_absent_keys_keep_it() -> None:
    base = TunnelConfig(role="client", mtu=1000, key="from-cli", sndwnd=64)
    cfg = TunnelConfig.from_kcptun_json("client", {"mtu": 1200, "nocomp": True}, base)
    assert (cfg.mtu, cfg.nocomp, cfg.key, cfg.sndwnd) == (1200, True, "from-cli", 64)


def test_json_keys_match_case_insensitively_like_go() -> None:
    cfg = TunnelConfig.from_kcptun_json(
        "client",
        {
            "MTU": 1200,
            "RemoteAddr": "h:1",
            "NoComp": True,
            "DataShard": 4,
            "\u212aey": "kelvin",
            "\u017fndwnd": 9,
        },
    )  # Go folds Kelvin K and long s
    assert (cfg.mtu, cfg.remoteaddr, cfg.nocomp, cfg.datashard) == (1200, "h:1", True, 4)
    assert (cfg.key, cfg.sndwnd) == ("kelvin", 9)


def test_unknown_and_other_role_keys_are_ignored() -> None:
    client = TunnelConfig.from_kcptun_json(
        "client", {"listen": ":1", "target": "x:2", "pprof": True, "bogus": [1, {}], "mtu": 1300}
    )
    assert client == dataclasses.replace(TunnelConfig.default("client"), mtu=1300)
    server = TunnelConfig.from_kcptun_json("server", {"conn": 9, "localaddr": ":5"})
    assert server == TunnelConfig.default("server")


def test_null_changes_nothing() -> None:
    base = TunnelConfig(role="client", mtu=1000)
    assert TunnelConfig.from_kcptun_json("client", {"mtu": None, "key": None}, base) == base
    assert TunnelConfig.from_kcptun_json_text("client", "null", base) == base


def test_repeated_keys_apply_in_document_order() -> None:
    # kcptun-client -c with this file reports "mtu: 4"
    text = '{"mtu":1, "mtu":2, "MTU":3, "mtu":4}'
    assert TunnelConfig.from_kcptun_json_text("client", text).mtu == 4
    text = '{"mtu":1, "MTU":3, "mtu":4, "Mtu": 5}'
    assert TunnelConfig.from_kcptun_json_text("client", text).mtu == 5


def test_only_the_first_json_value_is_read() -> None:
    # kcptun's json.Decoder.Decode stops after the first value
    text = '  {"MTU": 1200, "sndwnd": 7} trailing garbage {'
    cfg = TunnelConfig.from_kcptun_json_text("client", text)
    assert (cfg.mtu, cfg.sndwnd) == (1200, 7)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('{"mtu": "1200"}', "expected an integer, got string"),
        ('{"mtu": 1200.0}', "got number 1200.0"),
        ('{"mtu": 1e3}', "got number 1e3"),
        ('{"mtu": 99999999999999999999}', "does not fit"),
        ('{"mtu": true}', "got boolean"),
        ('{"nocomp": 1}', "expected true or false, got number 1"),
        ('{"key": 5}', "expected a string"),
        ('{"key": {"a": 1}}', "got object"),
        ('{"crypt": ["aes"]}', "got array"),
        ("[1]", "must be a JSON object, not array"),
        ('"aes"', "must be a JSON object, not string"),
        ("", "empty"),
        (" \n\t", "empty"),
        ("{", "invalid JSON"),
        ('{"mtu": NaN}', "NaN"),
        ('\ufeff{"mtu": 1}', "invalid JSON"),
        ("[" * 100000, "invalid JSON"),
    ],
)
def test_bad_json_is_a_config_error(text: str, needle: str) -> None:
    with pytest.raises(ConfigError) as err:
        TunnelConfig.from_kcptun_json_text("client", text)
    assert needle in str(err.value)
    if text.startswith('{"mtu": "'):
        assert err.value.field == "mtu"


def test_lone_surrogate_escape_becomes_replacement_char() -> None:
    cfg = TunnelConfig.from_kcptun_json_text("client", '{"key": "a\\ud800b\\ud83d\\ude00"}')
    assert cfg.key == "a\ufffdb\U0001f600"


def test_base_must_have_the_same_role() -> None:
    with pytest.raises(ConfigError):
        TunnelConfig.from_kcptun_json("server", {}, TunnelConfig.default("client"))


def _role_configs(role: Role) -> st.SearchStrategy[TunnelConfig]:
    def value(kind: str) -> st.SearchStrategy[Any]:
        if kind == "int":
            return st.integers(-(2**63), 2**63 - 1)
        if kind == "bool":
            return st.booleans()
        return st.text(max_size=20)

    return st.fixed_dictionaries({s.name: value(s.kind) for s in fields_for(role)}).map(
        lambda kw: TunnelConfig(role=role, **kw)
    )


@pytest.mark.parametrize("role", ROLES)
@given(data=st.data())
def test_kcptun_json_round_trip(role: Role, data: st.DataObject) -> None:
    cfg = data.draw(_role_configs(role))
    assert TunnelConfig.from_kcptun_json(role, cfg.to_kcptun_json()) == cfg
    assert TunnelConfig.from_kcptun_json_text(role, json.dumps(cfg.to_kcptun_json())) == cfg


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_defaults_are_valid(role: Role) -> None:
    assert TunnelConfig.default(role).validate() == []


@pytest.mark.parametrize(
    ("role", "changes", "field_"),
    [
        ("client", {"mtu": 49}, "mtu"),
        ("client", {"mtu": 1501}, "mtu"),
        ("client", {"mtu": 52}, "mtu"),  # 24 KCP + 20 crypt + 8 FEC leaves no payload
        ("server", {"sndwnd": 0}, "sndwnd"),
        ("server", {"rcvwnd": 65536}, "rcvwnd"),
        ("client", {"datashard": 256}, "datashard"),
        ("client", {"parityshard": -1}, "parityshard"),
        ("client", {"datashard": 200, "parityshard": 57}, "parityshard"),
        ("client", {"dscp": 64}, "dscp"),
        ("client", {"keepalive": 0}, "keepalive"),
        ("server", {"keepalive": 31}, "keepalive"),
        ("client", {"smuxver": 3}, "smuxver"),
        ("client", {"smuxver": 0}, "smuxver"),
        ("server", {"streambuf": 4194305}, "streambuf"),
        ("server", {"smuxbuf": 0}, "smuxbuf"),
        ("client", {"conn": 0}, "conn"),
        ("client", {"conn": 65536}, "conn"),
        ("client", {"autoexpire": -1}, "autoexpire"),
        ("client", {"scavengettl": -1}, "scavengettl"),
        ("client", {"sockbuf": -1}, "sockbuf"),
        ("client", {"snmpperiod": -1}, "snmpperiod"),
        ("client", {"crypt": "rot13"}, "crypt"),
        ("client", {"crypt": "AES"}, "crypt"),
        ("client", {"mode": "Fast"}, "mode"),
        ("client", {"mode": "manual", "interval": 9}, "interval"),
        ("client", {"mode": "manual", "nodelay": 2}, "nodelay"),
        ("client", {"mode": "manual", "nc": -1}, "nc"),
        ("client", {"mode": "manual", "resend": -1}, "resend"),
        ("client", {"localaddr": "12948"}, "localaddr"),
        ("client", {"localaddr": "::1:80"}, "localaddr"),
        ("client", {"remoteaddr": "vps:0"}, "remoteaddr"),
        ("client", {"remoteaddr": "vps:http"}, "remoteaddr"),
        ("server", {"listen": "[::1]"}, "listen"),
        ("server", {"listen": ":65536"}, "listen"),
        ("server", {"target": ""}, "target"),
        ("server", {"target": "127.0.0.1:99999"}, "target"),
        ("server", {"tcp": True}, "tcp"),
    ],
)
def test_each_bad_value_is_reported_on_its_field(
    role: Role, changes: dict[str, Any], field_: str
) -> None:
    cfg = dataclasses.replace(TunnelConfig.default(role), **changes)
    errors = cfg.validate()
    assert [e.field for e in errors] == [field_]
    assert str(errors[0]).startswith(f"{field_}: ")


@pytest.mark.parametrize(
    ("role", "changes"),
    [
        ("client", {"mtu": 50, "parityshard": 0}),  # FEC off: 50 - 44 leaves 6 payload bytes
        ("client", {"mtu": 53}),
        ("client", {"mtu": 1500, "sndwnd": 65535, "rcvwnd": 1}),
        ("client", {"datashard": 128, "parityshard": 128}),
        ("client", {"datashard": 0, "parityshard": 255}),
        ("client", {"keepalive": 30, "dscp": 63, "smuxver": 2}),
        ("client", {"streambuf": 4194304}),
        ("client", {"mode": "fast", "interval": 1, "nodelay": 9}),  # overridden by the preset
        ("client", {"localaddr": "[::1]:1", "remoteaddr": "example.com:29900"}),
        ("client", {"localaddr": "127.0.0.1:"}),  # Go: empty port is 0
        ("server", {"listen": ":0", "target": "/run/app.sock"}),  # unix socket target
        ("server", {"target": "[fe80::1%eth0]:22"}),
        ("server", {"pprof": True, "key": "", "crypt": "none"}),
        ("client", {"snmpperiod": 0, "sockbuf": 0, "autoexpire": 0}),
    ],
)
def test_edge_values_are_accepted(role: Role, changes: dict[str, Any]) -> None:
    cfg = dataclasses.replace(TunnelConfig.default(role), **changes)
    assert cfg.validate() == []


def test_other_roles_fields_are_not_checked() -> None:
    cfg = TunnelConfig(role="client", listen="junk", target="", pprof=True)
    assert cfg.validate() == []
    cfg = TunnelConfig(role="server", localaddr="junk", conn=0)
    assert cfg.validate() == []


def test_several_errors_come_in_field_order() -> None:
    cfg = TunnelConfig(role="client", tcp=True, mtu=1, remoteaddr="x", crypt="rot13")
    assert [e.field for e in cfg.validate()] == ["remoteaddr", "crypt", "mtu", "tcp"]
    assert all(isinstance(e, FieldError) for e in cfg.validate())


def test_range_messages_say_what_kcptun_does() -> None:
    (err,) = TunnelConfig(role="client", mtu=2000).validate()
    assert "50..1500" in err.message and "1400" in err.message
    (err,) = TunnelConfig(role="client", keepalive=31).validate()
    assert "1..30" in err.message and "30 s" in err.message


# --- addresses ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (":12948", ("", 12948)),
        ("vps:29900", ("vps", 29900)),
        ("127.0.0.1:0", ("127.0.0.1", 0)),
        ("[::1]:1", ("::1", 1)),
        ("[::]:65535", ("::", 65535)),
        ("[fe80::1%eth0]:22", ("fe80::1%eth0", 22)),
        ("host:", ("host", 0)),
        ("host:+80", ("host", 80)),
        ("host:0080", ("host", 80)),
    ],
)
def test_parse_hostport(text: str, expected: tuple[str, int]) -> None:
    assert parse_hostport(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "missing port"),
        ("12948", "missing port"),
        ("::1:80", "too many colons"),
        ("[::1]", "missing port"),
        ("[::1]80", "missing port"),
        ("[::1]:80:1", "too many colons"),
        ("[::1:80", "missing ']'"),
        ("a[b:1", "unexpected '['"),
        ("ab]:1", "unexpected ']'"),
        ("host:http", "not a number"),
        ("host:-1", "not a number"),
        ("host:65536", "out of range"),
    ],
)
def test_parse_hostport_rejects(text: str, reason: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(reason)):
        parse_hostport(text)


def test_split_hostport_keeps_the_port_text() -> None:
    assert split_hostport("h:abc") == ("h", "abc")
    assert split_hostport("[::1]:") == ("::1", "")


@given(
    host=st.one_of(
        st.just(""),
        st.from_regex(r"[a-z0-9.-]{1,20}", fullmatch=True),
        st.ip_addresses(v=4).map(str),
    ),
    port=st.integers(0, 65535),
)
def test_hostport_round_trip_v4_and_names(host: str, port: int) -> None:
    assert parse_hostport(f"{host}:{port}") == (host, port)


@given(host=st.ip_addresses(v=6).map(str), port=st.integers(0, 65535))
def test_hostport_round_trip_v6(host: str, port: int) -> None:
    assert parse_hostport(f"[{host}]:{port}") == (host, port)
