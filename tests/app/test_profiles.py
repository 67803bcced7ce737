"""Profile store (no Qt): round trips, atomic writes, permissions, damaged files, names."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from kcpcore import profiles
from kcpcore.config import TunnelConfig
from kcpcore.errors import ConfigError
from kcpcore.profiles import Profile, ProfileStore, config_dir

CLIENT = TunnelConfig(
    role="client",
    remoteaddr="vps.example:4000",
    key="hunter22",
    crypt="salsa20",
    mode="manual",
    interval=20,
    nodelay=1,
    mtu=1200,
)
SERVER = TunnelConfig(role="server", listen=":4000", target="127.0.0.1:22", key="k" * 10)


@pytest.fixture
def store(tmp_path: Path) -> ProfileStore:
    return ProfileStore(tmp_path / "profiles")


def test_config_dir_follows_xdg_and_the_override(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert config_dir({"KCPDESK_CONFIG_DIR": str(tmp_path)}) == tmp_path
    if os.name == "posix":
        assert config_dir({"XDG_CONFIG_HOME": "/x/y"}) == Path("/x/y/kcpdesk")
        assert config_dir({"XDG_CONFIG_HOME": "relative"}) == Path.home() / ".config/kcpdesk"
        assert config_dir({}) == Path.home() / ".config" / "kcpdesk"


def test_save_and_reload_every_field(store: ProfileStore) -> None:
    store.save(Profile("laptop", CLIENT))
    store.save(Profile("box", SERVER))
    fresh = ProfileStore(store.directory)
    loaded, problems = fresh.load_all()
    assert problems == []
    assert [p.name for p in loaded] == ["box", "laptop"]
    assert fresh.get("laptop").config == CLIENT
    assert fresh.get("box").config == SERVER


def test_the_file_is_a_kcptun_config(store: ProfileStore) -> None:
    """kcptun ignores the extra "kcpdesk" key, so ``kcptun-client -c FILE`` runs a profile."""
    path = store.save(Profile("laptop", CLIENT))
    text = path.read_text()
    data = json.loads(text)
    assert data["kcpdesk"] == {"format": 1, "name": "laptop", "role": "client"}
    assert data["remoteaddr"] == "vps.example:4000" and data["key"] == "hunter22"
    assert TunnelConfig.from_kcptun_json_text("client", text) == CLIENT


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_owner_only_permissions(store: ProfileStore) -> None:
    old = os.umask(0)
    try:
        path = store.save(Profile("laptop", CLIENT))
    finally:
        os.umask(old)
    assert stat.S_IMODE(store.directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_an_existing_open_directory_is_tightened(tmp_path: Path) -> None:
    d = tmp_path / "profiles"
    d.mkdir(mode=0o755)
    os.chmod(d, 0o755)
    ProfileStore(d).save(Profile("x", CLIENT))
    assert stat.S_IMODE(d.stat().st_mode) == 0o700


def test_a_failed_write_leaves_the_old_file_whole(
    store: ProfileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = store.save(Profile("laptop", CLIENT))
    before = path.read_bytes()

    def crash(*_a: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(profiles.os, "replace", crash)
    with pytest.raises(OSError):
        store.save(Profile("laptop", TunnelConfig(role="client", mtu=900)))
    assert path.read_bytes() == before
    assert sorted(p.name for p in store.directory.iterdir()) == [path.name]  # no temp left


def test_a_write_interrupted_mid_file_never_truncates(
    store: ProfileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = store.save(Profile("laptop", CLIENT))
    before = path.read_bytes()
    real_fsync = os.fsync

    def die_in_fsync(fd: int) -> None:
        raise KeyboardInterrupt  # power cut stand-in: the process stops between write and rename

    monkeypatch.setattr(profiles.os, "fsync", die_in_fsync)
    with pytest.raises(KeyboardInterrupt):
        store.save(Profile("laptop", TunnelConfig(role="client", mtu=900)))
    monkeypatch.setattr(profiles.os, "fsync", real_fsync)
    assert path.read_bytes() == before
    assert ProfileStore(store.directory).get("laptop").config == CLIENT


def test_leftover_temp_files_are_ignored(store: ProfileStore) -> None:
    store.save(Profile("laptop", CLIENT))
    (store.directory / ".laptop.json.tmp-1-2").write_text('{"half": ')
    loaded, problems = store.load_all()
    assert [p.name for p in loaded] == ["laptop"] and problems == []


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "[]",
        '{"crypt": "aes"}',
        '{"kcpdesk": {"format": 1, "name": "x", "role": "router"}}',
        '{"kcpdesk": {"format": 1, "name": "x", "role": "client"}, "mtu": "big"}',
        "\xff\xfe",
    ],
)
def test_damaged_files_are_reported_and_moved_aside(store: ProfileStore, body: str) -> None:
    store.save(Profile("good", CLIENT))
    bad = store.directory / "bad.json"
    bad.write_bytes(body.encode("latin-1"))
    loaded, problems = store.load_all()
    assert [p.name for p in loaded] == ["good"]
    (problem,) = problems
    assert problem.path == bad and problem.moved_to is not None
    assert problem.moved_to.name.startswith("bad.json.corrupt-")
    assert problem.moved_to.read_bytes() == body.encode("latin-1")  # kept byte for byte
    assert not bad.exists()
    assert "bad.json" in str(problem)
    # reported once: the next scan is clean, and a new profile cannot overwrite it
    assert store.load_all()[1] == []
    store.save(Profile("bad", SERVER))
    assert problem.moved_to.read_bytes() == body.encode("latin-1")


def test_unreadable_file_is_reported(store: ProfileStore, monkeypatch: pytest.MonkeyPatch) -> None:
    store.save(Profile("good", CLIENT))
    locked = store.directory / "locked.json"
    locked.write_text(Profile("locked", SERVER).to_json_text())
    real = Path.read_text

    def read_text(self: Path, *a: object, **kw: object) -> str:
        if self.name == "locked.json":  # root ignores modes, so fake what chmod 0 does
            raise PermissionError(13, "Permission denied", str(self))
        return real(self, *a, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", read_text)
    loaded, problems = store.load_all()
    assert [p.name for p in loaded] == ["good"]
    assert len(problems) == 1 and "Permission denied" in str(problems[0])
    assert problems[0].moved_to is not None and problems[0].moved_to.exists()


def test_same_name_twice_keeps_the_first_and_reports(store: ProfileStore) -> None:
    store.save(Profile("twin", CLIENT))
    copy = store.directory / "zz-copy.json"
    copy.write_text(Profile("twin", SERVER).to_json_text())
    loaded, problems = store.load_all()
    assert [p.config.role for p in loaded] == ["client"]
    assert len(problems) == 1 and "second profile named 'twin'" in problems[0].message
    assert copy.exists()  # valid file: reported, not moved


def test_rename_delete_and_names(store: ProfileStore) -> None:
    store.save(Profile("a/b: weird", CLIENT))
    assert (store.directory / "a_b_weird.json").exists()
    store.rename("a/b: weird", "plain")
    assert store.names() == ["plain"]
    assert [p.name for p in store.directory.iterdir()] == ["plain.json"]
    store.save(Profile("other", SERVER))
    with pytest.raises(ConfigError, match="already exists"):
        store.rename("plain", "other")
    assert store.unique_name("plain") == "plain (2)"
    removed = store.delete("plain")
    assert removed.config == CLIENT and store.names() == ["other"]
    with pytest.raises(ConfigError, match=r"no profile named 'plain'.*'other'"):
        store.get("plain")


def test_file_names_never_collide(store: ProfileStore) -> None:
    store.save(Profile("a b", CLIENT))
    store.save(Profile("a_b", SERVER))
    store.save(Profile("A B", SERVER))
    assert sorted(store.names()) == ["A B", "a b", "a_b"]
    assert ProfileStore(store.directory).get("a b").config == CLIENT


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("home", True),
        ("", False),
        ("  ", False),
        (" x", False),
        ("a/b", True),
        ("x" * 65, False),
        ("tab\there", False),
        ("ünïcode ✓", True),
    ],
)
def test_name_rules(store: ProfileStore, name: str, ok: bool) -> None:
    assert (profiles.validate_name(name) == "") is ok
    if not ok:
        with pytest.raises(ConfigError):
            store.save(Profile(name, CLIENT))
