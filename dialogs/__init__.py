"""Conversations: the neutral message model, the engine, the flows, NLU and text catalogs."""
