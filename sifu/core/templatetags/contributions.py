"""``{% load contributions %}{% contribution shown %}``: render a contributed panel or section.

``shown`` is a ``ShownPanel`` (``sifu.core.contributions``): its template is rendered with the
page's context plus the panel's own variables, as an inclusion tag would."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from sifu.core.contributions import ShownPanel

register = template.Library()


@register.simple_tag(takes_context=True)
def contribution(context: template.Context, shown: ShownPanel) -> SafeString:
    tpl = context.template.engine.get_template(shown.template)  # type: ignore[union-attr]
    with context.push(**shown.context):
        return tpl.render(context)
