"""kcpdesk command line: Go flag syntax, config precedence, error paths, and kcptun parity.

``test_startup_report_matches_kcptun`` runs the Debian kcptun binaries with the same arguments
and compares their startup log with ours line by line, so flag parsing, ``-c`` precedence and
mode handling track the reference binary rather than our reading of it.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kcpcore import cli, flags
from kcpcore.aio import engine
from kcpcore.config import (
    DEFAULT_KEY,
    KCPTUN_CRYPTS,
    MODES,
    ROLES,
    Role,
    TunnelConfig,
    apply_mode,
    fields_for,
)
from kcpcore.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]
BINARY = {"client": "kcptun-client", "server": "kcptun-server"}


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    level, before = root.level, list(root.handlers)
    yield
    for handler in list(root.handlers):
        if handler not in before:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


@pytest.fixture
def ran(monkeypatch: pytest.MonkeyPatch) -> list[TunnelConfig]:
    """Replace the engine call; collects the configs main() would have run."""
    seen: list[TunnelConfig] = []

    def fake_run(cfg: TunnelConfig, opts: object = None) -> int:
        seen.append(cfg)
        return 0

    monkeypatch.setattr(cli, "run", fake_run)
    monkeypatch.delenv("KCPTUN_KEY", raising=False)
    return seen


def config_for(role: Role, args: list[str], env: dict[str, str] | None = None) -> TunnelConfig:
    cfg, _warnings = flags.build_config(flags.parse_role_args(role, args), env or {})
    return cfg


# --- Go flag syntax ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["-mtu", "1200"],
        ["--mtu", "1200"],
        ["-mtu=1200"],
        ["--mtu=1200"],
        ["--mtu", "0x4b0"],
        ["--mtu=0X4B0"],
        ["-mtu", "02260"],
        ["--mtu", "0o2260"],
        ["--mtu", "0b10010110000"],
        ["--mtu", "1_200"],
        ["--mtu", "+1200"],
        ["--mtu", "5", "--mtu", "1200"],  # the last one wins
    ],
)
def test_int_flag_spellings(args: list[str]) -> None:
    assert config_for("client", args).mtu == 1200


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--nocomp"], True),
        (["-nocomp"], True),
        (["--nocomp=true"], True),
        (["--nocomp=1"], True),
        (["-nocomp=T"], True),
        (["--nocomp=TRUE"], True),
        (["--nocomp=false"], False),
        (["-nocomp=0"], False),
        (["--nocomp=F"], False),
        (["--nocomp", "--nocomp=False"], False),
        ([], False),
    ],
)
def test_bool_flag_spellings(args: list[str], expected: bool) -> None:
    assert config_for("server", args).nocomp is expected


@pytest.mark.parametrize(
    ("role", "args", "field", "value"),
    [
        ("client", ["-l", "127.0.0.1:1"], "localaddr", "127.0.0.1:1"),
        ("client", ["--l=:2"], "localaddr", ":2"),
        ("client", ["-r", "h:3"], "remoteaddr", "h:3"),
        ("client", ["--ds", "4"], "datashard", 4),
        ("client", ["-ps=5"], "parityshard", 5),
        ("server", ["-l", ":6"], "listen", ":6"),
        ("server", ["-t", "/run/x.sock"], "target", "/run/x.sock"),
        ("server", ["--datashard", "0"], "datashard", 0),
        ("client", ["--key", "-starts-with-dash"], "key", "-starts-with-dash"),
        ("client", ["--key", "a=b c"], "key", "a=b c"),
        ("client", ["--key="], "key", ""),
        ("client", ["-key=x=y"], "key", "x=y"),
        ("client", ["--mtu", "-5"], "mtu", -5),
        ("client", ["--interval", "010", "--mode", "manual"], "interval", 8),  # Go octal
    ],
)
def test_aliases_and_values(role: Role, args: list[str], field: str, value: Any) -> None:
    assert getattr(config_for(role, args), field) == value


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bogus"], "flag provided but not defined: -bogus"),
        (["--pprof"], "flag provided but not defined: -pprof"),  # client has no --pprof
        (["--conn"], "flag needs an argument: -conn"),
        (["--mtu", "abc"], 'invalid value "abc" for flag -mtu: parse error'),
        (["--mtu", "08"], "parse error"),
        (["--mtu", "1__0"], "parse error"),
        (["--mtu", "_1"], "parse error"),
        (["--mtu", "0x"], "parse error"),
        (["--mtu", "1.5"], "parse error"),
        (["--mtu", "9223372036854775808"], "value out of range"),
        (["--nocomp=maybe"], "invalid boolean value 'maybe' for -nocomp"),
        (["--nocomp="], "invalid boolean value '' for -nocomp"),
        (["---mtu", "1"], "bad flag syntax: ---mtu"),
        (["-=1"], "bad flag syntax: -=1"),
        (["-l", ":1", "--localaddr", ":2"], "cannot use two forms of the same flag: l localaddr"),
        (["--ds", "3", "--datashard", "4"], "cannot use two forms of the same flag: ds datashard"),
    ],
)
def test_flag_errors_use_go_wording(args: list[str], message: str) -> None:
    with pytest.raises(ConfigError) as err:
        flags.parse_role_args("client", args)
    assert message in str(err.value)


def test_parsing_stops_at_first_non_flag_and_double_dash() -> None:
    parsed = flags.parse_role_args("client", ["--mtu", "9", "extra", "--mtu", "10"])
    assert parsed.settings == {"mtu": 9} and parsed.positional == ("extra", "--mtu", "10")
    parsed = flags.parse_role_args("client", ["--", "--mtu", "10"])
    assert parsed.settings == {} and parsed.positional == ("--mtu", "10")
    parsed = flags.parse_role_args("client", ["-", "--mtu"])
    assert parsed.positional == ("-", "--mtu")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0),
        ("-0", 0),
        ("00", 0),
        ("017", 15),
        ("-0x10", -16),
        ("0B11", 3),
        ("0O_7", 7),
        ("0x_Ff", 255),
        ("9_223_372_036_854_775_807", 2**63 - 1),
        ("-9223372036854775808", -(2**63)),
    ],
)
def test_go_parse_int(text: str, value: int) -> None:
    assert flags.go_parse_int(text) == value


# --- precedence ----------------------------------------------------------------------------


def write_json(tmp_path: Path, text: str, name: str = "c.json") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_env_key_is_below_flag_and_json() -> None:
    assert config_for("client", [], {"KCPTUN_KEY": "env"}).key == "env"
    assert config_for("client", [], {"KCPTUN_KEY": ""}).key == ""  # set-but-empty counts
    assert config_for("client", ["--key", "flag"], {"KCPTUN_KEY": "env"}).key == "flag"


def test_env_key_through_main(monkeypatch: pytest.MonkeyPatch, ran: list[TunnelConfig]) -> None:
    monkeypatch.setenv("KCPTUN_KEY", "from-env")
    assert cli.main(["server"]) == 0
    assert ran[0].key == "from-env"


def test_json_overrides_flags_and_keeps_the_rest(tmp_path: Path) -> None:
    path = write_json(tmp_path, '{"Key": "json", "MTU": 1200, "sndwnd": null, "junk": 1}')
    cfg = config_for(
        "client",
        ["--key", "flag", "--mtu", "1000", "--sndwnd", "64", "--rcvwnd", "99", "-c", path],
        {"KCPTUN_KEY": "env"},
    )
    assert (cfg.key, cfg.mtu, cfg.sndwnd, cfg.rcvwnd) == ("json", 1200, 64, 99)


def test_json_is_applied_after_flags_whatever_their_order(tmp_path: Path) -> None:
    path = write_json(tmp_path, '{"mtu": 1200}')
    assert config_for("client", ["-c", path, "--mtu", "1000"]).mtu == 1200


def test_mode_preset_is_applied_after_json(tmp_path: Path) -> None:
    path = write_json(tmp_path, '{"mode": "fast2", "nodelay": 0, "interval": 99}')
    cfg = config_for("client", ["--mode", "manual", "--interval", "15", "-c", path])
    assert (cfg.mode, cfg.nodelay, cfg.interval, cfg.resend, cfg.nc) == ("fast2", 1, 20, 2, 1)
    path = write_json(tmp_path, '{"MODE": "manual", "resend": 4}', "m.json")
    cfg = config_for("client", ["--mode", "fast3", "--interval", "15", "-c", path])
    assert (cfg.mode, cfg.nodelay, cfg.interval, cfg.resend, cfg.nc) == ("manual", 0, 15, 4, 0)


def test_unknown_crypt_and_mode_warn_and_fall_back() -> None:
    cfg, warnings = flags.build_config(
        flags.parse_role_args("client", ["--crypt", "rot13", "--mode", "Fast", "--nodelay", "1"]),
        {},
    )
    assert (cfg.crypt, cfg.mode, cfg.nodelay, cfg.interval) == ("aes", "manual", 1, 50)
    assert len(warnings) == 2
    assert "rot13" in warnings[0] and "aes" in warnings[0]
    assert "'Fast'" in warnings[1] and "manual" in warnings[1]


def test_unknown_crypt_warning_is_logged(
    capsys: pytest.CaptureFixture[str], ran: list[TunnelConfig]
) -> None:
    assert cli.main(["client", "--crypt", "rot13"]) == 0
    err = capsys.readouterr().err
    assert re.search(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d warning: unknown crypt 'rot13'", err, re.M)
    assert ran[0].crypt == "aes"


def test_pprof_is_accepted_with_a_warning(
    capsys: pytest.CaptureFixture[str], ran: list[TunnelConfig]
) -> None:
    assert cli.main(["server", "--pprof"]) == 0
    assert ran[0].pprof is True
    assert "warning: --pprof does nothing" in capsys.readouterr().err


def test_profile_hook(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KCPDESK_CONFIG_DIR", str(tmp_path / "empty"))
    with pytest.raises(ConfigError, match="no profile named 'home'"):
        config_for("client", ["--profile", "home"])
    saved = TunnelConfig(role="client", mtu=1000, key="profile", remoteaddr="p:1")
    monkeypatch.setattr(flags, "load_profile", lambda name: saved)
    path = write_json(tmp_path, '{"remoteaddr": "json:2"}')
    cfg = config_for(
        "client", ["--profile", "home", "--mtu", "1100", "-c", path], {"KCPTUN_KEY": "env"}
    )
    assert (cfg.key, cfg.mtu, cfg.remoteaddr) == ("profile", 1100, "json:2")
    with pytest.raises(ConfigError, match="client profile"):
        config_for("server", ["--profile", "home"])


def test_profile_from_the_desktop_store(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ran: list[TunnelConfig]
) -> None:
    """A profile saved by the app runs headless, with flags still applied on top."""
    from kcpcore.profiles import Profile, ProfileStore

    monkeypatch.setenv("KCPDESK_CONFIG_DIR", str(tmp_path))
    store = ProfileStore()
    assert store.directory == tmp_path / "profiles"
    store.save(
        Profile(
            "office",
            TunnelConfig(
                role="client",
                remoteaddr="office.example:4000",
                key="s3cret",
                crypt="salsa20",
                mode="fast3",
            ),
        )
    )
    assert cli.main(["client", "--profile", "office", "--mtu", "1200"]) == 0
    (cfg,) = ran
    assert (cfg.remoteaddr, cfg.key, cfg.crypt, cfg.mode, cfg.mtu) == (
        "office.example:4000",
        "s3cret",
        "salsa20",
        "fast3",
        1200,
    )
    assert cli.main(["server", "--profile", "office"]) == 2  # a client profile
    assert cli.main(["client", "--profile", "nope"]) == 2


def test_corrupt_profile_is_reported_not_dropped(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KCPDESK_CONFIG_DIR", str(tmp_path))
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "broken.json").write_text("{not json")
    assert cli.main(["client", "--profile", "broken"]) == 2
    err = capsys.readouterr().err
    assert "broken.json" in err and "no profile named 'broken'" in err
    assert [p.name.split(".corrupt-")[0] for p in (tmp_path / "profiles").iterdir()] == [
        "broken.json"
    ]


# --- to_args round trip ----------------------------------------------------------------------


def _configs(role: Role) -> st.SearchStrategy[TunnelConfig]:
    def value(name: str, kind: str) -> st.SearchStrategy[Any]:
        if name == "crypt":
            return st.sampled_from(KCPTUN_CRYPTS)
        if name == "mode":
            return st.sampled_from([*MODES, "manual"])
        if kind == "int":
            return st.integers(-(2**63), 2**63 - 1)
        if kind == "bool":
            return st.booleans()
        return st.text(max_size=12)

    return st.fixed_dictionaries({s.name: value(s.name, s.kind) for s in fields_for(role)}).map(
        lambda kw: TunnelConfig(role=role, **kw)
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("full", [False, True])
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])  # a busy CI machine
@given(data=st.data())
def test_to_args_round_trips_through_the_parser(
    role: Role, full: bool, data: st.DataObject
) -> None:
    cfg = data.draw(_configs(role))
    assert config_for(role, cfg.to_args(full=full)) == apply_mode(cfg)


def test_to_args_lists_only_changes_by_default() -> None:
    assert TunnelConfig.default("server").to_args() == []
    cfg = TunnelConfig(role="client", mtu=1200, nocomp=True, datashard=0)
    assert cfg.to_args() == ["--mtu", "1200", "--datashard", "0", "--nocomp"]
    assert len(TunnelConfig.default("client").to_args(full=True)) > 50


# --- main(): output and error paths ----------------------------------------------------------


def test_main_runs_with_the_built_config(
    ran: list[TunnelConfig], capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        cli.main(["client", "-r", "example.net:4000", "--key", "hunter2", "--mode", "fast3"]) == 0
    )
    (cfg,) = ran
    assert (cfg.remoteaddr, cfg.key, cfg.interval) == ("example.net:4000", "hunter2", 10)
    err = capsys.readouterr().err
    assert "hunter2" not in err
    stamp = r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d "
    for line in (
        "remote address: example.net:4000",
        "nodelay parameters: 1 10 2 1",
        "key: ********",
        "sndwnd: 128 rcvwnd: 512",
        "tcp: false",
    ):
        assert re.search(stamp + re.escape(line) + "$", err, re.M), line


def test_log_flag_writes_to_a_file(
    ran: list[TunnelConfig], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log_file = tmp_path / "k.log"
    log_file.write_text("old line\n")
    assert cli.main(["server", "--log", str(log_file), "--quiet"]) == 0
    text = log_file.read_text()
    assert text.startswith("old line\n")  # appended, like kcptun's O_APPEND
    assert re.search(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d target: 127\.0\.0\.1:12948$", text, re.M)
    assert "quiet: true" in text
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("role", ROLES)
def test_help_has_kcptuns_option_table(role: Role, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([role, "--help"]) == 0
    ours = capsys.readouterr().out
    exe = shutil.which(BINARY[role])
    if exe is None:
        pytest.skip(f"{BINARY[role]} is not installed")
    theirs = subprocess.run(
        [exe, "--help"], capture_output=True, text=True, timeout=10, check=True
    ).stdout

    def options(text: str) -> list[str]:
        lines = text.splitlines()
        return lines[lines.index("GLOBAL OPTIONS:") + 1 :]

    newer = {"--profile"} | {
        f"--{s.flags[0]} " for s in fields_for(role) if s.since != "kcptun-2021"
    }  # flags kcptun 2021 has not
    assert [
        ln for ln in options(ours) if "KCP Desk" not in ln and not any(f in ln for f in newer)
    ] == [ln for ln in options(theirs) if ln.strip()]
    assert cli.main([role, "-h"]) == 0 and capsys.readouterr().out == ours
    assert cli.main([role, "help"]) == 0 and capsys.readouterr().out == ours


def test_top_level_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 2  # kcpcore.cli never opens the window (app.launcher does)
    assert "kcpdesk client [options]" in capsys.readouterr().err
    assert cli.main(["--help"]) == 0
    assert "kcpdesk client [options]" in capsys.readouterr().out
    assert cli.main(["--version"]) == 0
    assert "kcpdesk version" in capsys.readouterr().out
    assert cli.main(["server", "-v"]) == 0
    assert "kcptun 20210922" in capsys.readouterr().out


BAD_INPUTS = [
    ["frob"],
    ["client", "--bogus"],
    ["client", "--mtu", "abc"],
    ["client", "--mtu"],
    ["client", "---mtu"],
    ["client", "-l", ":1", "--localaddr", ":2"],
    ["client", "stray", "--mtu", "9"],
    ["client", "--tcp"],
    ["server", "--tcp=true"],
    ["client", "-c", "missing.json"],
    ["client", "-c", "bad.json"],
    ["client", "-c", "typed.json"],
    ["client", "-c", "tcp.json"],
    ["client", "-c", "."],
    ["client", "--mtu", "2000"],
    ["server", "--keepalive", "31", "--smuxver", "3"],
    ["client", "-r", "no-port"],
    ["server", "-l", "[::1]:99999"],
    ["client", "--profile", "home"],
    ["client", "--log", "no/such/dir/k.log"],
]


@pytest.mark.parametrize("argv", BAD_INPUTS, ids=" ".join)
def test_bad_input_is_one_error_line(
    argv: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    ran: list[TunnelConfig],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.json").write_text('{"mtu": 1200,}')
    (tmp_path / "typed.json").write_text('{"mtu": "1200"}')
    (tmp_path / "tcp.json").write_text('{"TCP": true}')
    rc = cli.main(argv)
    out, err = capsys.readouterr()
    assert rc == 2
    assert ran == []
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("kcpdesk: error: ")
    assert out == ""


def test_validation_errors_are_joined_on_one_line(
    capsys: pytest.CaptureFixture[str], ran: list[TunnelConfig]
) -> None:
    assert cli.main(["server", "--keepalive", "31", "--smuxver", "3", "--dscp", "64"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "dscp:" in line and "smuxver:" in line and "keepalive:" in line


# --- run(): the engine boundary -----------------------------------------------------------


def _fake_engine(monkeypatch: pytest.MonkeyPatch, body: Any) -> None:
    monkeypatch.setattr(engine, "run_forever", body)


def test_run_passes_the_config_to_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    got: list[TunnelConfig] = []

    async def run_forever(cfg: TunnelConfig, opts: object = None) -> int:
        got.append(cfg)
        return 0

    _fake_engine(monkeypatch, run_forever)
    cfg = TunnelConfig(role="server", mtu=1000)
    assert cli.run(cfg) == 0 and got == [cfg]


@pytest.mark.parametrize(
    ("exc", "rc", "text"),
    [
        (OSError(98, "Address already in use"), 1, "Address already in use"),
        (ConfigError("target: bad"), 2, "target: bad"),
    ],
)
def test_run_turns_engine_failures_into_one_line(
    exc: Exception,
    rc: int,
    text: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async def run_forever(cfg: TunnelConfig, opts: object = None) -> int:
        raise exc

    _fake_engine(monkeypatch, run_forever)
    assert cli.run(TunnelConfig.default("client")) == rc
    assert capsys.readouterr().err == f"kcpdesk: error: {text}\n"


# --- as a subprocess ---------------------------------------------------------------------------


def _python(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("KCPTUN_KEY", None)
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=cwd or REPO,
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["client", "--mtu", "abc"],
        ["server", "--tcp"],
        ["client", "-c", "/nonexistent/kcptun.json"],
        ["server", "--keepalive", "0"],
    ],
)
def test_python_m_kcpcore_errors(argv: list[str]) -> None:
    proc = _python("-m", "kcpcore", *argv)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.splitlines()) == 1
    assert proc.stderr.startswith("kcpdesk: error: ")


def test_python_m_kcpcore_without_arguments_never_imports_the_gui() -> None:
    code = (
        "import sys, runpy; sys.argv = ['kcpcore']\n"
        "try:\n    runpy.run_module('kcpcore', run_name='__main__')\n"
        "except SystemExit as e:\n    rc = e.code\n"
        "bad = sorted(m for m in sys.modules if m == 'app' or m.startswith(('app.', "
        "'PySide6', 'qasync', 'pyqtgraph')))\n"
        "print(rc, bad)"
    )
    proc = _python("-c", code)
    assert proc.stdout.strip() == "2 []", proc.stderr
    assert "kcpdesk client [options]" in proc.stderr


# --- parity with the Go binaries ---------------------------------------------------------------

_GO_LOG_PREFIX = re.compile(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \S+\.go:\d+: ")
_NOT_COMPARED = ("version:", "listening on:", "key:", "mode:", "initiating key", "key derivation")


def kcptun_startup(role: Role, args: list[str]) -> list[str]:
    """kcptun's startup report for ``args`` (its settings lines, prefixes stripped)."""
    exe = shutil.which(BINARY[role])
    if exe is None:
        pytest.skip(f"{BINARY[role]} is not installed")
    env = {k: v for k, v in os.environ.items() if k != "KCPTUN_KEY"}
    proc = subprocess.Popen(
        [exe, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env
    )
    killer = threading.Timer(10, proc.kill)
    killer.start()
    lines: list[str] = []
    try:
        assert proc.stderr is not None
        for raw in proc.stderr:
            line = _GO_LOG_PREFIX.sub("", raw.rstrip("\n"))
            lines.append(line)
            if line.startswith("tcp:"):
                break
    finally:
        killer.cancel()
        proc.kill()
        proc.wait(5)
        if proc.stderr is not None:
            proc.stderr.close()
    return [ln for ln in lines if not ln.startswith(_NOT_COMPARED)]


PARITY_CASES: list[tuple[Role, list[str], str | None]] = [
    ("client", ["--mtu", "0x500", "--nocomp=false", "--quiet=1", "--ds", "4", "-ps=0"], None),
    ("client", ["-mtu=0_1_0", "--sndwnd", "010", "-rcvwnd=+7", "--mtu", "1400"], None),
    (
        "client",
        ["--mode", "fast2", "--sndwnd", "99", "-c", "{j}"],
        '{"Mode": "manual", "NoDelay": 1, "interval": 15, "MTU": null, "rcvwnd": 77, "x": 1}',
    ),
    (
        "client",
        [
            "--crypt",
            "salsa20",
            "--keepalive",
            "20",
            "--smuxver",
            "2",
            "--streambuf",
            "1_000",
            "-c",
            "{j}",
        ],
        '{"crypt": "xtea", "snmpperiod": 5, "quiet": true}',
    ),
    (
        "client",
        [
            "--nocomp",
            "--acknodelay",
            "--mode",
            "normal",
            "--conn",
            "3",
            "--autoexpire",
            "60",
            "--scavengettl",
            "0x10",
            "-c",
            "{j}",
        ],
        '{"SNDWND": 9, "\\u017fockbuf": 65536} trailing text',
    ),
    ("client", ["--remoteaddr", "example.net:1", "--snmplog", "/tmp/x-20060102.log"], None),
    (
        "server",
        ["-t", "127.0.0.1:9", "--mode", "fast3", "--dscp", "46", "-c", "{j}"],
        '{"DataShard": 0, "conn": 5, "target": "/run/app.sock", "smuxbuf": 8388608}',
    ),
    (
        "server",
        [
            "--mode",
            "manual",
            "--nodelay",
            "1",
            "--interval",
            "15",
            "--resend",
            "7",
            "--nc",
            "1",
            "--sockbuf",
            "65536",
            "--quiet",
        ],
        None,
    ),
]


@pytest.mark.interop
@pytest.mark.parametrize(("role", "args", "json_text"), PARITY_CASES)
def test_startup_report_matches_kcptun(
    role: Role, args: list[str], json_text: str | None, tmp_path: Path
) -> None:
    if json_text is not None:
        path = write_json(tmp_path, json_text)
        args = [path if a == "{j}" else a for a in args]
    argv = ["-l", "127.0.0.1:0", *args]
    theirs = kcptun_startup(role, argv)
    cfg = config_for(role, argv)
    assert cfg.validate() == []
    ours = [ln for ln in cli.startup_lines(cfg) if not ln.startswith(_NOT_COMPARED)]
    assert ours == theirs


def test_startup_lines_shape() -> None:
    client = cli.startup_lines(TunnelConfig.default("client"))
    server = cli.startup_lines(dataclasses.replace(TunnelConfig.default("server"), key="k"))
    assert client[-1] == server[-1] == "tcp: false"
    assert "conn: 1" in client and "conn: 1" not in server
    assert "pprof: false" in server and "target: 127.0.0.1:12948" in server
    assert "key: ********" in server
    assert json.dumps(client).count("it's a secrect") == 0


# --- kcpdesk snmp: the counters without SIGUSR1 --------------------------------------------------


def test_snmp_prints_the_newest_snmplog_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import datetime

    from kcpcore.gotime import snmp_log_path
    from kcpcore.snmp import Snmp

    pattern = str(tmp_path / "snmp-20060102.csv")
    old, new = Snmp(bytes_sent=5), Snmp(bytes_sent=7, in_pkts=3)
    path = Path(snmp_log_path(pattern, datetime.now()))
    path.write_text(
        "\n".join(
            [
                old.csv_header(),
                old.csv_row(1_700_000_000),
                new.csv_row(1_700_000_002),
                "1700000004,1,2",
            ]
        )
        + "\n"
    )
    assert cli.main(["snmp", pattern]) == 0
    out = capsys.readouterr().out
    assert out.endswith(f" KCP SNMP:{new.go_dump()}\n")  # the half-written row is skipped


@pytest.mark.parametrize(
    ("argv", "rc", "text"),
    [
        (["snmp"], 2, "usage: kcpdesk snmp PATTERN"),
        (["snmp", "/nonexistent/snmp-20060102.csv"], 1, "no snmplog file at /nonexistent/snmp-"),
    ],
)
def test_snmp_errors_are_one_line(
    argv: list[str], rc: int, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(argv) == rc
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("kcpdesk: error: ") and text in line


# --- issue 16: keys and hosts checked before a headless run -----------------------------------


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


@pytest.mark.parametrize("role", ["client", "server"])
def test_published_default_key_runs_with_a_warning(
    role: Role, ran: list[TunnelConfig], caplog: pytest.LogCaptureFixture
) -> None:
    """kcptun's flag default stays (compatibility), but a headless run says it is public."""
    with caplog.at_level(logging.WARNING):
        assert cli.main([role]) == 0
        assert ran[-1].key == DEFAULT_KEY
        assert any("published default key" in m for m in _warnings(caplog))
        caplog.clear()
        assert cli.main([role, "--key", "our own"]) == 0
        assert not any("default key" in m for m in _warnings(caplog))


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["--key="], "key: empty key"),
        (["-r", "999.1.2.3:4000"], "999 is above 255"),
        (["-r", "vps..example.com:4000"], "empty part between dots"),
        (["-l", "[fe80::zz]:1080"], "not an IPv6 address"),
    ],
)
def test_empty_key_and_bad_hosts_stop_a_headless_run(
    args: list[str], text: str, ran: list[TunnelConfig], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["client", *args]) == 2
    assert text in capsys.readouterr().err and ran == []


def test_fec_half_off_runs_with_a_warning(
    ran: list[TunnelConfig], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        assert cli.main(["server", "--key", "k", "--ds", "0"]) == 0
    assert ran[-1].datashard == 0 and ran[-1].parityshard == 3
    assert any("FEC is off" in m for m in _warnings(caplog))
