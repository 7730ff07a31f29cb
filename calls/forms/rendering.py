"""Bootstrap 5 markup of the application steps' fields, written in Python.

The same markup as crispy-bootstrap5's ``field.html`` (labels, help texts,
``invalid-feedback`` errors, ``aria-describedby`` and ``aria-invalid`` from
Django's ``BoundField``), so the steps look and behave like the portal's other
crispy forms and static/js/autosave.js finds what it expects. crispy renders a
field through four to six nested templates, one more per radio or checkbox
option: 0.5 to 1.3 ms a field, most of the time of a step page. Here it is a
few string joins. A widget this module does not know is still rendered by
crispy (``as_crispy_field``).

Forms opt in with ``BootstrapFieldsMixin``: ``{{ form }}`` renders the
non-field errors and every field, ``{{ form.name.as_field_group }}`` one field.
"""

import html

from django import forms
from django.forms.boundfield import BoundField
from django.forms.widgets import Input
from django.utils.safestring import SafeString, mark_safe

# The CSS class of the control, as crispy-bootstrap5 adds it.
_SELECT, _CHECK, _CONTROL = "form-select", "form-check-input", "form-control"
_TEXT_WIDGETS = (Input, forms.Textarea)


def _escape(value) -> str:
    """django.utils.html.conditional_escape, without its lazy-string wrapper (a hot path)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _attrs(attrs: dict) -> str:
    """Django's widgets/attrs.html: ``True`` is a bare attribute, ``False`` none."""
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {name}")
        elif value is not False:
            parts.append(f' {name}="{_escape(value)}"')
    return "".join(parts)


def _label_text(bound_field) -> str:
    text = _escape(bound_field.label)
    if bound_field.field.required:
        text += '<span class="asteriskField">*</span>'
    return text


def _errors(bound_field, tag: str) -> str:
    """The ``invalid-feedback`` block whose id the control's aria-describedby names."""
    errors = bound_field.errors
    if not errors:
        return ""
    auto_id = bound_field.auto_id
    items = "".join(
        f'<{tag} id="error_{number}_{auto_id}"><strong>{_escape(error)}</strong></{tag}>'
        for number, error in enumerate(errors, start=1)
    )
    return f'<div id="{auto_id}_error" class="invalid-feedback">{items}</div>'


def _help(bound_field) -> str:
    # Help texts are the portal's own (or staff-written criteria), shown as
    # given, as crispy and Django's own templates do.
    help_text = bound_field.help_text
    if not help_text:
        return ""
    auto_id = bound_field.auto_id
    ident = f' id="{auto_id}_helptext"' if auto_id else ""
    return f'<div{ident} class="form-text">{help_text}</div>'


def _control_attrs(bound_field, css: str) -> dict:
    """What ``BoundField.as_widget`` passes to the widget, the class first (as crispy)."""
    widget = bound_field.field.widget
    current = widget.attrs.get("class", "")
    class_name = widget.__class__.__name__.lower()
    if not current:
        current = class_name
    elif class_name not in current:
        current = f"{current} {class_name}"
    attrs = {"class": f"{current} {css}{' is-invalid' if bound_field.errors else ''}"}
    attrs.update(bound_field.build_widget_attrs({}, widget))
    if bound_field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound_field.auto_id)
    return attrs


def _widget(bound_field, attrs: dict) -> str:
    """The control: Django's input and textarea templates, or the widget's own render."""
    widget = bound_field.field.widget
    name, value = bound_field.html_name, bound_field.value()
    if isinstance(widget, forms.Select) or not isinstance(widget, _TEXT_WIDGETS):
        # The application steps' selects write their options in Python.
        return str(widget.render(name, value, attrs=attrs, renderer=bound_field.form.renderer))
    context = widget.get_context(name, value, attrs)["widget"]
    if isinstance(widget, forms.Textarea):
        text = _escape(context["value"]) if context["value"] else ""
        return f'<textarea name="{_escape(name)}"{_attrs(context["attrs"])}>\n{text}</textarea>'
    value = context["value"]
    value = "" if value is None else f' value="{_escape(value)}"'
    return (
        f'<input type="{context["type"]}" name="{_escape(name)}"{value}{_attrs(context["attrs"])}>'
    )


def _choices(bound_field) -> str:
    """Radio buttons or checkboxes, in a fieldset whose legend is the label."""
    widget = bound_field.field.widget
    auto_id = bound_field.auto_id
    id_ = widget.attrs.get("id") or auto_id
    attrs = bound_field.build_widget_attrs({"id": id_} if id_ else {})
    value = widget.format_value(bound_field.value())
    groups = widget.optgroups(bound_field.html_name, value, attrs)
    invalid = " is-invalid" if bound_field.errors else ""
    name = _escape(bound_field.html_name)
    parts = []
    for group_number, (group, options, _index) in enumerate(groups, start=1):
        if group:
            parts.append(f"<strong>{_escape(group)}</strong>")
        for number, option in enumerate(options, start=1):
            last = number == len(options) and group_number == len(groups)
            parts.append(
                f'<div class="form-check"><input type="{option["type"]}" class="{_CHECK}{invalid}"'
                f' name="{name}" value="{_escape(option["value"])}"{_attrs(option["attrs"])}>'
                f'<label for="{_escape(option["attrs"].get("id", ""))}" class="form-check-label">'
                f"{_escape(option['label'])}</label>"
                f"{_errors(bound_field, 'p') if last else ''}</div>"
            )
    options_html = f"<div>{''.join(parts)}</div>{_help(bound_field)}"
    if not bound_field.label:
        return options_html
    described = bound_field.aria_describedby
    described = f' aria-describedby="{described}"' if described else ""
    required = " requiredField" if bound_field.field.required else ""
    return (
        f"<fieldset{described}>"
        f'<legend class="form-label{required} fs-6">{_label_text(bound_field)}</legend>'
        f"{options_html}</fieldset>"
    )


def _file(bound_field) -> str:
    invalid = " is-invalid" if bound_field.errors else ""
    (subwidget,) = bound_field.subwidgets
    data = subwidget.data
    own = data["attrs"].get("class")
    css = f"{_CONTROL}{f' {own}' if own else ''}{invalid}"
    other = {key: value for key, value in data["attrs"].items() if key != "class"}
    disabled = " disabled" if bound_field.field.disabled else ""
    wrapper = ' class="is-invalid"' if invalid else ""
    return (
        f'<div{wrapper}><input type="{data["type"]}" name="{_escape(data["name"])}"'
        f' class="{css}"{disabled}{_attrs(other)}>'
        f"{_errors(bound_field, 'span')}{_help(bound_field)}</div>"
    )


def _field(bound_field) -> str:
    widget = bound_field.field.widget
    if widget.is_hidden:
        attrs = bound_field.build_widget_attrs({}, widget)
        if bound_field.auto_id and "id" not in widget.attrs:
            attrs["id"] = bound_field.auto_id
        return _widget(bound_field, attrs)
    auto_id = bound_field.auto_id
    extra = bound_field.css_classes()
    extra = f" {extra}" if extra else ""
    required = " requiredField" if bound_field.field.required else ""
    if isinstance(widget, forms.CheckboxInput):
        control = _widget(bound_field, _control_attrs(bound_field, _CHECK))
        return (
            f'<div class="mb-3"><div id="div_{auto_id}" class="form-check{extra}">{control}'
            f'<label for="{bound_field.id_for_label}" class="form-check-label{required}">'
            f"{_label_text(bound_field)}</label>"
            f"{_errors(bound_field, 'span')}{_help(bound_field)}</div></div>"
        )
    if isinstance(widget, forms.RadioSelect):  # CheckboxSelectMultiple too
        return f'<div id="div_{auto_id}" class="mb-3{extra}">{_choices(bound_field)}</div>'
    label = ""
    if bound_field.label:
        target = bound_field.id_for_label
        target = f' for="{target}"' if target else ""
        label = f'<label{target} class="form-label{required}">{_label_text(bound_field)}</label>'
    if isinstance(widget, forms.FileInput):
        body = _file(bound_field)
    else:
        css = _SELECT if isinstance(widget, forms.Select) else _CONTROL
        control = _widget(bound_field, _control_attrs(bound_field, css))
        body = f"{control}{_errors(bound_field, 'span')}{_help(bound_field)}"
    return f'<div id="div_{auto_id}" class="mb-3{extra}">{label}{body}</div>'


def field_html(bound_field) -> SafeString:
    """One field, as crispy-bootstrap5 renders it with the portal's FormHelper defaults."""
    if isinstance(bound_field.field.widget, forms.ClearableFileInput | forms.MultiWidget):
        from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field

        return as_crispy_field(bound_field)
    return mark_safe(_field(bound_field))  # noqa: S308 - every value is escaped above


def form_html(form) -> SafeString:
    """What ``{% crispy form %}`` writes inside the page's <form>: non-field errors, fields."""
    parts = []
    errors = form.non_field_errors()
    if errors:
        items = "".join(f"<li>{_escape(error)}</li>" for error in errors)
        parts.append(
            f'<div class="alert alert-block alert-danger"><ul class="m-0">{items}</ul></div>'
        )
    parts.extend(field_html(bound_field) for bound_field in form)
    return mark_safe("".join(parts))  # noqa: S308 - field_html escapes


class BootstrapBoundField(BoundField):
    def as_field_group(self):
        return field_html(self)


class BootstrapFieldsMixin:
    """``{{ form }}`` and ``{{ field.as_field_group }}`` in the markup above."""

    bound_field_class = BootstrapBoundField

    def render(self, template_name=None, context=None, renderer=None):
        if template_name is None and context is None and renderer is None:
            return form_html(self)
        return super().render(template_name, context, renderer)

    # Django binds these to its own render(): bind them to the one above.
    def __str__(self):
        return self.render()

    __html__ = __str__
