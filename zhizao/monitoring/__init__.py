"""monitoring (指标监测): the indicator engine, progress and status."""
