"""Buttons and views shared by several commands."""
