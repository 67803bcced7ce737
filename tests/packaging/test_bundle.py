"""The PyInstaller bundle, run from itself alone: no Python, no venv, no repository on any path.

Builds ``packaging/build.sh`` into a temporary folder (or uses ``$KCPDESK_BUNDLE``: the bundle
folder or its ``kcpdesk`` executable), then runs every process with ``env -i PATH=/usr/bin:/bin
HOME=<tmp>`` from a temporary working directory:

* a server and a client over loopback, data through them to an echo target in this process,
  sha256-checked on both legs, for two configs (AES + compression + FEC; twofish, fast3, smux
  v2, no compression), then a clean SIGTERM exit;
* the CLI's stdout/stderr and exit codes;
* the GUI offscreen: ``--smoke-test`` (plain and with the demo, which moves data through two
  in-window tunnels), and a bare ``kcpdesk`` (what a double click runs) quit by Ctrl+C;
* the bundle's contents: the trimmed parts are gone, every library that is kept resolves;
* the desktop entry installer.
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CLEAN_PATH = "/usr/bin:/bin"
BUILD_TIMEOUT = 900
KEY = "bundle-test-key"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.bundle,
    pytest.mark.timeout(BUILD_TIMEOUT + 120),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the bundle is built on Linux"),
]


# --- the bundle -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of the bundle's ``kcpdesk`` executable (built once per test run)."""
    given = os.environ.get("KCPDESK_BUNDLE")
    if given:
        exe = Path(given) / "kcpdesk" if Path(given).is_dir() else Path(given)
        assert os.access(exe, os.X_OK), f"KCPDESK_BUNDLE={given}: no executable kcpdesk"
        return exe.resolve()
    out = tmp_path_factory.mktemp("bundle")
    env = {
        **os.environ,
        "KCPDESK_DIST": str(out / "dist"),
        "KCPDESK_WORK": str(out / "work"),
        "PYTHON": sys.executable,
    }
    start = time.monotonic()
    proc = subprocess.run(
        ["bash", str(REPO / "packaging" / "build.sh")],
        env=env,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
    )
    elapsed = time.monotonic() - start
    assert proc.returncode == 0, f"build failed after {elapsed:.0f}s:\n{proc.stderr[-6000:]}"
    exe = out / "dist" / "kcpdesk" / "kcpdesk"
    assert exe.is_file(), proc.stdout
    shutil.rmtree(out / "work", ignore_errors=True)  # 250 MB of PyInstaller intermediates
    summary = [line for line in proc.stdout.splitlines() if line.startswith("build.sh: built")]
    print(f"\n{summary[-1] if summary else 'built'} (test saw {elapsed:.0f}s)", file=sys.stderr)
    return exe


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    return h


def _python_dirs() -> list[str]:
    """Every Python installation on this machine: the venv, its base, the system's."""
    dirs = {sys.prefix, sys.base_prefix, os.path.realpath(sys.base_prefix)}
    for root in ("/usr/lib", "/usr/local/lib"):
        dirs.update(str(p) for p in Path(root).glob("python3*") if p.is_dir())
    return sorted(d for d in dirs if os.path.isdir(d) and d not in ("/", "/usr", "/usr/local"))


def _can_hide() -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        [
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "--",
            "sh",
            "-c",
            "mount -t tmpfs none /mnt",
        ],
        capture_output=True,
    )
    return probe.returncode == 0


HIDDEN = _python_dirs() if _can_hide() else []


def clean(exe: Path, home: Path, *args: str, **env: str) -> list[str]:
    """argv running ``exe`` with an empty environment (plus ``env``), like a fresh login.

    As root, the process also runs in a mount namespace where every Python installation on the
    machine (``HIDDEN``) is an empty tmpfs, so the bundle cannot lean on one by accident.
    """
    extra = [f"{k}={v}" for k, v in env.items()]
    argv = ["env", "-i", f"PATH={CLEAN_PATH}", f"HOME={home}", *extra, str(exe), *args]
    if not HIDDEN:
        return argv
    mounts = " && ".join(f"mount -t tmpfs none {shlex.quote(d)}" for d in HIDDEN)
    return [
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "--",
        "sh",
        "-c",
        f'{mounts} && exec "$@"',
        "sh",
        *argv,
    ]


def run(
    exe: Path, home: Path, *args: str, timeout: float = 60, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        clean(exe, home, *args, **env),
        cwd=home,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_environment_is_clean(bundle: Path, home: Path) -> None:
    """Nothing of the build's Python is reachable: no venv on PATH, installations hidden."""
    assert ".venv" not in CLEAN_PATH
    assert not any(str(bundle).startswith(d + "/") for d in HIDDEN)
    proc = run(Path("/usr/bin/env"), home)
    assert set(re.findall(r"^(\w+)=", proc.stdout, re.M)) == {"PATH", "HOME"}
    if not HIDDEN:
        pytest.skip("not root (or no unshare): Python installations stay visible")
    listing = run(Path("/usr/bin/find"), home, *HIDDEN, "-mindepth", "1", "-maxdepth", "1")
    assert listing.returncode == 0 and listing.stdout == "", listing
    python = run(Path(sys.executable), home, "-c", "print('reachable')")  # negative control
    assert python.returncode != 0 and "reachable" not in python.stdout, python


# --- headless: server + client + echo target --------------------------------------------------


def free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class EchoTarget:
    """TCP echo server in this process; keeps a sha256 of what each connection received."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.digests: list[str] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._echo, args=(conn,), daemon=True).start()

    def _echo(self, conn: socket.socket) -> None:
        h = hashlib.sha256()
        with conn:
            while data := conn.recv(65536):
                h.update(data)
                conn.sendall(data)
        with self._lock:
            self.digests.append(h.hexdigest())

    def close(self) -> None:
        self.sock.close()


def wait_for_text(
    path: Path, text: str, proc: subprocess.Popen[bytes], timeout: float = 20
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in path.read_text(errors="replace"):
            return
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    raise AssertionError(f"no {text!r} (rc={proc.poll()}):\n{path.read_text()[-3000:]}")


@pytest.fixture
def spawn(home: Path) -> Iterator:
    procs: list[subprocess.Popen[bytes]] = []

    def start(exe: Path, *args: str, log: Path) -> subprocess.Popen[bytes]:
        with open(log, "wb") as f:
            proc = subprocess.Popen(
                clean(exe, home, *args),
                cwd=home,
                stdin=subprocess.DEVNULL,
                stdout=f,
                stderr=subprocess.STDOUT,
            )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def connect(port: int, timeout: float = 10) -> socket.socket:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=30)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def round_trip(port: int, payload: bytes) -> bytes:
    """Send ``payload`` through the tunnel while reading the echo; returns what came back."""
    with connect(port) as s:
        sender = threading.Thread(target=s.sendall, args=(payload,), daemon=True)
        sender.start()
        got = bytearray()
        while len(got) < len(payload):
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
        sender.join(30)
    return bytes(got)


CONFIGS = {
    "aes-fec-snappy": [],
    "twofish-fast3-smux2-nocomp": [
        "--crypt",
        "twofish",
        "--mode",
        "fast3",
        "--smuxver",
        "2",
        "--nocomp",
    ],
}


@pytest.mark.parametrize("flags", CONFIGS.values(), ids=CONFIGS.keys())
def test_tunnel_moves_data_intact(bundle: Path, home: Path, spawn, flags: list[str]) -> None:
    target = EchoTarget()
    udp, tcp = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_STREAM)
    server_log, client_log = home / "server.log", home / "client.log"
    try:
        server = spawn(
            bundle,
            "server",
            "-l",
            f"127.0.0.1:{udp}",
            "-t",
            f"127.0.0.1:{target.port}",
            "--key",
            KEY,
            *flags,
            log=server_log,
        )
        client = spawn(
            bundle,
            "client",
            "-l",
            f"127.0.0.1:{tcp}",
            "-r",
            f"127.0.0.1:{udp}",
            "--key",
            KEY,
            *flags,
            log=client_log,
        )
        wait_for_text(server_log, "listening on", server)
        wait_for_text(client_log, "listening on", client)

        payloads = [os.urandom(n) for n in (1 << 20, 3 << 19, 12345)]
        results: dict[int, bytes] = {}
        threads = [
            threading.Thread(
                target=lambda i=i, p=p: results.__setitem__(i, round_trip(tcp, p)), daemon=True
            )
            for i, p in enumerate(payloads)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        for i, p in enumerate(payloads):
            got = results.get(i, b"")
            assert hashlib.sha256(got).hexdigest() == hashlib.sha256(p).hexdigest(), (
                f"connection {i}: {len(got)} of {len(p)} bytes came back"
            )
        deadline = time.monotonic() + 10
        while len(target.digests) < len(payloads) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sorted(target.digests) == sorted(hashlib.sha256(p).hexdigest() for p in payloads)

        for proc in (client, server):
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(15) == 0
    finally:
        target.close()
    logs = server_log.read_text() + client_log.read_text()
    assert KEY not in logs
    assert "Traceback" not in logs, logs[-3000:]


def test_cli_streams_and_exit_codes(bundle: Path, home: Path) -> None:
    version = run(bundle, home, "--version")
    assert version.returncode == 0 and version.stdout.startswith("kcpdesk version "), version
    helped = run(bundle, home, "client", "--help")
    assert helped.returncode == 0 and "--remoteaddr" in helped.stdout, helped
    bad = run(bundle, home, "bogus")
    assert bad.returncode == 2 and bad.stderr.startswith("kcpdesk: error:"), bad
    piped = subprocess.run(
        f"{shlex.join(clean(bundle, home, 'server', '--help'))} | head -3",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "kcpdesk server" in piped.stdout, piped


# --- the GUI --------------------------------------------------------------------------------


def test_gui_smoke_offscreen(bundle: Path, home: Path) -> None:
    shot = home / "window.png"
    proc = run(
        bundle,
        home,
        "--smoke-test",
        "1500",
        "--screenshot",
        str(shot),
        QT_QPA_PLATFORM="offscreen",
        timeout=90,
    )
    assert proc.returncode == 0, proc
    assert "smoke: profiles=0 running=0" in proc.stdout, proc
    assert shot.stat().st_size > 10_000  # a rendered window, fonts and all
    assert "Traceback" not in proc.stderr, proc.stderr
    # a Chinese locale gets the Chinese window: the catalogues are in the bundle
    proc = run(bundle, home, "--smoke-test", "300", QT_QPA_PLATFORM="offscreen", LANGUAGE="zh_CN")
    assert proc.returncode == 0 and " lang=zh_CN" in proc.stdout, proc


def test_gui_demo_moves_data(bundle: Path, home: Path) -> None:
    proc = run(
        bundle, home, "--demo", "--smoke-test", "4000", QT_QPA_PLATFORM="offscreen", timeout=90
    )
    assert proc.returncode == 0, proc
    m = re.search(r"smoke: profiles=(\d+) running=(\d+) demo_bytes=(\d+)", proc.stdout)
    assert m, proc
    assert int(m[2]) == 2 and int(m[3]) > 0, proc.stdout


def test_bare_start_opens_window_and_quits_on_ctrl_c(bundle: Path, home: Path) -> None:
    """What a double click runs: no arguments. Ctrl+C (SIGINT) quits like the menu does."""
    proc = subprocess.Popen(
        clean(bundle, home, QT_QPA_PLATFORM="offscreen"),
        cwd=home,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(4)
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, (out, err)
    assert "Traceback" not in err, err
    assert (home / ".config" / "kcpdesk").is_dir()  # the profile store went to $HOME


# --- contents -------------------------------------------------------------------------------

BUNDLED_ONLY = re.compile(
    r"^lib(Qt6|icu|pyside6|shiboken6|python3|scipy_openblas|gfortran|"
    r"quadmath)"
)
# the desktop's own graphics stack: present wherever that session type runs, never bundled
HOST_DESKTOP = re.compile(r"^lib(wayland-|EGL|GL|OpenGL|GLX|vulkan|drm|gbm)")


def needed(path: Path) -> list[str]:
    out = subprocess.run(["objdump", "-p", str(path)], capture_output=True, text=True).stdout
    return re.findall(r"^\s*NEEDED\s+(\S+)", out, re.M)


def test_contents_trimmed_and_every_library_resolves(bundle: Path) -> None:
    if shutil.which("objdump") is None:
        pytest.fail("objdump missing: apt-get install binutils (scripts/bootstrap.sh does)")
    top = bundle.parent
    internal = top / "_internal"
    rel = {p.relative_to(internal).as_posix() for p in internal.rglob("*")}
    qt_words = [r for r in rel if r.startswith("PySide6/Qt/translations/")]
    assert qt_words == ["PySide6/Qt/translations/qtbase_zh_CN.qm"], qt_words
    for gone in (
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
        "PySide6/Qt/plugins/tls",
        "tkinter",
        "setuptools",
        "pip",
        "numpy/testing",
    ):
        assert not any(r == gone or r.startswith(gone + "/") for r in rel), gone
    assert not [r for r in rel if "QtWebEngine" in r or "Qt6Qml" in r or "Qt6Quick" in r]
    for kept in (
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/imageformats/libqsvg.so",
        "resources/icons/kcpdesk.png",
        "resources/styles/light.qss",
        "resources/translations/kcpdesk_zh_CN.qm",  # app/i18n.py
        "PySide6/QtNetwork.abi3.so",  # the single-instance socket (app/single_instance.py)
        # QNetworkInformation's Linux backend (app/controllers/netwatch.py)
        "PySide6/Qt/plugins/networkinformation/libqnetworkmanager.so",
    ):
        assert kept in rel, kept
    assert (top / "kcpdesk.desktop").is_file() and (top / "install-desktop-entry.sh").is_file()

    names = {p.name for p in internal.rglob("*")}
    system = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, text=True).stdout
    elves = [p for p in internal.rglob("*.so*") if p.is_file() and not p.is_symlink()]
    missing = set()
    for elf in [bundle, *elves]:
        for soname in needed(elf):
            if soname in names:
                continue
            if BUNDLED_ONLY.match(soname) or (
                f"{soname} " not in system and not HOST_DESKTOP.match(soname)
            ):
                missing.add(f"{elf.relative_to(top)} -> {soname}")
    assert not missing, sorted(missing)


def test_desktop_entry_installer(bundle: Path, home: Path) -> None:
    top = bundle.parent
    data = home / "share"
    env = {"PATH": CLEAN_PATH, "HOME": str(home), "XDG_DATA_HOME": str(data)}
    proc = subprocess.run(
        ["sh", str(top / "install-desktop-entry.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 0, proc
    entry = (data / "applications" / "kcpdesk.desktop").read_text()
    assert f'Exec="{top}/kcpdesk"' in entry and f"TryExec={top}/kcpdesk" in entry, entry
    assert "Icon=kcpdesk" in entry
    assert (data / "icons" / "hicolor" / "256x256" / "apps" / "kcpdesk.png").is_file()
    assert (data / "icons" / "hicolor" / "48x48" / "apps" / "kcpdesk.png").is_file()
    proc = subprocess.run(
        ["sh", str(top / "install-desktop-entry.sh"), "--uninstall"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 0, proc
    assert not (data / "applications" / "kcpdesk.desktop").exists()
