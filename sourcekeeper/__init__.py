"""sourcekeeper: byte-exact archives of the Chinese official sources that reports cite."""

__version__ = "0.1.0"
