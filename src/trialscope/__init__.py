"""trialscope: measure and train AI for clinical-trial research."""

__version__ = "0.1.0"
