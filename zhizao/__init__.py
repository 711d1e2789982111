"""Zhizao (智造): the platform a city uses to run its smart-manufacturing action plan."""
