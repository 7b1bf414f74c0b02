"""The start-up check of the moto internals the emulator extensions rely on (moto_internals.py).

    .tools/venv/bin/python tools/emulator/test_moto_internals.py      (or pytest on this file)

Asserts that the pinned moto has every listed internal, that the list covers every use the
extensions' source makes of moto, and that a missing internal stops launch.py with a message
naming it and the pinned moto version.
"""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import moto_internals  # noqa: E402


def test_the_pinned_moto_has_every_internal() -> None:
    assert moto_internals.installed_moto_version() == moto_internals.pinned_moto_version()
    assert moto_internals.problems() is None


def test_a_missing_internal_is_named_with_the_pinned_version() -> None:
    message = moto_internals.problems(
        [
            "moto.cloudformation.parsing:ResourceMap.load_parameters",
            "moto.cloudformation.parsing:ResourceMap.no_such_method",
            "moto.no_such_service.models:Thing",
        ]
    )
    assert message is not None
    pinned = moto_internals.pinned_moto_version()
    assert f"tools/versions.env MOTO_VERSION={pinned}" in message, message
    assert "moto.cloudformation.parsing.ResourceMap.no_such_method: moto.cloudformation.parsing.ResourceMap has no attribute no_such_method" in message, message
    assert "moto.no_such_service.models.Thing: module moto.no_such_service.models cannot be imported" in message, message
    assert "load_parameters" not in message, message
    assert "Upgrading moto" in message


def test_many_missing_internals_fit_the_log_tail_the_cli_shows() -> None:
    fakes = [f"moto.cloudformation.parsing:ResourceMap.gone_{n}" for n in range(10)]
    message = moto_internals.problems(fakes)
    assert message is not None
    assert len(message.splitlines()) == 8, message
    assert "... and 5 more" in message, message
    assert len(moto_internals.problems(fakes, limit=None).splitlines()) == 12


def test_the_list_covers_every_use_the_extensions_make_of_moto() -> None:
    listed = set(moto_internals.REQUIRED) | set(moto_internals.ADDED)
    modules = {entry.split(":")[0] for entry in listed}
    used = moto_internals.derive(moto_internals.extension_sources())
    # A bare module import is covered by any entry in that module.
    unlisted = sorted(e for e in used - listed if not (e.endswith(":") and e[:-1] in modules))
    assert not unlisted, f"moto internals used by the extensions but not in moto_internals.REQUIRED (or ADDED): {unlisted}"


def test_added_attributes_are_new_to_moto() -> None:
    # One moto has (now) belongs in REQUIRED: the extension replaces it rather than adds it.
    present = [entry for entry in moto_internals.ADDED if not moto_internals.missing([entry])]
    assert not present, f"in moto_internals.ADDED but moto has them (move them to REQUIRED): {present}"


def test_launch_refuses_to_start_on_a_moto_without_an_internal() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        # sitecustomize runs before launch.py: a moto from which one patched method has gone.
        with open(os.path.join(scratch, "sitecustomize.py"), "w", encoding="utf-8") as handle:
            handle.write("from moto.cloudformation import parsing\ndel parsing.ResourceMap.load_parameters\n")
        ready = os.path.join(scratch, "ready.json")
        env = {**os.environ, "PYTHONPATH": scratch}
        result = subprocess.run(
            [sys.executable, os.path.join(HERE, "launch.py"), "--ready-file", ready],
            env=env, capture_output=True, text=True, timeout=60,
        )
        assert result.returncode == 3, (result.returncode, result.stderr)
        assert "moto.cloudformation.parsing.ResourceMap.load_parameters" in result.stderr, result.stderr
        assert f"MOTO_VERSION={moto_internals.pinned_moto_version()}" in result.stderr, result.stderr
        assert not os.path.exists(ready)


if __name__ == "__main__":
    for name, test in list(globals().items()):
        if name.startswith("test_") and callable(test):
            test()
    print("moto internals check: ok")
