"""What a browser would post for a form as a page shows it: every control's
current value, as the HTML form submission algorithm collects them."""

from __future__ import annotations

from urllib.parse import urljoin

from lxml import html as lxml_html

SKIPPED_INPUT_TYPES = frozenset({"submit", "button", "image", "reset", "file"})


def shown_form_data(page: bytes | str, *, form_id: str = "builder",
                    include_templates: bool = False) -> dict[str, list[str]]:
    """{name: [values]} of the form's controls as rendered: text inputs and
    textareas with their value ("" when none), selects with their selected
    option (else the first enabled one), checked checkboxes and radios only;
    buttons and disabled controls left out. With `include_templates`, the
    controls inside the page's <template> elements are added too, as a careless
    script might; their names hold __prefix__, which Django ignores."""
    document = lxml_html.fromstring(page)
    (form,) = document.xpath(f'//form[@id="{form_id}"]')
    controls = form.xpath(".//input | .//select | .//textarea")
    if include_templates:
        controls += document.xpath("//template//input | //template//select | //template//textarea")
    data: dict[str, list[str]] = {}
    for control in controls:
        value = _value(control)
        if value is not None:
            data.setdefault(control.get("name"), []).append(value)
    return data


def rendered_value(page: bytes | str, name: str, *, form_id: str = "builder") -> str:
    """One control's value as rendered; for a select, the option marked
    selected (not a browser's fallback to the first one), so a test sees
    what the server chose."""
    document = lxml_html.fromstring(page)
    controls = document.xpath(f'//form[@id="{form_id}"]//*[@name="{name}"]')
    if controls and controls[0].tag == "select":
        (option,) = controls[0].xpath(".//option[@selected]")
        return option.get("value")
    return shown_form_data(page, form_id=form_id)[name][0]


def send_as_shown(client, response, *, include_templates: bool = False,
                  to_page_url: bool = False, action: str = "send", **changes):
    """Post the builder exactly as the page `response` shows it, with
    action=send, as the pressed Send button adds (or another `action`, such as
    "send-again", the button that sends a copy of a segment just sent), to
    where the browser would: the form's action, else the page's own URL (or
    that URL anyway, with `to_page_url`, as a client that ignores the action).
    `changes` replace fields."""
    data = shown_form_data(response.content, include_templates=include_templates)
    data.update({name: [value] for name, value in changes.items()})
    data["action"] = [action]
    url = response.wsgi_request.get_full_path() if to_page_url else form_action(response)
    return client.post(url, data)


def form_action(response, *, form_id: str = "builder") -> str:
    """The URL a browser posts the form to."""
    (form,) = lxml_html.fromstring(response.content).xpath(f'//form[@id="{form_id}"]')
    return urljoin(response.wsgi_request.get_full_path(), form.get("action") or "")


def _value(control) -> str | None:
    name = control.get("name")
    if not name or control.get("disabled") is not None:
        return None
    if control.tag == "textarea":
        # Browsers drop the newline that follows <textarea>; lxml keeps it.
        return (control.text or "").removeprefix("\n")
    if control.tag == "select":
        return _selected(control)
    kind = (control.get("type") or "text").lower()
    if kind in SKIPPED_INPUT_TYPES:
        return None
    if kind in ("checkbox", "radio"):
        return control.get("value", "on") if control.get("checked") is not None else None
    return control.get("value", "")


def _selected(select) -> str | None:
    options = select.xpath(".//option")
    chosen = [option for option in options if option.get("selected") is not None]
    enabled = [option for option in options if option.get("disabled") is None]
    option = chosen[-1] if chosen else (enabled[0] if enabled else None)
    if option is None:
        return None
    value = option.get("value")
    return value if value is not None else (option.text or "").strip()
