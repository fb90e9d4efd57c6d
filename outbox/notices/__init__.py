"""Notices: the rules that decide who is told what and when, the gate that checks each notice
just before it leaves, and the texts they are rendered from."""
