"""The README's configuration table is the user's only list of settings: it must name every one."""

from assistant.settings import PROJECT_ROOT, Settings


def test_readme_lists_every_setting():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields if f"`SME_{name.upper()}`" not in readme]
    assert missing == []


def test_readme_opens_with_the_two_commands():
    head = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")[:1200]
    assert "make run" in head and "make test" in head
