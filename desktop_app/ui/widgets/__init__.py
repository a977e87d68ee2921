"""Widgets several steps use: the elided label, the teaching empty state, the read-only table and
the error dialog. A widget that only one step uses lives in that step's package instead."""
