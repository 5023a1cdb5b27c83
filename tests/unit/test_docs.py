"""The documentation keeps up with the code.

* docs/operations.md and the settings tables in docs/configuration.md and README.md are what
  `scripts/gen-docs` would write now (the same generator, run in-process);
* every setting, with its flag and environment variable, and every option of
  `geoshare serve` is mentioned in docs/configuration.md and README.md.

When one of these fails after you added an operation or a setting: run
`python scripts/gen-docs` and commit the result.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

from geoshare.cli.main import serve
from geoshare.settings import ENV_PREFIX, SETTINGS

ROOT = Path(__file__).resolve().parents[2]
HINT = "run `python scripts/gen-docs` to regenerate it"


def _load_generator() -> ModuleType:
    path = ROOT / "scripts" / "gen-docs"
    loader = importlib.machinery.SourceFileLoader("geoshare_gen_docs", str(path))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gen_docs() -> ModuleType:
    return _load_generator()


@pytest.fixture(scope="module")
def expected(gen_docs: ModuleType) -> dict[Path, str]:
    return gen_docs.expected_files(ROOT)


def _read(rel: str | Path) -> str:
    return (ROOT / rel).read_text(encoding="utf-8")


def test_operations_md_is_current(gen_docs: ModuleType, expected: dict[Path, str]) -> None:
    rel = gen_docs.OPERATIONS_MD
    assert (ROOT / rel).exists(), f"{rel} is missing; {HINT}"
    assert _read(rel) == expected[rel], f"{rel} is out of date; {HINT}"


@pytest.mark.parametrize("rel", ["docs/configuration.md", "README.md"])
def test_settings_table_is_current(rel: str, expected: dict[Path, str]) -> None:
    assert _read(rel) == expected[Path(rel)], f"the settings table in {rel} is out of date; {HINT}"


def test_every_operation_is_listed(gen_docs: ModuleType) -> None:
    """Belt and braces: each operation's URL appears in operations.md."""
    router, mount_prefix, settings = gen_docs._load_table()
    text = _read(gen_docs.OPERATIONS_MD)
    missing = []
    for op in router.operations:
        url = gen_docs._url(gen_docs._prefix(mount_prefix, settings, op.mount), op.path)
        if f"`{url}`" not in text:
            missing.append(url)
    assert not missing, f"operations missing from docs/operations.md: {missing}; {HINT}"


def _serve_flags() -> list[str]:
    flags = []
    for param in serve.params:
        if param.param_type_name == "option":
            flags += [o for o in [*param.opts, *param.secondary_opts] if o.startswith("--")]
    return flags


def _mentions(text: str, word: str) -> bool:
    """`word` appears as a whole token (so --key does not count as part of --key-file)."""
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


@pytest.mark.parametrize("rel", ["docs/configuration.md", "README.md"])
def test_every_serve_option_is_documented(rel: str) -> None:
    text = _read(rel)
    flags = _serve_flags()
    assert flags, "geoshare serve has no options?"
    missing = [flag for flag in flags if not _mentions(text, flag)]
    assert not missing, f"{rel} does not mention these `geoshare serve` options: {missing}; {HINT}"


@pytest.mark.parametrize("rel", ["docs/configuration.md", "README.md"])
def test_every_setting_is_documented(rel: str) -> None:
    text = _read(rel)
    missing = []
    for spec in SETTINGS:
        for word in (spec.name, ENV_PREFIX + spec.name.upper()):
            if not _mentions(text, word):
                missing.append(word)
    assert not missing, f"{rel} does not mention these settings: {missing}; {HINT}"


def test_every_setting_is_a_serve_option() -> None:
    """The configuration docs promise that each setting is a flag of `geoshare serve`."""
    names = {p.name for p in serve.params}
    assert [s.name for s in SETTINGS if s.name not in names] == []


def test_generator_escapes_table_cells(gen_docs: ModuleType) -> None:
    assert gen_docs.cell("a|b\nc") == "a\\|b c"
