"""Scaffolding: starter files for every kind of workspace file, their schemas, and ``archkit init``."""
