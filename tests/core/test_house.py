"""The shape of the house, checked: the import-linter contracts hold and do catch a page used as a library,
no module imports after its code or for side effects, and every job enqueued by name is registered."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from saas.core.areas import AREAS
from saas.jobs.queues import registered_job

ROOT = Path(__file__).resolve().parents[2]
SAAS = ROOT / "saas"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _modules():
    return [path for path in SAAS.rglob("*.py") if "migrations" not in path.parts]


def _lint(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_contracts_hold():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def copy_of_the_house(tmp_path):
    shutil.copytree(SAAS, tmp_path / "saas", ignore=shutil.ignore_patterns("__pycache__", "translations"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_a_domain_area_importing_another_areas_views_breaks_a_contract(copy_of_the_house):
    readings = copy_of_the_house / "saas" / "documents" / "readings.py"
    readings.write_text(readings.read_text() + "\nfrom saas.sittings.views import bp as _sittings_pages\n")
    result = _lint(copy_of_the_house)
    assert result.returncode != 0
    assert "saas.documents.readings -> saas.sittings.views" in result.stdout


def test_a_lower_layer_importing_a_domain_area_breaks_a_contract(copy_of_the_house):
    legal_rules = copy_of_the_house / "saas" / "tenancy" / "legal_rules.py"
    legal_rules.write_text(legal_rules.read_text() + "\nfrom saas.sittings import models as _sittings\n")
    result = _lint(copy_of_the_house)
    assert result.returncode != 0
    assert "saas.tenancy is not allowed to import saas.sittings" in result.stdout


@pytest.mark.parametrize("path", _modules(), ids=lambda path: str(path.relative_to(SAAS)))
def test_imports_come_first_and_are_used(path):
    """Imports at the top, never after the code (a hidden cycle) nor unused for their side effects."""
    tree = ast.parse(path.read_text())
    body = [node for node in tree.body if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]
    seen_code = False
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            assert not seen_code, f"{path}:{node.lineno} imports after the module's code"
        else:
            seen_code = True
    assert "noqa: F401" not in path.read_text(), f"{path} imports something only for its side effects"


def test_every_area_in_the_list_is_a_package_and_every_package_is_listed():
    packages = {
        str(init.parent.relative_to(SAAS)).replace("/", ".")
        for init in SAAS.rglob("__init__.py")
        if init.parent != SAAS and "migrations" not in init.parts and "translations" not in init.parts
    }
    assert packages - {"demo"} == set(AREAS)


def test_every_job_enqueued_by_name_is_registered(app):
    names = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "enqueue":
                assert isinstance(node.args[0], ast.Constant), f"{path}:{node.lineno} enqueues a computed name"
                names.append(node.args[0].value)
    assert names
    with app.app_context():
        for name in names:
            assert registered_job(name).name == name


def _imported_modules(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
    return names


def _fixture_faults(path: Path, tests: Path) -> list[str]:
    """Imports from a conftest, and demo code used outside the demo's own tests."""
    faults = []
    for name in _imported_modules(path):
        if name.endswith("conftest"):
            faults.append(f"{path} imports {name}: move what it needs to tests/fixtures/")
        if name.startswith("saas.demo") and "demo" not in path.relative_to(tests).parts:
            faults.append(f"{path} uses demo code ({name}) as a fixture")
    return faults


def test_tests_share_fixtures_through_plugins_and_leave_the_demo_to_its_tests():
    """Shared fixtures are the plugins of tests/fixtures/, never imported from a conftest; demo data is not a
    fixture: only the tests of the demo (tests/demo/) import saas.demo."""
    tests = ROOT / "tests"
    assert [fault for path in sorted(tests.rglob("*.py")) for fault in _fixture_faults(path, tests)] == []


def test_the_fixture_check_catches_a_conftest_import_and_a_demo_fixture(tmp_path):
    (tmp_path / "demo").mkdir()
    bad, fine = tmp_path / "test_bad.py", tmp_path / "demo" / "test_fine.py"
    bad.write_text("from tests.admin.conftest import World\nfrom saas.demo.signing import deliberation_pdf\n")
    fine.write_text("from saas.demo import collectivities\n")
    assert len(_fixture_faults(bad, tmp_path)) == 2
    assert _fixture_faults(fine, tmp_path) == []
