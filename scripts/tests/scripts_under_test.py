"""Loads a script of scripts/ as a module, for the tests beside this file."""
import importlib.util
import os


def load(name):
    """scripts/NAME.py as the module NAME."""
    path = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", name + ".py"))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
