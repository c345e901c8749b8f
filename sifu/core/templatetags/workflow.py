"""``{% load workflow %}``: the hidden inputs that carry the state a page showed into its form.

``{% seen_fields obj %}`` writes ``seen`` (the state) and ``seen_<marker>`` for the object's
workflow (``sifu.core.workflow``); the service refuses a post without them or whose state changed.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from sifu.core.workflow import workflow_for

register = template.Library()


@register.simple_tag
def seen_fields(obj: Any) -> SafeString:
    return format_html_join("", '<input type="hidden" name="{}" value="{}">', workflow_for(obj).seen_inputs(obj))
