"""plans (行动方案): the action plan, its indicators, yearly targets and district targets."""
