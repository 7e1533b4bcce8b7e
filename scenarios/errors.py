"""Errors raised by the scenario layer (re-exported by :mod:`gametheory`)."""

__all__ = ["MarketDataError", "ScenarioError"]


class ScenarioError(ValueError):
    """An attack or scenario specification is invalid."""


class MarketDataError(ValueError):
    """Market data that cannot be used: NaN or non-positive prices, bad dates, too short."""
