"""The dev guide: a static site (plan, status, schemas, one page per bot, definition of done).

``polytraders guide build`` renders it from :func:`polytraders.guide.data.collect_data`;
``polytraders guide serve`` serves the built folder on 127.0.0.1.
"""

from polytraders.guide.build import build_site, render_schemas_page
from polytraders.guide.data import GuideData, collect_data

__all__ = ["GuideData", "build_site", "collect_data", "render_schemas_page"]
