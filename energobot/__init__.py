"""energobot: the service — settings, CLI, the aiohttp app and background workers.

The only package that wires concrete classes together.
"""

__version__ = "0.1.0"
