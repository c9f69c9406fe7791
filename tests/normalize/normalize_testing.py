"""Shared assertion for the normaliser tests (imported by module name; not a test file)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from data_model.errors import InputError
from data_model.i18n import LANGUAGES


def assert_input_error(
    key: str, func: Callable[..., object], *args: object, **kwargs: object
) -> InputError:
    """Call `func`, expect InputError `key`, and check its message renders in every language."""
    with pytest.raises(InputError) as caught:
        func(*args, **kwargs)
    error = caught.value
    assert error.key == key, f"{func.__name__}{args!r}: {error.key} != {key}"
    for language in LANGUAGES:
        assert error.message(language)
    return error
