"""Go time layout formatting for --snmplog names.

The expected strings were produced by the Debian kcptun 20210922 binary itself: ``kcptun-client
--snmpperiod 1 --snmplog DIR/<layout>`` run under TZ=UTC, Asia/Kolkata and America/St_Johns, and
the file names it created were recorded together with the time of the run.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kcpcore.gotime import go_time_format, snmp_log_path

UTC_T = datetime(2026, 11, 24, 20, 28, 36, 781000, UTC)
IST_T = datetime(2026, 11, 25, 1, 58, 36, 785000, timezone(timedelta(hours=5, minutes=30), "IST"))
NST_T = datetime(2026, 11, 24, 16, 58, 36, 797000, timezone(-timedelta(hours=3, minutes=30), "NST"))

LAYOUTS = (
    "a-002-__2-_2-_2006-2006-06-01-02-03-04-05-15-1-2-3-4-5",
    "b-Jan-January-Mon-Monday-MST-Janx-Monx-PM-pm-Jana-Mona-MSTx",
    "c-.000-.999-,000-,999-.0-.9x-.00a-0000-.0001-05.000-05,999",
    "d-Z07-Z07:00-Z0700-Z070000-Z07:00:00--07--07:00--0700--070000--07:00:00",
    "e-__2-___2-0002-06002-1_2-20062006",
)

# File names the Go binary created (same order as LAYOUTS).
GO_OUTPUT = {
    UTC_T: (
        "a-328-328-24-_2026-2026-26-11-24-08-28-36-20-11-24-8-28-36",
        "b-Nov-November-Tue-Tuesday-UTC-Janx-Monx-PM-pm-Jana-Mona-UTCx",
        "c-.781-.781-,781-,781-.7-.7x-.78a-0000-.0011-36.781-36,781",
        "d-Z-Z-Z-Z-Z-+00-+00:00-+0000-+000000-+00:00:00",
        "e-328-_328-0328-26328-1124-20262026",
    ),
    IST_T: (
        "a-329-329-25-_2026-2026-26-11-25-01-58-36-01-11-25-1-58-36",
        "b-Nov-November-Wed-Wednesday-IST-Janx-Monx-AM-am-Jana-Mona-ISTx",
        "c-.785-.785-,785-,785-.7-.7x-.78a-0000-.0011-36.785-36,785",
        "d-+05-+05:30-+0530-+053000-+05:30:00-+05-+05:30-+0530-+053000-+05:30:00",
        "e-329-_329-0329-26329-1125-20262026",
    ),
    NST_T: (
        "a-328-328-24-_2026-2026-26-11-24-04-58-36-16-11-24-4-58-36",
        "b-Nov-November-Tue-Tuesday-NST-Janx-Monx-PM-pm-Jana-Mona-NSTx",
        "c-.797-.797-,797-,797-.7-.7x-.79a-0000-.0011-36.797-36,797",
        "d--03--03:30--0330--033000--03:30:00--03--03:30--0330--033000--03:30:00",
        "e-328-_328-0328-26328-1124-20262026",
    ),
}


@pytest.mark.parametrize("t", list(GO_OUTPUT), ids=["UTC", "IST", "NST"])
@pytest.mark.parametrize("index", range(len(LAYOUTS)))
def test_matches_go_binary(t: datetime, index: int) -> None:
    assert go_time_format(LAYOUTS[index], t) == GO_OUTPUT[t][index]


def test_protocol_example() -> None:
    # PROTOCOL.md 9: snmp-20060102.log becomes snmp-20261124.log
    assert go_time_format("snmp-20060102.log", UTC_T) == "snmp-20261124.log"
    assert go_time_format("./snmp-20060102.log", UTC_T) == "./snmp-20261124.log"


@pytest.mark.parametrize(
    ("layout", "t", "expected"),
    [
        # padding and 12-hour edge cases (Go's format.go rules)
        ("_2|02|2", datetime(2026, 3, 5, tzinfo=UTC), " 5|05|5"),
        ("__2|002", datetime(2026, 1, 9, tzinfo=UTC), "  9|009"),
        ("__2|002", datetime(2026, 4, 10, tzinfo=UTC), "100|100"),
        ("3|03|15|PM", datetime(2026, 1, 1, 0, 7, tzinfo=UTC), "12|12|00|AM"),
        ("3|03|15|pm", datetime(2026, 1, 1, 12, 7, tzinfo=UTC), "12|12|12|pm"),
        ("4|04|5|05", datetime(2026, 1, 1, 1, 7, 9, tzinfo=UTC), "7|07|9|09"),
        ("06|2006", datetime(7, 1, 1, tzinfo=UTC), "07|0007"),
        # .999 drops trailing zeros, and the separator too when nothing is left
        ("05.999|05.000|05,99", datetime(2026, 1, 1, 0, 0, 3, tzinfo=UTC), "03|03.000|03"),
        ("05.999999999", datetime(2026, 1, 1, 0, 0, 3, 120000, tzinfo=UTC), "03.12"),
        ("05.0000000000", datetime(2026, 1, 1, 0, 0, 3, 123456, tzinfo=UTC), "03.123456000"),
        # MST falls back to -0700 when the zone has no abbreviation
        ("MST", datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=-2), "")), "-0200"),
        # offsets with seconds
        (
            "-07:00:00|Z070000",
            datetime(2026, 1, 1, tzinfo=timezone(timedelta(seconds=-3723))),
            "-01:02:03|-010203",
        ),
        # non-ASCII text is copied; only ASCII lowercase blocks Jan/Mon
        ("Janécrit-Moné", datetime(2026, 2, 3, tzinfo=UTC), "Febécrit-Tueé"),
        ("", UTC_T, ""),
    ],
)
def test_rules_from_go_source(layout: str, t: datetime, expected: str) -> None:
    assert go_time_format(layout, t) == expected


def test_naive_datetime_is_local_time() -> None:
    t = datetime(2026, 6, 1, 12, 0, 0)
    local = t.astimezone()
    assert go_time_format("2006-01-02 15 -0700", t) == local.strftime("%Y-%m-%d %H %z")


def test_snmp_log_path_formats_only_the_file_name() -> None:
    t = datetime(2026, 11, 24, tzinfo=UTC)
    assert snmp_log_path("/var/log/2006/snmp-20060102.log", t) == "/var/log/2006/snmp-20261124.log"
    assert snmp_log_path("snmp-01.csv", t) == "snmp-11.csv"
    assert snmp_log_path("dir/", t) == "dir/"


@given(
    st.text(alphabet="abcdefghiknoqrsuvwxyz!#@ []{}", max_size=40),
    st.datetimes(timezones=st.just(UTC)),
)
def test_text_without_token_characters_is_copied(text: str, t: datetime) -> None:
    assert go_time_format(text, t) == text


@given(st.datetimes(min_value=datetime(1000, 1, 1), timezones=st.just(UTC)))
def test_numeric_tokens_agree_with_strftime(t: datetime) -> None:
    assert go_time_format("2006-01-02T15:04:05.000000 Jan Monday", t) == t.strftime(
        "%Y-%m-%dT%H:%M:%S.%f %b %A"
    )
