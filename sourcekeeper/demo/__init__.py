"""The bundled sample site served by `sourcekeeper demo` (see `sourcekeeper.demo.site`)."""
