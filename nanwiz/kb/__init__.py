"""The knowledge base: schema (pydantic), loading with located errors, and the validated model."""
