import os

from hypothesis import HealthCheck, settings

# "sktopo" keeps the suite quick and repeatable (the same examples on every run, so CI cannot
# turn red by chance); HYPOTHESIS_PROFILE=thorough searches longer, with fresh random examples.
for name, examples, derandomize in (("sktopo", 60, True), ("thorough", 1000, False)):
    settings.register_profile(
        name,
        max_examples=examples,
        deadline=None,
        derandomize=derandomize,
        suppress_health_check=[HealthCheck.too_slow],
    )
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "sktopo"))
