"""The `civilinstruct` command line: one module per noun, each registering its commands on the app."""
