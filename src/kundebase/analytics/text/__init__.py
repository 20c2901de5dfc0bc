"""Customer intelligence from interaction text: language, key phrases, topics and inferred interests."""
