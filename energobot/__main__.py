"""`python -m energobot` is the `energobot` command."""

from energobot.cli import main

main()
