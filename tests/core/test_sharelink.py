"""kcptun:// share links: round trips, links written by hand from kcptun_gclient's README,
and bad links that must fail with a message naming the problem."""

from __future__ import annotations

import base64
import re
from dataclasses import replace

import pytest

from kcpcore.config import DEFAULT_KEY, TunnelConfig
from kcpcore.errors import ConfigError
from kcpcore.sharelink import parse_link, to_link

# Written by hand from the README's field list (manual mode, every field present), then
# base64-encoded; wrapped at 76 columns with CRLF the way Delphi's encoder does.
GCLIENT_MANUAL_TEXT = (
    "server=203.0.113.7:4000;key=aHVudGVyMiDQutC70Y7Rhw==;crypt=salsa20;nocomp=true;"
    "datashard=20;parityshard=4;conn=2;mtu=1400;sndwnd=256;rcvwnd=1024;dscp=46;"
    "autoexpire=600;mode=manual;nodelay=1;interval=20;resend=2;nc=1;acknodelay=true;"
    "keepalive=15;sockbuf=8388608;remark=VG9reW8gVlBT;"
)
GCLIENT_MANUAL = (
    "kcptun://c2VydmVyPTIwMy4wLjExMy43OjQwMDA7a2V5PWFIVnVkR1Z5TWlEUXV0QzcwWTdSaHc9PTtjcnlwdD1z\r\n"
    "YWxzYTIwO25vY29tcD10cnVlO2RhdGFzaGFyZD0yMDtwYXJpdHlzaGFyZD00O2Nvbm49MjttdHU9MTQw\r\n"
    "MDtzbmR3bmQ9MjU2O3JjdnduZD0xMDI0O2RzY3A9NDY7YXV0b2V4cGlyZT02MDA7bW9kZT1tYW51YWw7\r\n"
    "bm9kZWxheT0xO2ludGVydmFsPTIwO3Jlc2VuZD0yO25jPTE7YWNrbm9kZWxheT10cnVlO2tlZXBhbGl2\r\n"
    "ZT0xNTtzb2NrYnVmPTgzODg2MDg7cmVtYXJrPVZHOXJlVzhnVmxCVDs="
)
# A preset mode, no key, an empty remark.
GCLIENT_NO_KEY = (
    "kcptun://c2VydmVyPWV4YW1wbGUub3JnOjI5OTAwO2NyeXB0PWFlcztub2NvbXA9ZmFsc2U7ZGF0YXNoYXJk"
    "PTEwO3Bhcml0eXNoYXJkPTM7Y29ubj0xO210dT0xMzUwO3NuZHduZD0xMjg7cmN2d25kPTUxMjtkc2NwPTA7"
    "YXV0b2V4cGlyZT0wO21vZGU9ZmFzdDI7YWNrbm9kZWxheT1mYWxzZTtrZWVwYWxpdmU9MTA7c29ja2J1Zj00"
    "MTk0MzA0O3JlbWFyaz07"
)


def link_of(text: str) -> str:
    return "kcptun://" + base64.b64encode(text.encode()).decode()


def test_hand_written_link_has_every_field() -> None:
    assert base64.b64decode("".join(GCLIENT_MANUAL[9:].split())).decode() == GCLIENT_MANUAL_TEXT
    got = parse_link(GCLIENT_MANUAL)
    c = got.config
    assert (c.remoteaddr, c.key, c.crypt, c.nocomp) == (
        "203.0.113.7:4000",
        "hunter2 ключ",
        "salsa20",
        True,
    )
    assert (c.datashard, c.parityshard, c.conn, c.mtu) == (20, 4, 2, 1400)
    assert (c.sndwnd, c.rcvwnd, c.dscp, c.autoexpire) == (256, 1024, 46, 600)
    assert (c.mode, c.nodelay, c.interval, c.resend, c.nc) == ("manual", 1, 20, 2, 1)
    assert (c.acknodelay, c.keepalive, c.sockbuf) == (True, 15, 8388608)
    assert got.remark == "Tokyo VPS" and got.has_key


def test_link_without_key_says_so_and_uses_the_default() -> None:
    got = parse_link(GCLIENT_NO_KEY)
    assert not got.has_key and got.config.key == DEFAULT_KEY
    assert got.config.remoteaddr == "example.org:29900" and got.config.mode == "fast2"
    assert got.remark == ""


@pytest.mark.parametrize("link", [GCLIENT_MANUAL, GCLIENT_NO_KEY])
def test_hand_written_links_survive_a_round_trip(link: str) -> None:
    got = parse_link(link)
    again = parse_link(to_link(got.config, remark=got.remark, include_key=got.has_key))
    assert again == got


def test_key_only_when_asked() -> None:
    cfg = replace(TunnelConfig(role="client"), remoteaddr="h:1", key="s3cret", mode="fast3")
    without = to_link(cfg, remark="r")
    assert "s3cret" not in base64.b64decode(without[9:]).decode()
    assert "key=" not in base64.b64decode(without[9:]).decode()
    assert parse_link(without).config.key == DEFAULT_KEY
    withkey = parse_link(to_link(cfg, remark="r", include_key=True))
    assert withkey.config.key == "s3cret" and withkey.config.mode == "fast3"


def test_tolerant_spelling() -> None:
    body = GCLIENT_NO_KEY[9:].rstrip("=")
    urlsafe = body.replace("+", "-").replace("/", "_")
    assert parse_link("  KCPTUN://" + urlsafe + "\n").config.remoteaddr == "example.org:29900"


BAD = [
    ("", "starts with kcptun://"),
    ("ss://abc", "starts with kcptun://"),
    ("kcptun://", "empty"),
    (GCLIENT_MANUAL[:-30], "cut short"),
    (GCLIENT_MANUAL[:-31], "cut short"),
    ("kcptun://c2VydmVy*PTE=", "not valid base64"),
    ("kcptun://" + base64.b64encode(b"\xff\xfe\x00server").decode(), "does not decode to text"),
    (link_of("server=h:1;turbo=yes;"), "unknown field turbo"),
    (link_of("server=h:1;mtu=1350;mtu=1400;"), "mtu appears twice"),
    (link_of("crypt=aes;"), "no server"),
    (link_of("server=h:1;sndwnd=lots;"), "sndwnd: expected a whole number"),
    (link_of("server=h:1;nocomp=maybe;"), "nocomp: expected true or false"),
    (link_of("server=h:1;mtu=99999;"), "mtu: must be 50..1500"),
    (link_of("server=h:1;sndwnd=0;"), "sndwnd: must be 1..65535"),
    (link_of("server=h:1;datashard=200;parityshard=100;"), "datashard + parityshard"),
    (link_of("server=h:1;mode=turbo;"), "unknown mode"),
    (link_of("server=h:1;key=%%%;"), "the key is not valid base64"),
    (link_of("server=nohostport;"), "missing port"),
    (link_of("server=h:1;conn=" + "9" * 40 + ";"), "conn: expected a whole number"),
    (link_of("server=h:1;garbage;"), "not name=value"),
    ("kcptun://" + "A" * 9000, "characters long"),
]


@pytest.mark.parametrize(("link", "message"), BAD, ids=[m for _, m in BAD])
def test_bad_links_say_what_is_wrong(link: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_link(link)


def test_only_client_configs_make_links() -> None:
    with pytest.raises(ConfigError, match="client"):
        to_link(TunnelConfig(role="server"))
