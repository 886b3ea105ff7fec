// An empty module: bench/run.js times it to show what Node itself costs to start.
