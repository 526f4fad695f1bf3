"""`sourcekeeper demo`: the bundled sample site (site, its notices and column profile), the raw-socket
server it is served by (rawsite, also the tests' mock-site engine), the run (run) and the take-down
story (takedown). Everything it needs is package data: no source checkout is assumed."""
