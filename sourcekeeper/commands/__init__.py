"""One module per subcommand: `register(subparsers, add_common_options)` adds its parser, and the
function it sets as `func` makes one library call (from `sourcekeeper.jobs`, `archive_store`, …) and
prints what the user sees. `sourcekeeper.cli` finds the modules by name."""
