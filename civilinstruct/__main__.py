"""`python -m civilinstruct ...` is the `civilinstruct` command (useful where the venv's bin/ is not on PATH)."""

from civilinstruct.cli.app import main

main()
