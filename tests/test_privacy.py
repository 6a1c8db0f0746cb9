"""Pseudonyms: stable, keyed, and the key stays outside the log."""

from __future__ import annotations

import hashlib
import hmac
import stat

import pytest

from etiquette_lab import InvalidInputError, load_pseudonym_key, pseudonymise
from etiquette_lab.log.privacy import default_key_path


def test_pseudonym_is_hmac_sha256_of_the_normalised_name():
    # Independent computation with the standard library's hmac on the normalised form.
    expected = "p-" + hmac.new(b"key", "ørjan berg".encode(), hashlib.sha256).hexdigest()[:12]
    assert pseudonymise("  Ørjan   BERG ", b"key") == expected
    assert pseudonymise("Ørjan Berg", b"other key") != expected


def test_decomposed_and_composed_letters_map_to_the_same_id():
    composed, decomposed = "Zo\u00eb", "Zoe\u0308"
    assert pseudonymise(composed, b"k") == pseudonymise(decomposed, b"k")


def test_key_file_is_created_private_and_reused():
    first = load_pseudonym_key()
    path = default_key_path()
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_pseudonym_key() == first


def test_environment_key_wins(monkeypatch):
    monkeypatch.setenv("ETIQUETTE_LAB_KEY", "from the environment")
    assert load_pseudonym_key() == b"from the environment"


def test_no_key_and_no_creation_is_an_error(tmp_path):
    with pytest.raises(InvalidInputError, match="no pseudonym key"):
        load_pseudonym_key(tmp_path / "absent.key", create=False)


def test_empty_name_is_an_error():
    with pytest.raises(InvalidInputError):
        pseudonymise("   ", b"k")


def test_an_unusable_key_path_is_a_one_line_error(tmp_path):
    folder = tmp_path / "pseudonym.key"
    folder.mkdir()
    with pytest.raises(InvalidInputError, match="cannot use the pseudonym key file") as info:
        load_pseudonym_key(folder)
    assert str(folder) in str(info.value) and "\n" not in str(info.value)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="cannot use the pseudonym key file"):
        load_pseudonym_key(blocker / "pseudonym.key")  # cannot be created inside a file
    latin1 = tmp_path / "latin1.key"
    latin1.write_bytes("nøkkel".encode("latin-1"))
    latin1.chmod(0o600)
    with pytest.raises(InvalidInputError, match="not UTF-8"):
        load_pseudonym_key(latin1)
