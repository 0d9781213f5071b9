"""The trial data layer: store, sources, synthetic registry, benchmark builders."""
