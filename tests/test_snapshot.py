"""The content snapshot that `make lambda` ships: used only when it matches the YAML exactly."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from content import guide, load_guide
from content.loader import CONTENT_DIR, SNAPSHOT_NAME, snapshot_text
from skill.aws_lambda.package import VENDORED_LIST, build

REQUESTS = Path(__file__).parent / "requests"


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (copy / SNAPSHOT_NAME).write_text(snapshot_text(copy), encoding="utf-8")
    return copy


@pytest.fixture
def no_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any YAML parse fail, to prove the snapshot was used."""
    import yaml

    guide()  # the packaged guide, parsed before the parser is taken away

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the YAML parser ran")

    monkeypatch.setattr(yaml, "load", refuse)


def test_a_matching_snapshot_gives_the_same_guide_without_parsing(
        content_copy: Path, no_yaml: None) -> None:
    assert load_guide(content_copy) == guide()


def test_an_edited_file_makes_the_snapshot_stale(content_copy: Path) -> None:
    section = next((content_copy / "sections").glob("*causes*.yaml"))
    section.write_text(section.read_text().replace("Most often", "Usually"), encoding="utf-8")
    assert load_guide(content_copy).section("causes").pages[0].startswith("Usually")


def test_a_damaged_snapshot_is_ignored(content_copy: Path) -> None:
    (content_copy / SNAPSHOT_NAME).write_text('{"format": 1, "fingerprint": ', encoding="utf-8")
    assert load_guide(content_copy) == guide()


def test_a_snapshot_of_another_format_is_ignored(content_copy: Path) -> None:
    data = json.loads((content_copy / SNAPSHOT_NAME).read_text())
    data["format"] = 99
    data["guide"]["name"] = "Something else"
    (content_copy / SNAPSHOT_NAME).write_text(json.dumps(data), encoding="utf-8")
    assert load_guide(content_copy).name == guide().name


def test_the_lambda_package_answers_a_launch_from_its_snapshot(tmp_path: Path) -> None:
    package = build(tmp_path / "lambda")
    assert (package / "content" / SNAPSHOT_NAME).exists()
    assert "ask-sdk-core==" in (package / VENDORED_LIST).read_text()
    code = ("import json, sys; sys.path.insert(0, '.'); import skill.aws_lambda.handler as f; "
            f"r = f.lambda_handler(json.load(open({str(REQUESTS / 'launch.json')!r})), None); "
            "print(r['response']['outputSpeech']['ssml']); print('yaml' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=package, capture_output=True,
                          text=True, timeout=60, check=True,
                          env={"SPASM_GUIDE_DATA_DIR": str(tmp_path / "data"), "PATH": ""})
    speech, yaml_loaded = done.stdout.strip().splitlines()
    assert guide().welcome in speech
    assert yaml_loaded == "False"


@pytest.fixture(scope="module")
def lambda_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`make lambda`'s folder, built offline from this environment; read-only."""
    return build(tmp_path_factory.mktemp("lambda") / "lambda")


def test_the_lambda_vendors_the_pinned_entry_requirements(lambda_folder: Path) -> None:
    pins = dict(line.split("==") for line in (lambda_folder / VENDORED_LIST).read_text().split())
    assert {"ask-sdk-core", "ask-sdk-model", "ask-sdk-dynamodb-persistence-adapter"} <= set(pins)
    assert (lambda_folder / "ask_sdk_dynamodb" / "adapter.py").is_file()


def test_the_lambda_leaves_boto3_to_the_runtime(lambda_folder: Path) -> None:
    assert not any((lambda_folder / name).exists() for name in ("boto3", "botocore", "s3transfer"))


@pytest.mark.parametrize("name", ["skill/web", "skill/page", "skill/chat", "skill/understanding",
                                  "skill/voice/",
                                  "skill/cli.py", "flask", "werkzeug",
                                  "audio/sound", "audio/engines", "audio/build", "audio/plan.py",
                                  "audio/pack.py"])
def test_the_lambda_holds_nothing_lambda_does_not_run(lambda_folder: Path, name: str) -> None:
    assert not (lambda_folder / name).exists()


def test_the_zipped_lambda_is_under_six_megabytes(lambda_folder: Path, tmp_path: Path) -> None:
    """What `aws lambda update-function-code` uploads: the folder zipped (deflate, level 9)."""
    archive = tmp_path / "lambda.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bundle:
        for path in sorted(lambda_folder.rglob("*")):
            if path.is_file():
                bundle.write(path, path.relative_to(lambda_folder))
    assert archive.stat().st_size < 6_000_000


def test_the_lambda_package_ships_bytecode_that_survives_zipping(tmp_path: Path) -> None:
    """Every module has a .pyc that Python uses without comparing source timestamps."""
    package = build(tmp_path / "lambda")
    sources = sorted(package.rglob("*.py"))
    for source in sources:
        compiled = Path(importlib.util.cache_from_source(str(source)))
        flags = int.from_bytes(compiled.read_bytes()[4:8], "little")
        assert flags == 0b01, f"{compiled.relative_to(package)}: not unchecked-hash bytecode"
    assert any(source.name == "handler.py" for source in sources)


def test_the_lambda_package_plays_recordings_served_from_the_base_url(tmp_path: Path) -> None:
    """The package ships the manifest but no MP3s; the playlist must not need them on disk."""
    from tests.test_playback import envelope, intent

    package = build(tmp_path / "lambda")
    assert not list(package.rglob("*.mp3"))
    (tmp_path / "play.json").write_text(json.dumps(envelope(intent("PlayAudioIntent"))))
    code = ("import json, sys; sys.path.insert(0, '.'); import skill.aws_lambda.handler as f; "
            f"r = f.lambda_handler(json.load(open({str(tmp_path / 'play.json')!r})), None); "
            "print(json.dumps(r['response']['directives']))")
    done = subprocess.run([sys.executable, "-c", code], cwd=package, capture_output=True,
                          text=True, timeout=60, check=True,
                          env={"SPASM_GUIDE_DATA_DIR": str(tmp_path / "data"), "PATH": "",
                               "SPASM_GUIDE_AUDIO_BASE_URL": "https://audio.example/audio"})
    (directive,) = json.loads(done.stdout.strip().splitlines()[-1])
    assert directive["type"] == "AudioPlayer.Play"
    assert directive["audioItem"]["stream"]["url"] == (
        "https://audio.example/audio/files/01-overview.mp3")


def test_the_lambda_package_refuses_to_replace_a_folder_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    done = subprocess.run([sys.executable, "-m", "skill.aws_lambda.package", str(tmp_path)],
                          cwd=Path(__file__).parent.parent, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "refusing" in done.stderr
    assert (tmp_path / "mine.txt").read_text() == "keep me"


def test_the_lambda_package_replaces_a_folder_it_made(tmp_path: Path) -> None:
    package = build(tmp_path / "lambda")
    (package / "leftover.txt").write_text("from an older build")
    build(package)
    assert not (package / "leftover.txt").exists()
