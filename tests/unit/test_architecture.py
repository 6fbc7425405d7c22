"""Package boundaries and Rasa naming conventions hold."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import yaml

from ops.checks import import_contracts_command

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "dialogues" / "domain.yml").read_text("utf-8"))


def _lint_imports(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(import_contracts_command(str(config)), cwd=ROOT, capture_output=True,
                          text=True, check=False)


def test_imports_point_one_way():
    result = _lint_imports(ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the runtime never imports the operator tooling KEPT" in result.stdout


def test_the_import_check_reports_a_broken_contract(tmp_path):
    """The same command fails on a contract the code breaks (bot does import catalog)."""
    config = tmp_path / "contracts.toml"
    config.write_text('''[tool.importlinter]
root_packages = ["bot", "catalog"]

[[tool.importlinter.contracts]]
name = "bot without catalog"
type = "forbidden"
source_modules = ["bot"]
forbidden_modules = ["catalog"]
''', "utf-8")
    result = _lint_imports(config)
    assert result.returncode != 0
    assert "bot without catalog BROKEN" in result.stdout


# What the engine environment pins in requirements/rasa.lock besides Rasa itself.
ENGINE_LIBRARIES = {"rasa", "numpy", "scipy", "sklearn"}
OWN_PACKAGE = "nlu"


def test_nlu_components_import_only_rasa_its_pinned_libraries_and_the_standard_library():
    pinned = (ROOT / "requirements" / "rasa.lock").read_text("utf-8")
    for package in ("numpy==", "scipy==", "scikit-learn=="):
        assert package in pinned
    allowed = ENGINE_LIBRARIES | {OWN_PACKAGE} | set(sys.stdlib_module_names)
    for path in (ROOT / "nlu" / "components").glob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                top = node.module.split(".")[0]
            elif isinstance(node, ast.Import):
                top = node.names[0].name.split(".")[0]
            else:
                continue
            assert top in allowed, f"{path.name} imports {top}"


def _action_classes() -> dict[str, str]:
    """Map each custom action's Rasa name to its class name, read from the source."""
    found: dict[str, str] = {}
    for path in (ROOT / "actions").glob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "name":
                    returned = [n.value.value for n in ast.walk(item)
                                if isinstance(n, ast.Return) and isinstance(n.value, ast.Constant)]
                    if returned:
                        found[returned[0]] = node.name
            if any(getattr(b, "id", None) == "ValidationAction" for b in node.bases):
                found["action_validate_slot_mappings"] = node.name
    return found


def test_every_domain_action_has_a_class_and_every_class_is_in_the_domain():
    classes = _action_classes()
    declared = set(DOMAIN["actions"])
    assert declared == set(classes), (declared ^ set(classes))


def test_names_follow_the_conventions():
    for intent in DOMAIN["intents"]:
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", intent), intent
    for name, cls in _action_classes().items():
        assert name.startswith(("action_", "validate_")), name
        if name != "action_validate_slot_mappings":
            assert cls == "".join(part.capitalize() for part in name.split("_")), (name, cls)


def test_every_form_slot_has_a_validator():
    """A misspelt validate_<slot> would be skipped silently by rasa-sdk."""
    from actions.intake import ValidateIntakeForm
    from actions.intake_slots import ORDER

    assert DOMAIN["forms"]["intake_form"]["required_slots"] == list(ORDER)
    missing = [slot for slot in ORDER if not hasattr(ValidateIntakeForm, f"validate_{slot}")]
    assert missing == []
    from actions.events import ValidateRegistrationForm

    assert [s for s in DOMAIN["forms"]["registration_form"]["required_slots"]
            if not hasattr(ValidateRegistrationForm, f"validate_{s}")] == []


def test_no_engine_or_client_is_created_at_import():
    offenders = []
    for package in ("bot", "actions", "catalog", "ops"):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text("utf-8"))
            for node in tree.body:
                if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(
                        getattr(node, "value", None), ast.Call):
                    called = ast.unparse(node.value.func)
                    if any(k in called for k in ("create_engine", "make_engine", "Client",
                                                 "Settings", "load_settings", "Application")):
                        offenders.append(f"{path.relative_to(ROOT)}: {called}")
    assert not offenders
