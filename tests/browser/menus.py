"""Going to a place of the menus as a person would, at any width (archives/navigation.py)."""


def open_place(page, href: str) -> None:
    """Its tab (phone) or top-menu link (desktop); else through its menu group or 更多."""
    tab = page.locator(f"nav.tabbar a[href='{href}']")
    if tab.is_visible():
        tab.click()
        return
    link = page.locator(f"nav.mainnav a[href='{href}']")
    if link.is_visible():
        link.click()
        return
    group = page.locator("nav.mainnav details.navgroup").filter(
        has=page.locator(f"a[href='{href}']")
    )
    if group.is_visible():
        group.locator("summary").click()
        link.click()
        return
    page.locator("nav.tabbar a[data-place=more]").click()
    page.locator(f"main .place-list a[href='{href}']").click()
