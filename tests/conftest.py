import os

from hypothesis import HealthCheck, settings

# "sktopo" keeps the suite quick; HYPOTHESIS_PROFILE=thorough searches ten times longer.
for name, examples in (("sktopo", 60), ("thorough", 1000)):
    settings.register_profile(
        name, max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "sktopo"))
