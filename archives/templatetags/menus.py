"""{% load menus %}{% menu as nav %}: the signed-in user's menus (archives/navigation.py), no query."""

from django import template

from archives import navigation

register = template.Library()


@register.simple_tag(takes_context=True)
def menu(context):
    request = context.get("request")
    if request is None:  # a page rendered without a request (the 500 page): its user only
        return navigation.menu_for(context["user"])
    return navigation.menu_for(request.user, request.path)
