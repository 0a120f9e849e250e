"""The diagnosis as plain data (model), and its renderings: Markdown for people, JSON for tools."""

from nanwiz.report.model import SCHEMA, build_diagnosis

__all__ = ["SCHEMA", "build_diagnosis"]
