"""{% load menus %}{% menu as nav %}: the signed-in user's menus (archives/navigation.py), no query."""

from django import template

from archives import navigation

register = template.Library()


@register.simple_tag(takes_context=True)
def menu(context):
    request = context["request"]
    return navigation.menu_for(request.user, request.path)
