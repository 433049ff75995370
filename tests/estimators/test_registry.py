import subprocess
import sys
import textwrap
from importlib.metadata import EntryPoint

import pytest

from fer_bench.estimators import _registry
from fer_bench.estimators._registry import (ENTRY_POINT_GROUP, available_estimators, get_estimator_spec,
                                            load_plugin, register_estimator)
from fer_bench.profiles import load_profile
from fer_bench.estimators import create_estimator

BUILTINS = ("svc_linear", "svc_poly", "svc_rbf", "knn", "keras_cnn", "keras_cnn5", "shallow_cnn", "deep_cnn", "resnet9",
            "dexpression", "ddamfn", "fer_minixception")


@pytest.fixture
def clean_registry(monkeypatch):
    monkeypatch.setattr(_registry, "_REGISTRY", dict(available_estimators()))


def test_every_builtin_is_registered_with_metadata():
    registry = available_estimators()
    for name in BUILTINS:
        spec = registry[name]
        assert spec.family in ("classical", "network", "pretrained")
        assert spec.framework in ("sklearn", "torch", "keras")
        assert spec.source


@pytest.mark.parametrize("name", ["svc_linear", "svc_poly", "svc_rbf", "knn"])
def test_factories_build_unfitted_estimators(name):
    estimator = create_estimator(name, load_profile("smoke")).estimator
    assert hasattr(estimator, "fit") and hasattr(estimator, "get_params")


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(KeyError, match="svc_rbf"):
        get_estimator_spec("no_such_model")


def test_unknown_family_is_refused():
    with pytest.raises(ValueError, match="family"):
        register_estimator("x", family="quantum", framework="sklearn", source="test")


def test_names_must_be_plain_file_names():
    with pytest.raises(ValueError, match="names files"):
        register_estimator("../evil", family="classical", framework="sklearn", source="test")


def test_name_clash_with_another_factory_is_refused(clean_registry):
    with pytest.raises(ValueError, match="already registered"):
        register_estimator("svc_rbf", family="classical", framework="sklearn", source="test")(lambda: None)


TAKES_A_BUILTIN_NAME = {
    "svc_linear": """
        @register_estimator(family="classical", framework="sklearn", source="mine")
        def svc_linear():
            return DummyClassifier()
    """,
    "knn": """
        @register_estimator("knn", family="classical", framework="sklearn", source="mine")
        def my_knn():
            return DummyClassifier()
    """,
}


@pytest.mark.parametrize("name", sorted(TAKES_A_BUILTIN_NAME))
def test_a_plugin_that_takes_a_builtin_name_is_refused_naming_the_plugin_and_the_name(name, tmp_path, clean_registry):
    builtin = available_estimators()[name]
    plugin = tmp_path / "takes_a_builtin_name.py"
    plugin.write_text("from sklearn.dummy import DummyClassifier\nfrom fer_bench import register_estimator\n"
                      + textwrap.dedent(TAKES_A_BUILTIN_NAME[name]))
    with pytest.raises(ValueError) as refused:
        load_plugin(str(plugin))
    assert str(refused.value) == (f"--plugin {plugin}: its estimator {name!r} takes the name of a built-in estimator, "
                                  f"already registered by {builtin.factory.__module__}; give it another name")
    assert available_estimators()[name] == builtin


def test_plugin_from_a_file(tmp_path, clean_registry):
    plugin = tmp_path / "my_plugin.py"
    plugin.write_text(textwrap.dedent("""
        from sklearn.dummy import DummyClassifier
        from fer_bench import register_estimator

        @register_estimator("file_dummy", family="classical", framework="sklearn", source="test plugin")
        def file_dummy():
            return DummyClassifier()
    """))
    load_plugin(str(plugin))
    assert get_estimator_spec("file_dummy").source == "test plugin"


def test_plugin_from_a_module_name(tmp_path, monkeypatch, clean_registry):
    (tmp_path / "module_plugin_pkg.py").write_text(textwrap.dedent("""
        from sklearn.dummy import DummyClassifier
        from fer_bench import register_estimator

        @register_estimator("module_dummy", family="classical", framework="sklearn", source="module plugin")
        def module_dummy():
            return DummyClassifier()
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    load_plugin("module_plugin_pkg")
    assert "module_dummy" in available_estimators()


def test_missing_plugin_is_a_clear_error():
    with pytest.raises(ImportError, match="nowhere.py"):
        load_plugin("nowhere.py")
    with pytest.raises(ImportError, match="not_a_module_xyz"):
        load_plugin("not_a_module_xyz")


def test_entry_point_plugins_are_loaded(tmp_path, monkeypatch, clean_registry):
    (tmp_path / "entry_plugin_pkg.py").write_text(textwrap.dedent("""
        from sklearn.dummy import DummyClassifier
        from fer_bench import register_estimator

        @register_estimator("entry_dummy", family="classical", framework="sklearn", source="entry point")
        def entry_dummy():
            return DummyClassifier()
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    entry_point = EntryPoint(name="entry_dummy", value="entry_plugin_pkg", group=ENTRY_POINT_GROUP)
    monkeypatch.setattr(_registry, "entry_points", lambda group: [entry_point] if group == ENTRY_POINT_GROUP else [])
    assert available_estimators()["entry_dummy"].source == "entry point"


def test_listing_does_not_import_heavy_frameworks():
    code = ("import sys; from fer_bench.estimators._registry import available_estimators; available_estimators(); "
            "heavy = [m for m in ('torch', 'tensorflow', 'keras') if m in sys.modules]; assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_label_subset_and_parameter_metadata(clean_registry):
    @register_estimator("five_way", family="classical", framework="sklearn", source="test",
                        classes=["Angry", "Happy", "Sad", "Surprise", "Neutral"], parameters=12)
    def five_way():
        return None

    spec = _registry._REGISTRY["five_way"]
    assert spec.classes == ("Angry", "Happy", "Sad", "Surprise", "Neutral") and spec.parameters == 12
    assert available_estimators()["resnet9"].classes is None


@pytest.mark.parametrize("classes", [("Happy",), ("Happy", "Happy")])
def test_a_label_subset_needs_two_distinct_classes(classes):
    with pytest.raises(ValueError, match="two distinct"):
        register_estimator("bad_subset", family="classical", framework="sklearn", source="test", classes=classes)


def test_builtins_are_listed_in_the_order_runs_and_reports_show_them():
    names = [name for name in available_estimators() if name in set(BUILTINS) | {"knn_hog", "bovw_svc"}]
    assert names.index("knn_hog") < names.index("bovw_svc") < names.index("keras_cnn") < names.index("fer_minixception") \
        < names.index("shallow_cnn") < names.index("ddamfn")
