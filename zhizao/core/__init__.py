"""core (基础): regions, industry clusters, roles and the one scoping function."""
