"""One repository per port of core.ports, all sharing the unit of work's connection."""
