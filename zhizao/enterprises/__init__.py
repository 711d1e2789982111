"""enterprises (企业库): manufacturers, their yearly smart-manufacturing reports, import, review."""
