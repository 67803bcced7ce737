"""An emulated lossy link between network namespaces, for netem tests and ``benchmarks/``.

Topology (built by ``tools/netlink/netlink.sh``, ours, grown from the shared copy)::

    PREFIX-srv [lbs0 10.99.2.2] == [rs0] PREFIX-rtr [rc0] == [lbc0 10.99.1.2] PREFIX-cli

The impairments sit on the router, a middle hop, so the hosts' own qdiscs never see the
bottleneck (TCP Small Queues would otherwise shield TCP from drops that UDP tunnels take).
When the kernel has ``sch_netem`` (probed once by adding netem to ``lo`` of a scratch namespace)
the router's egress gets ``netem`` as root with ``tbf`` as its child; otherwise ``netlink.sh``
does delay/jitter/loss/reorder in its userspace delay line ``lbemu`` and the rate with ``tbf``.

Every link uses the same addresses, but only inside its own three namespaces, and the veth/tun
devices are created directly inside them: links with different prefixes can exist at the same
time without clashing, and nothing is routed outside them. Teardown always happens: in
``__exit__`` (also on exceptions and KeyboardInterrupt), and through an ``atexit`` fallback.

The module is also the small agent program the tests and ``benchmarks/linkbench.py`` run inside
the namespaces (``python3 tests/helpers/netlink.py serve|drive``): JSON commands on stdin, one
JSON line of result on stdout per command, every socket wait bounded by a deadline.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import hashlib
import json
import os
import queue
import random
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

REPO_ROOT = Path(__file__).resolve().parents[2]
CLIENT_IP = "10.99.1.2"  # netlink.sh CLI_IP
SERVER_IP = "10.99.2.2"  # netlink.sh SRV_IP
CLIENT_DEV = "lbc0"  # client host's veth
SERVER_DEV = "lbs0"  # server host's veth
ROUTER_DEVS = ("rc0", "rs0")  # router egress towards client (data direction), towards server
SETUP_TIMEOUT = 60.0  # s; bound on one netlink.sh/ip/tc call
AGENT_TIMEOUT = 30.0  # s; default bound on one agent command beyond its own cap
NETEM_LIMIT_PKTS = 100_000  # netem's delay line must hold a full BDP at any rate we use
ETH_HLEN = 14  # bytes; veth counters include the Ethernet header, IP accounting subtracts it
TCP_CONGESTION = getattr(socket, "TCP_CONGESTION", 13)

_NETLINK_SH_CANDIDATES = (
    REPO_ROOT / "tools" / "netlink" / "netlink.sh",
    REPO_ROOT.parent / "shared" / "tools" / "netlink" / "netlink.sh",
    Path("/work/shared/tools/netlink/netlink.sh"),
)
_LIVE: dict[str, EmulatedLink] = {}
_PROBE: dict[str, str | bool | None] = {}


# --------------------------------------------------------------------------- parsing


def parse_rate(s: str | None) -> int:
    """bit/s; the same rules as netlink.sh (plain number = Mbit/s, ``none``/0 = unlimited)."""
    s = (s or "").strip().lower()
    if s in ("", "0", "none", "inf", "unlimited"):
        return 0
    m = re.fullmatch(r"([0-9.]+)\s*(k|m|g)?(bit|bps|b)?", s)
    if not m:
        raise ValueError(f"bad rate {s!r}")
    if m.group(2) is None and m.group(3) is None:
        return int(float(m.group(1)) * 1e6)
    mult = {None: 1.0, "k": 1e3, "m": 1e6, "g": 1e9}[m.group(2)]
    return int(float(m.group(1)) * mult * (8 if m.group(3) == "bps" else 1))


def parse_duration_us(s: str | None) -> int:
    """Microseconds; plain number = ms, as in netlink.sh."""
    s = (s or "0").strip().lower()
    m = re.fullmatch(r"([0-9.]+)\s*(us|ms|s)?", s)
    if not m:
        raise ValueError(f"bad duration {s!r}")
    return round(float(m.group(1)) * {"us": 1, "ms": 1e3, "s": 1e6}[m.group(2) or "ms"])


def parse_percent(s: str | None) -> float:
    """Probability in [0, 1] from ``"2%"`` or ``"2"``."""
    v = float((s or "0").strip().rstrip("%")) / 100.0
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"bad percentage {s!r}")
    return v


# --------------------------------------------------------------------------- probes


def find_netlink_sh() -> Path:
    """The vendored script first; CI also has ../shared beside the clone."""
    env = os.environ.get("KCPDESK_NETLINK_SH")
    for p in ([Path(env)] if env else []) + list(_NETLINK_SH_CANDIDATES):
        if p.is_file():
            return p
    raise FileNotFoundError("netlink.sh not found (tools/netlink/ or ../shared/tools/netlink/)")


def _ns_names() -> set[str]:
    r = subprocess.run(
        ["ip", "netns", "list"], capture_output=True, text=True, timeout=SETUP_TIMEOUT, check=False
    )
    return {line.split()[0] for line in r.stdout.splitlines() if line.strip()}


def _probe() -> None:
    """Root? ``ip netns`` usable? netem present? Done once per process, in a scratch netns."""
    if _PROBE:
        return
    _PROBE["netem"] = False
    if os.geteuid() != 0:
        _PROBE["reason"] = "needs root to create network namespaces"
        return
    if shutil.which("ip") is None:
        _PROBE["reason"] = "iproute2 `ip` is not installed"
        return
    ns = "kdprobe" + secrets.token_hex(3)
    r = subprocess.run(
        ["ip", "netns", "add", ns],
        capture_output=True,
        text=True,
        timeout=SETUP_TIMEOUT,
        check=False,
    )
    if r.returncode != 0:
        _PROBE["reason"] = f"`ip netns add` failed: {r.stderr.strip()}"
        return
    _PROBE["reason"] = None
    try:
        tc = shutil.which("tc") or "/usr/sbin/tc"
        subprocess.run(
            ["ip", "-n", ns, "link", "set", "lo", "up"],
            capture_output=True,
            timeout=SETUP_TIMEOUT,
            check=False,
        )
        r = subprocess.run(
            [tc, "-n", ns, "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"],
            capture_output=True,
            timeout=SETUP_TIMEOUT,
            check=False,
        )
        _PROBE["netem"] = r.returncode == 0
    finally:
        subprocess.run(
            ["ip", "netns", "del", ns], capture_output=True, timeout=SETUP_TIMEOUT, check=False
        )


def netns_unavailable_reason() -> str | None:
    """Why namespace tests cannot run here, or None when they can."""
    _probe()
    return _PROBE["reason"]  # type: ignore[return-value]


def kernel_has_netem() -> bool:
    _probe()
    return bool(_PROBE["netem"])


# --------------------------------------------------------------------------- the link


class EmulatedLink:
    """Two hosts and a router in namespaces with rate, delay, jitter, loss and reordering.

    Use as a context manager; ``up()``/``down()`` are idempotent and ``down()`` never raises.
    ``backend`` is ``"auto"`` (netem when the kernel has it, else lbemu), ``"netem"`` or
    ``"lbemu"``; the environment variable ``KCPDESK_NETLINK_BACKEND`` overrides ``"auto"``.
    ``seed`` seeds lbemu's loss RNG (netem is not seeded). Jitter keeps packet order in lbemu
    but reorders in netem, as netem always does.

    Path-corpus knobs (lbemu only; ``"auto"`` picks lbemu when one is set): ``rate_up`` is the
    client->server rate of an asymmetric link (``rate`` is then the download rate);
    ``reorder_gap`` makes reordered packets overtake by only that much instead of skipping the
    whole delay; ``loss_burst`` (packets, >= 1) makes loss Gilbert-Elliott bursty at the same
    average; ``jitter_free`` lets jitter reorder; ``burst_bytes`` and a small ``queue_bytes``
    make the tbf a policer; ``queue_bytes_up`` sizes the upload buffer on its own.
    """

    def __init__(
        self,
        rate: str = "100mbit",
        delay: str = "20ms",
        loss: str = "0%",
        jitter: str | None = None,
        reorder: str | None = None,
        *,
        prefix: str | None = None,
        seed: int = 1,
        backend: str = "auto",
        queue_bytes: int | None = None,
        rate_up: str | None = None,
        reorder_gap: str | None = None,
        loss_burst: float | None = None,
        jitter_free: bool = False,
        burst_bytes: int | None = None,
        queue_bytes_up: int | None = None,
    ) -> None:
        self.rate, self.delay, self.loss = rate, delay, loss
        self.jitter, self.reorder = jitter, reorder
        self.rate_bps = parse_rate(rate)
        self.delay_us = parse_duration_us(delay)
        self.loss_p = parse_percent(loss)
        self.jitter_us = parse_duration_us(jitter)
        self.reorder_p = parse_percent(reorder)
        self._explicit_prefix = prefix is not None
        self.prefix = prefix or "kd" + secrets.token_hex(2)
        self.seed = seed
        self.queue_bytes = queue_bytes
        self.rate_up = rate_up
        self.rate_up_bps = parse_rate(rate_up) if rate_up is not None else self.rate_bps
        self.reorder_gap_us = parse_duration_us(reorder_gap)
        if loss_burst is not None and loss_burst and loss_burst < 1:
            raise ValueError(f"loss_burst is a mean burst in packets (>= 1), not {loss_burst}")
        self.loss_burst = loss_burst or 0.0
        self.jitter_free = jitter_free
        self.burst_bytes = burst_bytes
        self.queue_bytes_up = queue_bytes_up
        if backend == "auto":
            backend = os.environ.get("KCPDESK_NETLINK_BACKEND", "auto")
        if backend not in ("auto", "netem", "lbemu"):
            raise ValueError(f"backend must be auto, netem or lbemu, not {backend!r}")
        if self.lbemu_only():
            if backend == "netem":
                raise ValueError(f"{self.lbemu_only()} need the lbemu backend")
            backend = "lbemu"
        self._backend_choice = backend
        self.backend = ""
        self.client_ip, self.server_ip = CLIENT_IP, SERVER_IP
        self.client_dev, self.server_dev = CLIENT_DEV, SERVER_DEV
        self.run_dir: Path | None = None
        self._procs: list[subprocess.Popen[Any]] = []
        self._is_up = False

    def lbemu_only(self) -> list[str]:
        """The knobs set that only lbemu/netlink.sh implement (empty: netem can do it all)."""
        knobs = {
            "rate_up": self.rate_up is not None,
            "reorder_gap": self.reorder_gap_us > 0,
            "loss_burst": self.loss_burst > 0,
            "jitter_free": self.jitter_free,
            "burst_bytes": self.burst_bytes is not None,
            "queue_bytes_up": self.queue_bytes_up is not None,
        }
        return [k for k, on in knobs.items() if on]

    @property
    def client_ns(self) -> str:
        return f"{self.prefix}-cli"

    @property
    def server_ns(self) -> str:
        return f"{self.prefix}-srv"

    @property
    def router_ns(self) -> str:
        return f"{self.prefix}-rtr"

    @property
    def namespaces(self) -> tuple[str, str, str]:
        return self.client_ns, self.router_ns, self.server_ns

    def __repr__(self) -> str:
        return (
            f"EmulatedLink({self.rate}, {self.delay}, {self.loss}, jitter={self.jitter}, "
            f"reorder={self.reorder}, prefix={self.prefix!r}, backend={self.backend!r})"
        )

    def __enter__(self) -> EmulatedLink:
        return self.up()

    def __exit__(self, *exc: object) -> None:
        self.down()

    # ---- lifecycle

    def up(self) -> EmulatedLink:
        if self._is_up:
            return self
        reason = netns_unavailable_reason()
        if reason:
            raise RuntimeError(f"cannot build an emulated link: {reason}")
        self._claim_prefix()
        backend = self._backend_choice
        if backend == "auto":
            backend = "netem" if kernel_has_netem() else "lbemu"
        self.backend = backend
        self.run_dir = Path(f"/tmp/netlink-{self.prefix}")
        _LIVE[self.prefix] = self
        self._is_up = True  # from here on down() has something to clean
        try:
            if backend == "netem":
                self._sh("up", "none", "0", "0")
                self._add_netem()
            else:
                self._sh(
                    "up", self.rate, self.delay, self.loss, self.jitter or "0", self.reorder or "0"
                )
        except BaseException:
            self.down()
            raise
        return self

    def _claim_prefix(self) -> None:
        """netlink.sh ``up`` tears down first: never let that hit somebody else's link."""
        for _ in range(20):
            existing = _ns_names()
            if not existing.intersection(self.namespaces) and self.prefix not in _LIVE:
                return
            if self._explicit_prefix:
                raise RuntimeError(
                    f"namespaces with prefix {self.prefix!r} already exist; "
                    f"remove them with `LB_PREFIX={self.prefix} netlink.sh down`"
                )
            self.prefix = "kd" + secrets.token_hex(2)
        raise RuntimeError("no free namespace prefix")

    def _env(self) -> dict[str, str]:
        env = dict(
            os.environ, LB_PREFIX=self.prefix, LB_RUN_DIR=str(self.run_dir), LB_SEED=str(self.seed)
        )
        optional = {
            "LB_QUEUE_BYTES": self.queue_bytes,
            "LB_RATE_UP": self.rate_up,
            "LB_REORDER_GAP": f"{self.reorder_gap_us}us" if self.reorder_gap_us else None,
            "LB_LOSS_BURST": self.loss_burst or None,
            "LB_JITTER_FREE": 1 if self.jitter_free else None,
            "LB_BURST_BYTES": self.burst_bytes,
            "LB_QUEUE_BYTES_UP": self.queue_bytes_up,
        }
        env.update({k: str(v) for k, v in optional.items() if v is not None})
        return env

    def set_rate(self, rate: str, direction: str = "both") -> None:
        """Change the bottleneck rate of a live link (``down``, ``up`` or ``both``), keeping its
        buffer: a route change or a radio dropping to a slower rate mid-transfer."""
        if not self._is_up:
            raise RuntimeError("the link is not up")
        if direction not in ("down", "up", "both"):
            raise ValueError(f"direction must be down, up or both, not {direction!r}")
        bps = parse_rate(rate)
        if bps <= 0:
            raise ValueError("set_rate needs a rate > 0")
        if self.backend == "netem":  # the buffer _add_netem gave it
            bdp = self.rate_bps // 8 * 2 * self.delay_us // 1_000_000
            tc = shutil.which("tc") or "/usr/sbin/tc"
            devs = {"down": ROUTER_DEVS[:1], "up": ROUTER_DEVS[1:], "both": ROUTER_DEVS}
            for dev in devs[direction]:
                self._run(
                    [
                        tc,
                        "-n",
                        self.router_ns,
                        "qdisc",
                        "change",
                        "dev",
                        dev,
                        "parent",
                        "1:1",
                        "handle",
                        "10:",
                        "tbf",
                        "rate",
                        f"{bps}bit",
                        "burst",
                        str(max(bps // 8 // 1000, 12112)),
                        "limit",
                        str(self.queue_bytes or max(bdp, 65536)),
                    ]
                )
            return
        self._sh("rate", direction, f"{bps}bit")

    def _sh(self, *args: str) -> None:
        r = subprocess.run(
            ["bash", str(find_netlink_sh()), *args],
            env=self._env(),
            capture_output=True,
            text=True,
            timeout=SETUP_TIMEOUT,
            check=False,
        )
        if r.returncode != 0:
            raise RuntimeError(
                f"netlink.sh {' '.join(args)} failed ({r.returncode}): {r.stderr.strip()}"
            )

    def _add_netem(self) -> None:
        """netem (delay, jitter, loss, reorder) as root, tbf (rate, buffer) as its child."""
        tc = shutil.which("tc") or "/usr/sbin/tc"
        netem = ["netem", "limit", str(NETEM_LIMIT_PKTS), "delay", f"{self.delay_us}us"]
        if self.jitter_us:
            netem.append(f"{self.jitter_us}us")
        if self.loss_p:
            netem += ["loss", f"{self.loss_p * 100:.4f}%"]
        if self.reorder_p:
            netem += ["reorder", f"{self.reorder_p * 100:.4f}%"]
        queue_b = burst = 0
        if self.rate_bps:
            bdp = self.rate_bps // 8 * 2 * self.delay_us // 1_000_000
            queue_b = self.queue_bytes or max(bdp, 65536)
            burst = max(self.rate_bps // 8 // 1000, 12112)
        for dev in ROUTER_DEVS:
            self._run(
                [
                    tc,
                    "-n",
                    self.router_ns,
                    "qdisc",
                    "add",
                    "dev",
                    dev,
                    "root",
                    "handle",
                    "1:",
                    *netem,
                ]
            )
            if self.rate_bps:
                self._run(
                    [
                        tc,
                        "-n",
                        self.router_ns,
                        "qdisc",
                        "add",
                        "dev",
                        dev,
                        "parent",
                        "1:1",
                        "handle",
                        "10:",
                        "tbf",
                        "rate",
                        f"{self.rate_bps}bit",
                        "burst",
                        str(burst),
                        "limit",
                        str(queue_b),
                    ]
                )

    @staticmethod
    def _run(argv: Sequence[str]) -> str:
        r = subprocess.run(
            list(argv), capture_output=True, text=True, timeout=SETUP_TIMEOUT, check=False
        )
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed: {r.stderr.strip()}")
        return r.stdout

    def down(self) -> None:
        """Stop our processes, delete the namespaces, remove the run dir. Never raises."""
        if not self._is_up:
            return
        for p in self._procs:
            stop_process(p)
        self._procs.clear()
        with contextlib.suppress(Exception):
            self._sh("down")
        with contextlib.suppress(Exception):  # belt and braces if the script failed
            for ns in self.namespaces:
                if ns in _ns_names():
                    subprocess.run(
                        ["ip", "netns", "del", ns],
                        capture_output=True,
                        timeout=SETUP_TIMEOUT,
                        check=False,
                    )
        if self.run_dir is not None:
            shutil.rmtree(self.run_dir, ignore_errors=True)
        self._is_up = False
        _LIVE.pop(self.prefix, None)

    # ---- running things inside

    def exec_argv(self, ns: str, argv: Sequence[str]) -> list[str]:
        """``argv`` run inside namespace ``ns`` (``ip netns exec`` execs it: same pid)."""
        if ns not in self.namespaces:
            raise ValueError(f"{ns!r} is not one of this link's namespaces {self.namespaces}")
        return ["ip", "netns", "exec", ns, *argv]

    def popen(self, ns: str, argv: Sequence[str], **kw: Any) -> subprocess.Popen[Any]:
        """Start ``argv`` in ``ns``; it is stopped (TERM, then KILL) by ``down()``."""
        p = subprocess.Popen(self.exec_argv(ns, argv), **kw)
        self._procs.append(p)
        return p

    def agent(self, ns: str, role: str, *args: str, log: Path | None = None) -> Agent:
        """Start this module's ``serve`` or ``drive`` agent in ``ns``."""
        return Agent(self, ns, role, list(args), log=log)

    def counters(self) -> dict[str, dict[str, int]]:
        """Per host (``client``/``server``): veth tx/rx bytes and packets."""
        out = {}
        for role, ns, dev in (
            ("client", self.client_ns, self.client_dev),
            ("server", self.server_ns, self.server_dev),
        ):
            info = json.loads(self._run(["ip", "-n", ns, "-s", "-j", "link", "show", "dev", dev]))
            st = info[0]["stats64"]
            out[role] = {
                "tx_bytes": st["tx"]["bytes"],
                "tx_packets": st["tx"]["packets"],
                "rx_bytes": st["rx"]["bytes"],
                "rx_packets": st["rx"]["packets"],
            }
        return out

    def emu_stats(self, timeout: float = 2.0) -> dict[str, Any] | None:
        """lbemu's per-direction counters (``ldn`` = to client, ``lup`` = to server)."""
        if self.backend != "lbemu" or self.run_dir is None:
            return None
        pidfile, stats = self.run_dir / "lbemu.pid", self.run_dir / "lbemu.stats.json"
        try:
            pid = int(pidfile.read_text())
            before = stats.stat().st_mtime_ns if stats.exists() else 0
            os.kill(pid, signal.SIGUSR1)  # lbemu rewrites its stats file
        except (OSError, ValueError):
            return None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if stats.exists() and stats.stat().st_mtime_ns != before:
                with contextlib.suppress(ValueError, OSError):
                    return json.loads(stats.read_text())
            time.sleep(0.02)
        return None


def stop_process(p: subprocess.Popen[Any], grace: float = 3.0) -> None:
    """SIGTERM, then SIGKILL after ``grace`` seconds; reaps it and closes its pipes."""
    if p.poll() is None:
        with contextlib.suppress(OSError):
            p.terminate()
        try:
            p.wait(grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(OSError):
                p.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.wait(grace)
    for f in (p.stdin, p.stdout, p.stderr):
        if f is not None:
            with contextlib.suppress(OSError):
                f.close()


@atexit.register
def _teardown_all() -> None:
    for link in list(_LIVE.values()):
        link.down()


def live_links() -> list[EmulatedLink]:
    return list(_LIVE.values())


# --------------------------------------------------------------------------- pytest glue


def skip_unless_netns() -> None:
    """pytest.skip unless this process may build namespaces (root and a working ``ip netns``)."""
    import pytest

    reason = netns_unavailable_reason()
    if reason:
        pytest.skip(f"netem: {reason}")


def netlink_fixture(name: str = "netlink") -> Callable[..., Any]:
    """A pytest fixture named ``name`` yielding ``make(**EmulatedLink kwargs) -> EmulatedLink``.

    Usage in a test module: ``netlink = netlink_fixture()``. Links are up when returned and torn
    down after the test. Skips only when not root or ``ip netns`` cannot be used; the test must
    be marked ``@pytest.mark.netem`` so ``-m "not netem"`` deselects it.
    """
    import pytest

    @pytest.fixture(name=name)
    def _fixture(request: Any) -> Iterator[Callable[..., EmulatedLink]]:
        if request.node.get_closest_marker("netem") is None:
            pytest.fail("tests using the netlink fixture must be marked @pytest.mark.netem")
        skip_unless_netns()
        links: list[EmulatedLink] = []

        def make(**kw: Any) -> EmulatedLink:
            link = EmulatedLink(**kw)
            links.append(link)
            return link.up()

        try:
            yield make
        finally:
            for link in reversed(links):
                link.down()

    return _fixture


# --------------------------------------------------------------------------- agent, caller side


class Agent:
    """A ``serve``/``drive`` agent inside a namespace, commanded by JSON lines."""

    def __init__(
        self, link: EmulatedLink, ns: str, role: str, args: list[str], log: Path | None = None
    ) -> None:
        self._log: IO[bytes] | None = open(log, "ab") if log else None  # noqa: SIM115
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        self.proc = link.popen(
            ns,
            [sys.executable, str(Path(__file__).resolve()), role, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log or subprocess.DEVNULL,
            env=env,
            bufsize=0,
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self.hello = self._next(AGENT_TIMEOUT)

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            self._lines.put(raw.decode(errors="replace"))
        self._lines.put(None)

    def _next(self, timeout: float) -> dict[str, Any]:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"agent pid {self.proc.pid} silent for {timeout:.0f} s") from None
        if line is None:
            raise RuntimeError(f"agent pid {self.proc.pid} exited ({self.proc.poll()})")
        reply = json.loads(line)
        if "error" in reply:
            raise RuntimeError(f"agent: {reply['error']}")
        return reply

    def call(self, cmd: str, timeout: float | None = None, **kw: Any) -> dict[str, Any]:
        """Run one command; ``timeout`` defaults to the command's ``cap`` + AGENT_TIMEOUT."""
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps({"cmd": cmd, **kw}) + "\n").encode())
        self.proc.stdin.flush()
        return self._next(timeout if timeout is not None else kw.get("cap", 0) + AGENT_TIMEOUT)

    def close(self) -> None:
        stop_process(self.proc)
        if self._log:
            self._log.close()


def proc_cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all threads), from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def is_listening(pid: int, port: int, proto: str = "tcp") -> bool:
    """Whether a socket on ``port`` is bound (UDP) / listening (TCP) in ``pid``'s namespace."""
    for table in (proto, proto + "6"):
        try:
            lines = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if int(f[1].rsplit(":", 1)[1], 16) == port and (proto == "udp" or f[3] == "0A"):
                return True
    return False


def wait_listening(
    proc: subprocess.Popen[Any], port: int, proto: str = "tcp", timeout: float = 10.0
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"pid {proc.pid} exited ({proc.returncode}) before listening")
        if is_listening(proc.pid, port, proto):
            return
        time.sleep(0.02)
    raise TimeoutError(f"pid {proc.pid} not listening on {proto}/{port} after {timeout} s")


# --------------------------------------------------------------------------- agent, inside

PAYLOAD_BLOCK = 1 << 16  # bytes; made block by block, so a sender starts sending at once


def payload_blocks(seed: int, n: int) -> Iterator[bytes]:
    """The deterministic bytes of transfer ``seed``; both ends regenerate them to verify.

    Random bytes (incompressible, like the encrypted or compressed traffic a tunnel mostly
    carries); the last block is a prefix of a full one, so any prefix of a transfer can be
    checked when a capped run stops early.
    """
    for i, off in enumerate(range(0, n, PAYLOAD_BLOCK)):
        block = random.Random(seed * 1_000_003 + i).randbytes(PAYLOAD_BLOCK)
        yield block if n - off >= PAYLOAD_BLOCK else block[: n - off]


def payload(seed: int, n: int) -> bytes:
    return b"".join(payload_blocks(seed, n))


def expected_sha256(seed: int, n: int) -> str:
    h = hashlib.sha256()
    for block in payload_blocks(seed, n):
        h.update(block)
    return h.hexdigest()


def _nodelay(s: socket.socket) -> None:
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _recv_line(s: socket.socket, deadline: float, limit: int = 4096) -> tuple[bytes, bytes]:
    buf = b""
    while b"\n" not in buf:
        s.settimeout(max(deadline - time.monotonic(), 0.001))
        chunk = s.recv(limit)
        if not chunk:
            raise ConnectionError("eof before header")
        buf += chunk
        if len(buf) > limit:
            raise ValueError("header too long")
    line, rest = buf.split(b"\n", 1)
    return line, rest


def _send_until(s: socket.socket, data: bytes, deadline: float) -> int:
    """Send as much of ``data`` as fits before ``deadline``; returns bytes sent."""
    view, sent = memoryview(data), 0
    while sent < len(data):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        s.settimeout(min(left, 0.5))
        try:
            sent += s.send(view[sent : sent + 262144])
        except TimeoutError:
            continue
    return sent


def _recv_until(s: socket.socket, n: int, deadline: float, sink: bytearray) -> float | None:
    """Append up to ``n`` bytes to ``sink`` before ``deadline``; returns time of first byte."""
    t_first = None
    while len(sink) < n:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        s.settimeout(min(left, 0.5))
        try:
            chunk = s.recv(min(n - len(sink), 1 << 20))
        except TimeoutError:
            continue
        if not chunk:
            break
        if t_first is None:
            t_first = time.monotonic()
        sink += chunk
    return t_first


def _send_blocks(s: socket.socket, blocks: Iterator[bytes], deadline: float) -> int:
    sent = 0
    for block in blocks:
        k = _send_until(s, block, deadline)
        sent += k
        if k < len(block):
            break
    return sent


def _recv_hashed(s: socket.socket, n: int, deadline: float, h: Any) -> tuple[int, float | None]:
    """Feed up to ``n`` bytes into hash ``h`` before ``deadline``: (count, time of first)."""
    view = memoryview(bytearray(1 << 20))
    got, t_first = 0, None
    while got < n:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        s.settimeout(min(left, 0.5))
        try:
            k = s.recv_into(view, min(n - got, len(view)))
        except TimeoutError:
            continue
        if not k:
            break
        if t_first is None:
            t_first = time.monotonic()
        h.update(view[:k])
        got += k
    return got, t_first


def _verdict(seed: int, got: int, h: Any) -> dict[str, Any]:
    digest = h.hexdigest()
    return {"received": got, "sha256": digest, "ok": digest == expected_sha256(seed, got)}


def _serve_tcp_conn(conn: socket.socket) -> None:
    """One connection: a JSON header line, then ``down``/``up``/``echo``/``noop``."""
    with conn:
        _nodelay(conn)
        try:
            line, rest = _recv_line(conn, time.monotonic() + AGENT_TIMEOUT)
        except (OSError, ValueError):
            return  # readiness probes and aborted connects
        req = json.loads(line)
        op = req["op"]
        # an upload stops with the client's cap (it cannot half-close through kcptun, whose
        # pipes close both ways on EOF); the other ops outlive it, the client ends them
        deadline = time.monotonic() + float(req.get("cap", 60.0)) + (1.0 if op == "up" else 5.0)
        if req.get("cc"):
            conn.setsockopt(socket.IPPROTO_TCP, TCP_CONGESTION, req["cc"].encode())
        if op == "down":
            _send_blocks(conn, payload_blocks(req["seed"], req["n"]), deadline)
            with contextlib.suppress(OSError):  # let the client close first
                _recv_until(conn, 1, deadline, bytearray())
        elif op == "up":
            h = hashlib.sha256(rest)
            t0 = time.monotonic() if rest else None
            got, t1 = _recv_hashed(conn, req["n"] - len(rest), deadline, h)
            t_last = time.monotonic()
            reply = {
                **_verdict(req["seed"], got + len(rest), h),
                "t_first": t0 or t1,
                "t_last": t_last,
            }
            with contextlib.suppress(OSError):
                conn.settimeout(5.0)
                conn.sendall(json.dumps(reply).encode() + b"\n")
                _recv_until(conn, 1, deadline, bytearray())
        elif op == "echo":
            buf = bytearray(rest)
            size = req["size"]
            while time.monotonic() < deadline:
                if _recv_until(conn, size, deadline, buf) is None and len(buf) < size:
                    break
                conn.sendall(bytes(buf[:size]))
                del buf[:size]


def _serve_udp(s: socket.socket, counts: dict[int, list[int]], lock: threading.Lock) -> None:
    """``b"P" probe:u32 seq:u32 ...`` datagrams are recorded per probe (in arrival order) and
    echoed back."""
    while True:
        try:
            data, addr = s.recvfrom(65535)
        except OSError:
            return
        if len(data) >= 9 and data[:1] == b"P":
            probe, seq = struct.unpack_from("!II", data, 1)
            with lock:
                counts.setdefault(probe, []).append(seq)
            with contextlib.suppress(OSError):
                s.sendto(data, addr)


def _hostport(s: str) -> tuple[str, int]:
    host, port = s.rsplit(":", 1)
    return host, int(port)


def agent_serve(tcp: list[str], udp: list[str]) -> None:
    """Listeners in the server namespace; stdin commands: ``udp_count``, ``udp_order``."""
    counts: dict[int, list[int]] = {}
    lock = threading.Lock()
    ports: dict[str, int] = {}
    for spec in tcp:
        ls = socket.create_server(_hostport(spec), backlog=64, reuse_port=False)
        ports[f"tcp:{spec}"] = ls.getsockname()[1]

        def accept_loop(ls: socket.socket = ls) -> None:
            while True:
                conn, _ = ls.accept()
                threading.Thread(target=_serve_tcp_conn, args=(conn,), daemon=True).start()

        threading.Thread(target=accept_loop, daemon=True).start()
    for spec in udp:
        us = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        us.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        us.bind(_hostport(spec))
        ports[f"udp:{spec}"] = us.getsockname()[1]
        threading.Thread(target=_serve_udp, args=(us, counts, lock), daemon=True).start()

    def udp_count(probe: int) -> dict[str, Any]:
        with lock:
            return {"received": len(set(counts.get(probe, ())))}

    def udp_order(probe: int) -> dict[str, Any]:
        """The probe's sequence numbers in the order they arrived (duplicates kept)."""
        with lock:
            return {"order": list(counts.get(probe, ()))}

    _command_loop({"udp_count": udp_count, "udp_order": udp_order}, {"ready": True, "ports": ports})


def _connect(host: str, port: int, deadline: float, cc: str | None = None) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if cc:
        s.setsockopt(socket.IPPROTO_TCP, TCP_CONGESTION, cc.encode())
    _nodelay(s)
    s.settimeout(max(deadline - time.monotonic(), 0.001))
    s.connect((host, port))
    return s


def drive_tcp(
    host: str, port: int, op: str, n: int, seed: int, cap: float = 60.0, cc: str | None = None
) -> dict[str, Any]:
    """Move ``n`` verified bytes down (server to client) or up; stop at ``cap`` seconds."""
    blocks = payload_blocks(seed, n)
    hdr = json.dumps({"op": op, "n": n, "seed": seed, "cap": cap, "cc": cc}).encode() + b"\n"
    t_start = time.monotonic()
    deadline = t_start + cap
    with _connect(host, port, deadline, cc) as s:
        t_conn = time.monotonic()
        s.sendall(hdr)
        if op == "down":
            h = hashlib.sha256()
            got, t_first = _recv_hashed(s, n, deadline, h)
            t_last = time.monotonic()
            return {
                **_verdict(seed, got, h),
                "t_start": t_start,
                "t_connected": t_conn,
                "t_first": t_first,
                "t_last": t_last,
                "complete": got == n,
            }
        sent = _send_blocks(s, blocks, deadline)
        try:  # the server answers after n bytes, or at its own cap (1 s after ours)
            line, _ = _recv_line(s, deadline + 10.0)
            reply = json.loads(line)
        except (OSError, ValueError):
            reply = {"received": 0, "ok": False, "t_first": None, "t_last": None}
        return {
            **reply,
            "t_start": t_start,
            "t_connected": t_conn,
            "sent": sent,
            "complete": reply.get("received") == n,
        }


def drive_echo(
    host: str, port: int, count: int, size: int = 64, cap: float = 60.0, cc: str | None = None
) -> dict[str, Any]:
    """``count`` request/response round trips of ``size`` bytes; RTTs in ms."""
    deadline = time.monotonic() + cap
    msg = payload(count, size)
    rtts: list[float] = []
    with _connect(host, port, deadline, cc) as s:
        s.sendall(json.dumps({"op": "echo", "size": size, "cap": cap}).encode() + b"\n")
        buf = bytearray()
        for _ in range(count):
            t0 = time.monotonic()
            if _send_until(s, msg, deadline) < size:
                break
            buf.clear()
            _recv_until(s, size, deadline, buf)
            if bytes(buf) != msg:
                break
            rtts.append((time.monotonic() - t0) * 1e3)
    return {"rtt_ms": rtts, "complete": len(rtts) == count}


def drive_connect(host: str, port: int, count: int, cap: float = 30.0) -> dict[str, Any]:
    """TCP handshake times in ms (one RTT each, or more when a SYN is lost)."""
    deadline = time.monotonic() + cap
    out: list[float] = []
    for _ in range(count):
        if time.monotonic() >= deadline:
            break
        t0 = time.monotonic()
        with contextlib.suppress(OSError), _connect(host, port, deadline) as s:
            out.append((time.monotonic() - t0) * 1e3)
            s.sendall(b'{"op": "noop"}\n')
    return {"connect_ms": out}


def drive_udp_probe(
    host: str,
    port: int,
    count: int,
    probe: int,
    size: int = 100,
    pps: float = 4000.0,
    linger: float = 1.5,
) -> dict[str, Any]:
    """Paced ``count`` probes to the serve agent; returns how many echoes came back and RTTs."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.connect((host, port))
    pad = b"\0" * max(size - 17, 0)
    echoed: dict[int, float] = {}
    stop = threading.Event()

    def receiver() -> None:
        s.settimeout(0.1)
        while not stop.is_set():
            try:
                data = s.recv(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            _, seq, t = struct.unpack_from("!IId", data, 1)
            echoed.setdefault(seq, (time.monotonic() - t) * 1e3)

    th = threading.Thread(target=receiver, daemon=True)
    th.start()
    t0 = time.monotonic()
    for seq in range(count):
        delay = t0 + seq / pps - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        with contextlib.suppress(OSError):
            s.send(b"P" + struct.pack("!IId", probe, seq, time.monotonic()) + pad)
    time.sleep(linger)
    stop.set()
    th.join(1.0)
    s.close()
    return {"sent": count, "echoed": len(echoed), "rtt_ms": sorted(echoed.values())}


def _command_loop(
    handlers: dict[str, Callable[..., dict[str, Any]]], hello: dict[str, Any]
) -> None:
    def emit(obj: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    emit(hello)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
            emit(handlers[req.pop("cmd")](**req))
        except Exception as e:  # the caller gets every failure as a reply, never a hang
            emit({"error": f"{type(e).__name__}: {e}"})


def agent_drive() -> None:
    """The load generator in the client namespace."""
    _command_loop(
        {
            "tcp": drive_tcp,
            "echo": drive_echo,
            "connect": drive_connect,
            "udp_probe": drive_udp_probe,
        },
        {"ready": True},
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    sub = ap.add_subparsers(dest="role", required=True)
    sv = sub.add_parser("serve", help="sink/source/echo server (server namespace)")
    sv.add_argument("--tcp", action="append", default=[], metavar="HOST:PORT")
    sv.add_argument("--udp", action="append", default=[], metavar="HOST:PORT")
    sub.add_parser("drive", help="load generator (client namespace)")
    a = ap.parse_args(argv)
    if a.role == "serve":
        agent_serve(a.tcp, a.udp)
    else:
        agent_drive()


if __name__ == "__main__":
    main()
