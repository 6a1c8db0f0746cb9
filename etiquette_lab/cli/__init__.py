"""The ``etiquette-lab`` command line: thin wrappers that parse, call the API and print."""

from .main import main

__all__ = ["main"]
