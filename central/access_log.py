"""uvicorn's access log without identifiers: each line names the route, not the path.

Paths carry identifiers (a queued verification's UUID is a bearer reference printed on
the taxpayer's slip, and `GET /v1/verifications/{uuid}` answers whoever holds it), and
query strings may carry anything. The filter rewrites each access record's path to the
matched route's template (`/v1/verifications/{uuid}`), dropping the query string.
"""
from __future__ import annotations

import logging
import re
from typing import Any

from starlette.routing import compile_path

ACCESS_LOGGER = "uvicorn.access"
UNKNOWN_PATH = "(no route)"
#: Paths whose template is remembered (per process; emptied when full). A hit skips
#: the scan of every route's pattern, the dearer half of this filter (#14 §6).
TEMPLATE_CACHE_SIZE = 4096


def route_templates(app: Any) -> list[str]:
    """Every route's path template, in matching order, routers included with
    `include_router` too (newer FastAPI keeps them nested in `app.routes`)."""
    routes = list(getattr(app, "routes", ()))
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # FastAPI before nested routers: app.routes is flat
        return [route.path for route in routes if isinstance(getattr(route, "path", None),
                                                              str)]
    return [context.path for context in iter_route_contexts(routes)
            if isinstance(context.path, str)]


class AccessPathFilter(logging.Filter):
    """For the "uvicorn.access" logger: its records' args are (client, method,
    path with query string, HTTP version, status)."""

    def __init__(self, app: Any) -> None:
        super().__init__()
        self._routes: list[tuple[re.Pattern[str], str]] = [
            (compile_path(path)[0], path) for path in route_templates(app)]
        # Kept in memory only, never logged: the log line has the template.
        self._cache: dict[str, str] = {}

    def template(self, path_with_query: str) -> str:
        path = path_with_query.split("?", 1)[0]
        known = self._cache.get(path)
        if known is not None:
            return known
        found = next((template for regex, template in self._routes if regex.match(path)),
                     UNKNOWN_PATH)
        if len(self._cache) >= TEMPLATE_CACHE_SIZE:
            self._cache.clear()  # bounded: random paths cannot grow it
        self._cache[path] = found
        return found

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5:
            client, method, path, version, status = args
            record.args = (client, method, self.template(str(path)), version, status)
        elif args:
            # Not the format this filter knows (another uvicorn version): drop the
            # arguments rather than risk logging a path.
            record.msg, record.args = "access (details withheld)", None
        return True


def install_access_filter(app: Any) -> None:
    """Put an AccessPathFilter for `app` on the access logger (replacing an earlier
    one); call after uvicorn has configured logging."""
    logger = logging.getLogger(ACCESS_LOGGER)
    for old in [f for f in logger.filters if isinstance(f, AccessPathFilter)]:
        logger.removeFilter(old)
    logger.addFilter(AccessPathFilter(app))
