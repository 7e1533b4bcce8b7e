"""The ``antifragile.limits/1`` schema, and a validator that says what is wrong and where."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from gametheory.errors import ConfigError

__all__ = ["LIMITS_SCHEMA", "LimitsValidationError", "validate_limits", "validate_limits_file"]

_NUMBER = {"type": "number"}
_FRACTION = {"type": "number", "minimum": 0, "maximum": 1}
_DATA = {
    "type": "object",
    "required": ["name", "source", "start", "end", "n_obs"],
    "properties": {
        "name": {"type": "string"},
        "source": {"type": "string"},
        "start": {"type": "string", "format": "date"},
        "end": {"type": "string", "format": "date"},
        "n_obs": {"type": "integer", "minimum": 1},
    },
}
_LIMIT = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "strategy", "weight", "exposure_multiple", "max_gross_exposure", "worst_case_drawdown",
        "binding_scenario", "binding_path", "drawdown_at_unit_multiple", "capped", "in_equilibrium",
    ],
    "properties": {
        "strategy": {"type": "string", "minLength": 1},
        "weight": _FRACTION,
        "exposure_multiple": {"type": "number", "minimum": 0},
        "max_gross_exposure": {"type": "number", "minimum": 0},
        "worst_case_drawdown": _FRACTION,
        "binding_scenario": {"type": "string"},
        "binding_path": {"type": "integer", "minimum": 0},
        "drawdown_at_unit_multiple": _FRACTION,
        "capped": {"type": "boolean"},
        "in_equilibrium": {"type": "boolean"},
    },
}
LIMITS_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "antifragile.limits/1",
    "type": "object",
    "required": ["schema", "version", "created_utc", "seed", "data", "game", "guarantee", "drawdown_budget",
                 "drawdown_definition", "limits", "fingerprint"],
    "properties": {
        "schema": {"const": "antifragile.limits/1"},
        "version": {"type": "string"},
        "created_utc": {"type": "string", "format": "date-time"},
        "seed": {"type": "integer", "minimum": 0},
        "fingerprint": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
        "data": {
            "type": "object",
            "required": ["train", "holdout"],
            "properties": {"train": _DATA, "holdout": {"oneOf": [{"type": "null"}, _DATA]}},
        },
        "game": {
            "type": "object",
            "required": ["n_strategies", "n_scenarios", "n_paths", "n_steps", "utility"],
            "properties": {
                "n_strategies": {"type": "integer", "minimum": 1},
                "n_scenarios": {"type": "integer", "minimum": 1},
                "n_paths": {"type": "integer", "minimum": 1},
                "n_steps": {"type": "integer", "minimum": 1},
                "utility": {"enum": ["log_growth", "drawdown_penalised"]},
            },
        },
        "guarantee": {
            "type": "object",
            "required": ["value", "lower_bound", "upper_bound", "exploitability"],
            "properties": {
                "value": _NUMBER,
                "lower_bound": _NUMBER,
                "upper_bound": _NUMBER,
                "exploitability": {"type": "number", "minimum": 0},
            },
        },
        "drawdown_budget": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        "drawdown_definition": {"type": "string"},
        "limits": {"type": "array", "minItems": 1, "items": _LIMIT},
    },
}


class LimitsValidationError(ConfigError):
    """A limits document that does not follow ``antifragile.limits/1``; ``problems`` lists every issue."""

    def __init__(self, source: str, problems: list[str]):
        self.problems = problems
        super().__init__(f"{source} is not a valid antifragile.limits/1 file:\n  - " + "\n  - ".join(problems))


def _consistency(doc: dict) -> list[str]:
    """Checks a JSON Schema cannot express: limits within budget, bounds ordered, weights summing to 1."""
    problems = []
    budget = doc["drawdown_budget"]
    for k, limit in enumerate(doc["limits"]):
        if limit["worst_case_drawdown"] > budget + 1e-12:
            problems.append(f"limits[{k}] ({limit['strategy']}): worst_case_drawdown "
                            f"{limit['worst_case_drawdown']} exceeds drawdown_budget {budget}")
    guarantee = doc["guarantee"]
    if not guarantee["lower_bound"] <= guarantee["value"] <= guarantee["upper_bound"] + 1e-12:
        problems.append("guarantee: value must lie between lower_bound and upper_bound")
    total = sum(limit["weight"] for limit in doc["limits"])
    if abs(total - 1.0) > 1e-6:
        problems.append(f"limits: weights sum to {total:.6g}, not 1")
    names = [limit["strategy"] for limit in doc["limits"]]
    if len(set(names)) != len(names):
        problems.append("limits: strategy names repeat")
    return problems


def validate_limits(doc, source: str = "limits document") -> dict:
    """Check a parsed limits document; raise :class:`LimitsValidationError` listing every problem."""
    validator = jsonschema.Draft202012Validator(LIMITS_SCHEMA, format_checker=jsonschema.FormatChecker())
    problems = [
        f"{'/'.join(map(str, error.absolute_path)) or '(top level)'}: {error.message}"
        for error in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    ]
    if not problems:
        problems = _consistency(doc)
    if problems:
        raise LimitsValidationError(source, problems)
    return doc


def validate_limits_file(path) -> dict:
    """Read and validate a ``limits.json`` file."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise LimitsValidationError(str(path), ["file not found"]) from err
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise LimitsValidationError(str(path), [f"not valid JSON: {err}"]) from err
    return validate_limits(doc, str(path))
