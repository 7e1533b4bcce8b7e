"""Package attributes that load their module on first use (PEP 562), so that importing a
package for one light name (an error class, the detector) does not load every dependency."""

from __future__ import annotations

import importlib


def lazy_exports(package: str, modules: dict[str, tuple[str, ...]]):
    """``__all__``, ``__getattr__`` and ``__dir__`` for a package whose names load on first use.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    modules : dict
        Module -> the public names it defines.

    Returns
    -------
    (__all__, __getattr__, __dir__)
        To be assigned at the package's top level.
    """
    home = {name: module for module, names in modules.items() for name in names}

    def __getattr__(name: str):
        try:
            module = home[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        return getattr(importlib.import_module(module), name)

    def __dir__() -> list[str]:
        return sorted(home)

    return list(home), __getattr__, __dir__
