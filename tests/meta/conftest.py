from tests.meta.fixtures import meta

__all__ = ["meta"]
