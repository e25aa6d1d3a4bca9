"""`FastBoundedLoader`: `yamllimits.BoundedLoader`'s composer and limits over libyaml's scanner and parser.

PyYAML's wheels carry libyaml (`yaml._yaml`); without it this module fails to import and
`yamlpos.load_yaml` uses the pure-Python loader alone.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml._yaml import CParser
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from tender.config.yamllimits import Bounds


class FastBoundedLoader(Bounds, Composer, CParser, SafeConstructor, Resolver):
    """The same composer, constructor and resolver over libyaml's scanner and parser (about ten
    times faster than PyYAML's own; `yamlpos.load_yaml` uses it for documents that parse, and the
    pure-Python `BoundedLoader` for every document that does not, so each problem keeps its message)."""

    def __init__(self, stream: str) -> None:
        CParser.__init__(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self._start_bounds()

    def compose_scalar_node(self, anchor: Any) -> yaml.ScalarNode:
        event: Any = self.peek_event()  # a ScalarEvent (the composer asked for a scalar)
        if event.value == "" and event.implicit[0]:
            raise Unplaced(None, None, "an empty plain value: libyaml places it elsewhere", None)
        return super().compose_scalar_node(anchor)


class Unplaced(yaml.MarkedYAMLError):
    """A node libyaml gives another position than PyYAML's own loader: the document is read again
    by the reference loader (`yamlpos._load`)."""
