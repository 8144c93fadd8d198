"""The shipped default model (installed as ``evascore.models``); see models/README.md."""
