"""Thin views, one module per page family: bind, validate, call one service,
render or redirect."""
