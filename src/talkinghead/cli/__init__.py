"""The command-line layer: thin wrappers that parse flags, call the library and report errors."""
