"""``metadata.generateName``: the server appends five random characters to the prefix.

Follows ``k8s.io/apiserver/pkg/storage/names/generate.go`` (``SimpleNameGenerator``) and
``k8s.io/apimachinery/pkg/util/rand/rand.go`` (``String``: the alphabet without vowels and
confusable characters, so generated names never spell words).
"""

from __future__ import annotations

import random

__all__ = [
    "MAX_GENERATED_NAME_LENGTH",
    "MAX_NAME_GENERATION_ATTEMPTS",
    "NAME_ALPHABET",
    "RANDOM_LENGTH",
    "generate_name",
]

#: ``utilrand.String``'s alphabet.
NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
#: ``names.randomLength``.
RANDOM_LENGTH = 5
#: ``names.maxGeneratedNameLength``: 63 (maxNameLength) - 5 (randomLength).
MAX_GENERATED_NAME_LENGTH = 63 - RANDOM_LENGTH
#: ``registry.maxNameGenerationCreateAttempts`` (store.go, RetryGenerateName).
MAX_NAME_GENERATION_ATTEMPTS = 8


def generate_name(base: str, rng: random.Random) -> str:
    """``SimpleNameGenerator.GenerateName``: the base cut to 58 characters plus 5 random ones."""
    if len(base) > MAX_GENERATED_NAME_LENGTH:
        base = base[:MAX_GENERATED_NAME_LENGTH]
    return base + "".join(rng.choice(NAME_ALPHABET) for _ in range(RANDOM_LENGTH))
