"""A pickle that runs code when loaded, for the tests that model folders are never unpickled."""


class RunsCode:
    """Unpickling this creates ``path``: what any pickle can do."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return open, (self.path, "w")
