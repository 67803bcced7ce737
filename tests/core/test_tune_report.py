"""``kcpdesk tune``'s own flags and the report it prints (the measurement is tests/aio's)."""

from __future__ import annotations

import json
import shlex
from dataclasses import replace

import pytest

from kcpcore import cli
from kcpcore.config import TunnelConfig
from kcpcore.errors import ConfigError
from kcpcore.tune import DirectionFigures, LinkFigures, recommend
from kcpcore.tune.command import split_own_flags
from kcpcore.tune.report import outcome, render

CLIENT = TunnelConfig(role="client", remoteaddr="vps:29900")
SERVER = replace(TunnelConfig(role="server"), rcvwnd=512)
FIG = LinkFigures(
    rtt_min_ms=170,
    srtt_ms=180,
    seconds=12.0,
    active=True,
    peer_is_kcpdesk=False,
    up=DirectionFigures(
        rate_bps=7.4e6, capacity_bps=31e6, loss=0.0, window_limit="sender", busy=True
    ),
)


def test_own_flags_are_taken_out_and_bounded() -> None:
    own, rest = split_own_flags(["--profile", "vps", "--seconds", "99", "-bytes=5", "-r", "h:1"])
    assert rest == ["--profile", "vps", "-r", "h:1"]
    assert own["seconds"] == 10.0 and own["bytes"] == 1 << 20 and own["passive"] == 0
    with pytest.raises(ConfigError, match="--passive: expected a number"):
        split_own_flags(["--passive", "soon"])
    with pytest.raises(ConfigError, match="negative"):
        split_own_flags(["--seconds=-1"])


def test_report_has_figures_reasons_and_both_ends_commands() -> None:
    advice = recommend(FIG, CLIENT, SERVER)
    out = outcome(advice, CLIENT, SERVER, server_is_kcpdesk=False)
    text = render(FIG, advice, out)
    assert "RTT: 170 ms at least, 180 ms smoothed" in text
    assert "upload: 7.4 Mbit/s, 31.0 Mbit/s with large windows" in text
    assert "128 segments x 1.30 kB / 180 ms = 7.4 Mbit/s" in text
    client_cmd = shlex.split(out.client_command())
    assert client_cmd[:2] == ["kcpdesk", "client"] and "--sndwnd" in client_cmd
    assert client_cmd[client_cmd.index("--sndwnd") + 1] == "1024"
    # the Go server gets only kcptun flags, and only the ones that change
    assert shlex.split(out.server_flags()) == ["--rcvwnd", "1024", "--parityshard", "0"]
    assert json.loads(out.server_json_changes()) == {"rcvwnd": 1024, "parityshard": 0}
    assert "The server (kcptun 2021 (Debian))" in text  # the profile's peer generation
    assert out.server_command().startswith("kcptun-server ")
    assert "--pacing" not in out.server_command()  # Go kcptun refuses KCP Desk's flags
    kd = outcome(advice, CLIENT, SERVER, server_is_kcpdesk=True)  # it answered the test
    assert kd.server_runs == "kcpdesk" and kd.server_command().startswith("kcpdesk server")


def test_tune_help_and_bad_flags(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["tune", "--help"]) == 0
    assert "--tuneserve" in capsys.readouterr().out
    assert cli.main(["tune", "--seconds", "x"]) == 2
    assert "expected a number" in capsys.readouterr().err
    assert cli.main(["tune", "--sndwnd", "0", "-r", "h:1"]) == 2
    assert "sndwnd" in capsys.readouterr().err
