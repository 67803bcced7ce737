"""Which other profile binds the same local port (kcpcore.localports, issue 16)."""

from __future__ import annotations

import pytest

from kcpcore.config import TunnelConfig
from kcpcore.localports import clashing_profile
from kcpcore.profiles import Profile


def client(name: str, localaddr: str) -> Profile:
    return Profile(name, TunnelConfig(role="client", localaddr=localaddr))


def server(name: str, listen: str) -> Profile:
    return Profile(name, TunnelConfig(role="server", listen=listen))


@pytest.mark.parametrize(
    ("mine", "theirs", "clash"),
    [
        (client("a", ":1080"), client("b", "127.0.0.1:1080"), True),  # every address covers it
        (client("a", "localhost:1080"), client("b", "127.0.0.1:1080"), True),
        (client("a", "[::]:1080"), client("b", "10.0.0.2:1080"), True),
        (client("a", "127.0.0.1:1080"), client("b", "127.0.0.2:1080"), False),
        (client("a", ":1080"), client("b", ":1081"), False),
        (client("a", ":0"), client("b", ":0"), False),  # any free port
        (client("a", ":29900"), server("b", ":29900"), False),  # TCP and UDP
        (server("a", ":3000-4000"), server("b", ":3999"), True),
        (server("a", ":3000-4000"), server("b", ":4001-4002"), False),
        (client("a", "no-port"), client("b", "no-port"), False),  # invalid: validate says so
    ],
)
def test_clash_rules(mine: Profile, theirs: Profile, clash: bool) -> None:
    assert (clashing_profile(mine.config, [theirs]) is theirs) is clash
    assert (clashing_profile(theirs.config, [mine]) is mine) is clash
