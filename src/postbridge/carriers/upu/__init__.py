"""The UPU adapter, configured per post by a profile file."""

from postbridge.carriers.upu.adapter import UpuAdapter, upu_adapters
from postbridge.carriers.upu.profiles import PostProfile, ProfileError, load_profiles, parse_profile

__all__ = [
    "PostProfile",
    "ProfileError",
    "UpuAdapter",
    "load_profiles",
    "parse_profile",
    "upu_adapters",
]
