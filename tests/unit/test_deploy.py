"""The deployed copy gets torch's CPU build (uv.toml, read by the uv that Community Cloud runs), while plain
pip on a machine that reaches only PyPI installs requirements.txt as it is."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def test_requirements_pin_torch_without_an_index_so_pip_needs_only_pypi():
    lines = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    assert "torch==2.13.0" in lines
    assert not any(line.startswith(("--", "-i ")) for line in lines)  # no index options for pip to fail on


def test_uv_takes_the_cpu_index_with_the_best_match_strategy():
    settings = tomllib.loads((ROOT / "uv.toml").read_text())["pip"]
    assert settings["extra-index-url"] == [CPU_INDEX]
    assert settings["index-strategy"] == "unsafe-best-match"


def _wheel(folder: Path, name: str, version: str) -> str:
    """A minimal (empty) wheel, enough for an index."""
    import base64
    import hashlib
    import zipfile

    folder.mkdir(parents=True, exist_ok=True)
    info = f"{name}-{version}.dist-info"
    files = {f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
             f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    record = [f"{path},sha256={base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b'=').decode()},"
              f"{len(text)}" for path, text in files.items()] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = "\n".join(record) + "\n"
    file_name = f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(folder / file_name, "w") as wheel:
        for path, text in files.items():
            wheel.writestr(path, text)
    return file_name


def _index(root: Path, packages: dict[str, list[str]]) -> str:
    for name, versions in packages.items():
        folder = root / "simple" / name
        links = [f'<a href="{_wheel(folder, name, version)}">{name}</a>' for version in versions]
        (folder / "index.html").write_text("<html><body>" + "".join(links) + "</body></html>")
    return (root / "simple").as_uri()


@pytest.mark.skipif(shutil.which("uv") is None and not (Path(sys.executable).parent / "uv").exists(),
                    reason="uv is not installed (requirements-dev.txt has it)")
def test_with_this_uv_toml_uv_picks_the_cpu_build_and_keeps_the_pinned_numpy(tmp_path):
    # Stand-ins for the two indexes: PyPI has torch 2.13.0 (the CUDA build on Linux) and every numpy; the
    # PyTorch index has torch 2.13.0+cpu and an older numpy, as the real one does.
    pypi = _index(tmp_path / "pypi", {"torch": ["2.13.0"], "numpy": ["2.4.6"]})
    cpu = _index(tmp_path / "cpu", {"torch": ["2.13.0+cpu"], "numpy": ["2.1.0"]})
    project = tmp_path / "project"
    project.mkdir()
    (project / "uv.toml").write_text((ROOT / "uv.toml").read_text().replace(CPU_INDEX, cpu))
    (project / "requirements.txt").write_text("torch==2.13.0\nnumpy==2.4.6\n")
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")

    def resolve(folder: Path) -> str:
        done = subprocess.run([uv, "pip", "compile", "requirements.txt", "--index-url", pypi, "--no-header",
                               "--no-cache", "--python-version", "3.12"], cwd=folder, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    with_config = resolve(project)
    assert "torch==2.13.0+cpu" in with_config and "numpy==2.4.6" in with_config
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(project / "requirements.txt", elsewhere)
    assert "torch==2.13.0\n" in resolve(elsewhere)  # without the file: PyPI's torch, as pip would
