import pytest

from evascore.model import EvasionModel


def test_models_folder_is_read_only_in_tests(model):
    from tests.conftest import MODELS

    with pytest.raises(PermissionError, match="models/"):
        model.save(MODELS / "should-not-exist.joblib")
    assert not (MODELS / "should-not-exist.joblib").exists()
    assert isinstance(model, EvasionModel)
