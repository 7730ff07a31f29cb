"""Server-side SVG for the municipality dashboard: timeline, progress, indicator charts.

Each chart is a string built in one pass over rows already in memory (no
template loop per point), every text escaped. An SVG is an image with a title
and a description (``role="img"``, ``aria-labelledby``); the page gives the
same data as a table next to it, readable without JavaScript or CSS.
"""

import dataclasses
import datetime as dt
import math
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import dateformat
from django.utils.formats import date_format, get_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from experiments.enums import ExperimentStatus

TIMELINE_MONTHS = 18

# Bars by status; the status is also written in the table and in each bar's title.
STATUS_FILL = {
    ExperimentStatus.PLANNED: "#9aa5b1",
    ExperimentStatus.PREPARING: "#5b8def",
    ExperimentStatus.RUNNING: "#0b3d91",
    ExperimentStatus.EVALUATING: "#6f42c1",
    ExperimentStatus.ENDED: "#146c43",
    ExperimentStatus.SUSPENDED: "#b35c00",
    ExperimentStatus.ABANDONED: "#6c757d",
}
LATE = "#b02a37"
INK = "#1f2933"
GRID = "#d0d4d9"


# Django's date format characters that strftime writes the same, digits only.
_STRFTIME = {"d": "%d", "m": "%m", "Y": "%Y", "y": "%y"}


def _strftime_pattern(django_format: str) -> str | None:
    """ "d/m/Y" → "%d/%m/%Y"; None when the format needs Django (month names, ...)."""
    pattern = []
    for char in django_format:
        if char in _STRFTIME:
            pattern.append(_STRFTIME[char])
        elif char in "/.- ":
            pattern.append(char)
        else:
            return None
    return "".join(pattern)


class Formats:
    """The page language's formats, read once: ``date_format`` reads them at every call,
    which a page of a thousand dates feels."""

    def __init__(self):
        self.short_date_format = get_format("SHORT_DATE_FORMAT")
        self.decimal_separator = get_format("DECIMAL_SEPARATOR")
        self.percent_format = _("%(value)s%%")
        self._date_pattern = _strftime_pattern(self.short_date_format)
        self._dates = {}

    def date(self, day: dt.date) -> str:
        text = self._dates.get(day)
        if text is None:
            if self._date_pattern is not None:
                text = day.strftime(self._date_pattern)
            else:
                text = dateformat.format(day, self.short_date_format)
            self._dates[day] = text
        return text

    def number(self, value) -> str:
        """As people write it: at most 3 decimals, no trailing zeros, the decimal separator."""
        value = Decimal(value) if not isinstance(value, Decimal) else value
        text = format(value.quantize(Decimal("0.001")).normalize(), "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text.replace(".", self.decimal_separator)

    def percent(self, value: float | None) -> str:
        if value is None:
            return "–"
        return self.percent_format % {"value": round(value * 100)}


def percent(value: float | None) -> str:
    return Formats().percent(value)


def number(value) -> str:
    return Formats().number(value)


def _f(value: float) -> str:
    return f"{value:.1f}"


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _header(chart_id: str, title: str, desc: str, width: int, height: int, css: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'preserveAspectRatio="xMinYMin meet" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


# The timeline of a district's experiments.


@dataclasses.dataclass
class Window:
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def months(self) -> list[dt.date]:
        months, month = [], self.start
        while month <= self.end:
            months.append(month)
            month += relativedelta(months=1)
        return months


def timeline_window(rows, today: dt.date) -> Window:
    """From the first start to the last end (at least 18 months), whole months."""
    if rows:
        start = _month_start(min(row.experiment.start_date for row in rows))
        end = max(row.experiment.end_date for row in rows)
    else:
        start = _month_start(today)
        end = start
    end = max(end, start + relativedelta(months=TIMELINE_MONTHS))
    end = _month_start(end) + relativedelta(months=1) if end.day > 1 else end
    return Window(start, end)


def timeline_svg(
    rows, today: dt.date, *, formats: Formats | None = None, chart_id: str = "timeline"
) -> SafeString:
    """One bar per experiment from start to end, its milestones, and a "today" line.

    The same pass writes ``row.milestones_text`` (each milestone, its date and
    state) for the table that follows the chart.
    """
    formats = formats or Formats()
    window = timeline_window(rows, today)
    states = {"late": _("late"), "done": _("done"), "todo": _("to come")}
    # get_status_display() hashes every lazy label at each call: translate them once.
    statuses = {value: str(label) for value, label in ExperimentStatus.choices}
    bar_format = _("%(name)s: %(status)s, %(start)s → %(end)s")
    label_width, plot_width, right = 230, 700, 20
    # Years on the first line of the header, months on the second; "today" below.
    row_height, top, bottom = 26, 46, 24
    width = label_width + plot_width + right
    height = top + max(len(rows), 1) * row_height + bottom
    scale = plot_width / max(window.days, 1)

    def x(day: dt.date) -> float:
        offset = min(max((day - window.start).days, 0), window.days)
        return label_width + offset * scale

    title = _("Timeline of the experiments")
    desc = _(
        "%(count)s experiments from %(start)s to %(end)s; bars run from the start to the "
        "end of each experiment, marks are its milestones. The same data is in the table "
        "that follows."
    ) % {
        "count": len(rows),
        "start": date_format(window.start, "F Y"),
        "end": date_format(window.end, "F Y"),
    }
    parts = _header(chart_id, title, desc, width, height, "chart timeline-chart")
    months = window.months()
    step = 1 if len(months) <= 25 else 3
    for index, month in enumerate(months):
        mx = _f(x(month))
        parts.append(
            f'<line x1="{mx}" y1="{top - 6}" x2="{mx}" y2="{height - bottom}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        if index % step == 0 and month < window.end:
            parts.append(
                f'<text x="{_f(x(month) + 3)}" y="{top - 12}" font-size="11" fill="{INK}">'
                f"{escape(date_format(month, 'N'))}</text>"
            )
        if (month.month == 1 or index == 0) and month < window.end:
            parts.append(
                f'<text x="{_f(x(month) + 3)}" y="{top - 30}" font-size="11" '
                f'font-weight="bold" fill="{INK}">{month.year}</text>'
            )
    for index, row in enumerate(rows):
        experiment = row.experiment
        y = top + index * row_height
        name = experiment.solution_name
        short = name if len(name) <= 30 else name[:29] + "…"
        status = statuses.get(experiment.status, experiment.status)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 17}" font-size="12" text-anchor="end" '
            f'fill="{INK}">{escape(short)}</text>'
        )
        x1, x2 = x(experiment.start_date), x(experiment.end_date)
        bar_title = bar_format % {
            "name": name,
            "status": status,
            "start": formats.date(experiment.start_date),
            "end": formats.date(experiment.end_date),
        }
        parts.append(
            f'<rect x="{_f(x1)}" y="{y + 6}" width="{_f(max(x2 - x1, 2))}" height="14" rx="3" '
            f'fill="{STATUS_FILL.get(experiment.status, "#9aa5b1")}" '
            f'fill-opacity="0.35"><title>{escape(bar_title)}</title></rect>'
        )
        late = {milestone.pk for milestone in row.late}
        texts = []
        for milestone in row.milestones:
            mx, my = x(milestone.due_date), y + 13
            if milestone.pk in late:
                fill, stroke, state = LATE, LATE, states["late"]
            elif milestone.done_date:
                fill, stroke, state = INK, INK, states["done"]
            else:
                fill, stroke, state = "#ffffff", INK, states["todo"]
            mark_title = f"{milestone.label} ({formats.date(milestone.due_date)}, {state})"
            texts.append(mark_title)
            parts.append(
                f'<path d="M{_f(mx)} {my - 5} l5 5 l-5 5 l-5 -5 z" fill="{fill}" '
                f'stroke="{stroke}" stroke-width="1.5"><title>{escape(mark_title)}</title></path>'
            )
        row.milestones_text = "; ".join(texts)
    if window.start <= today <= window.end:
        tx = _f(x(today))
        parts.append(
            f'<line class="today-line" x1="{tx}" y1="{top - 6}" x2="{tx}" '
            f'y2="{height - bottom + 6}" stroke="{LATE}" stroke-width="2"/>'
        )
        today_label = escape(_("Today"))
        parts.append(
            f'<text x="{tx}" y="{height - 4}" font-size="11" font-weight="bold" '
            f'text-anchor="middle" fill="{LATE}">{today_label}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


# Progress toward target, one bar per experiment.


def progress_svg(rows, *, formats: Formats | None = None, chart_id: str = "progress") -> SafeString:
    """Median progress of each experiment's indicators, from baseline (0) to target (100 %)."""
    formats = formats or Formats()
    percent = formats.percent
    label_width, plot_width, right = 230, 560, 90
    row_height, top, bottom = 24, 28, 8
    width = label_width + plot_width + right
    height = top + max(len(rows), 1) * row_height + bottom
    low, high = -0.25, 1.25

    def x(value: float) -> float:
        value = min(max(value, low), high)
        return label_width + (value - low) / (high - low) * plot_width

    title = _("Progress of the indicators toward their targets")
    desc = _(
        "For each experiment, the median progress of its indicators at their latest "
        "measurement: %(zero)s is the baseline, %(full)s the target. The same data is in "
        "the table that follows."
    ) % {"zero": percent(0), "full": percent(1)}
    parts = _header(chart_id, title, desc, width, height, "chart progress-chart")
    for value in (0, 0.5, 1):
        gx = _f(x(value))
        parts.append(
            f'<line x1="{gx}" y1="{top - 6}" x2="{gx}" y2="{height - bottom}" '
            f'stroke="{INK if value == 1 else GRID}" stroke-width="{2 if value == 1 else 1}"/>'
        )
        label = _("target") if value == 1 else percent(value)
        parts.append(
            f'<text x="{gx}" y="{top - 10}" font-size="11" text-anchor="middle" '
            f'fill="{INK}">{escape(label)}</text>'
        )
    for index, row in enumerate(rows):
        y = top + index * row_height
        name = row.experiment.solution_name
        short = name if len(name) <= 30 else name[:29] + "…"
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 16}" font-size="12" text-anchor="end" '
            f'fill="{INK}">{escape(short)}</text>'
        )
        median = row.progress.median if row.progress else None
        if median is None:
            not_measured = escape(_("not measured yet"))
            parts.append(
                f'<text x="{_f(x(0) + 4)}" y="{y + 16}" font-size="11" fill="{INK}">'
                f"{not_measured}</text>"
            )
            continue
        x0, x1 = x(0), x(median)
        left, bar = min(x0, x1), abs(x1 - x0)
        fill = "#146c43" if median >= 1 else ("#0b3d91" if median >= 0 else LATE)
        parts.append(
            f'<rect x="{_f(left)}" y="{y + 5}" width="{_f(max(bar, 1))}" height="14" '
            f'fill="{fill}"><title>{escape(name)}: {escape(percent(median))}</title></rect>'
        )
        parts.append(
            f'<text x="{_f(max(x0, x1) + 4)}" y="{y + 16}" font-size="11" fill="{INK}">'
            f"{escape(percent(median))}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


# One indicator: its measurements against the baseline and the target.


def _nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    span = high - low
    if span <= 0:
        return [low]
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = magnitude * factor
        if span / step <= count:
            break
    first = (low // step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        if value >= low - step * 1e-9:
            ticks.append(round(value, 10))
        value += step
    return ticks


def indicator_svg(
    indicator,
    measurements,
    *,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    formats: Formats | None = None,
) -> SafeString:
    """A line chart of the measurements, with the baseline and target as dashed lines."""
    formats = formats or Formats()
    number = formats.number
    chart_id = f"indicator-{indicator.pk}"
    width, height = 560, 250
    left, right, top, bottom = 64, 16, 16, 38
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [float(m.value) for m in measurements]
    baseline, target = float(indicator.baseline), float(indicator.target)
    low = min([baseline, target, *values])
    high = max([baseline, target, *values])
    pad = (high - low) * 0.1 or abs(high) * 0.1 or 1
    low, high = low - pad, high + pad
    days = [m.measured_on for m in measurements]
    first = min([start, *days])
    last = max([end, *days])
    span = max((last - first).days, 1)

    def x(day: dt.date) -> float:
        return left + (day - first).days / span * plot_w

    def y(value: float) -> float:
        return top + (high - value) / (high - low) * plot_h

    unit = indicator.unit
    if measurements:
        latest = measurements[-1]
        desc = _(
            "%(count)s measurements from %(first)s to %(last)s; latest %(value)s %(unit)s. "
            "Baseline %(baseline)s, target %(target)s. The values are in the table that follows."
        ) % {
            "count": len(measurements),
            "first": formats.date(measurements[0].measured_on),
            "last": formats.date(latest.measured_on),
            "value": number(latest.value),
            "unit": unit,
            "baseline": number(indicator.baseline),
            "target": number(indicator.target),
        }
    else:
        desc = _("No measurement yet. Baseline %(baseline)s, target %(target)s (%(unit)s).") % {
            "baseline": number(indicator.baseline),
            "target": number(indicator.target),
            "unit": unit,
        }
    title = _("%(name)s (%(unit)s)") % {"name": indicator.name, "unit": unit}
    parts = _header(chart_id, title, desc, width, height, "chart indicator-chart")
    for tick in _nice_ticks(low, high):
        ty = _f(y(tick))
        parts.append(
            f'<line x1="{left}" y1="{ty}" x2="{width - right}" y2="{ty}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{_f(y(tick) + 4)}" font-size="13" text-anchor="end" '
            f'fill="{INK}">{escape(number(Decimal(str(tick))))}</text>'
        )
    month = _month_start(first)
    step = 1 if span <= 200 else (2 if span <= 400 else 3)
    while month <= last:
        if month >= first:
            mx = _f(x(month))
            # Labels near an edge are anchored inside the chart.
            anchor = "end" if x(month) > width - right - 30 else "middle"
            parts.append(
                f'<line x1="{mx}" y1="{height - bottom}" x2="{mx}" y2="{height - bottom + 4}" '
                f'stroke="{INK}"/><text x="{mx}" y="{height - bottom + 19}" font-size="13" '
                f'text-anchor="{anchor}" fill="{INK}">{escape(date_format(month, "N y"))}</text>'
            )
        month += relativedelta(months=step)
    parts.append(
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" '
        f'stroke="{INK}"/>'
    )
    for value, colour, label in (
        (baseline, "#4f5862", _("baseline")),
        (target, "#146c43", _("target")),
    ):
        ly = _f(y(value))
        parts.append(
            f'<line x1="{left}" y1="{ly}" x2="{width - right}" y2="{ly}" stroke="{colour}" '
            f'stroke-width="2" stroke-dasharray="6 4"/>'
            f'<text x="{width - right - 4}" y="{_f(y(value) - 4)}" font-size="13" '
            f'text-anchor="end" fill="{colour}">{escape(label)}</text>'
        )
    if first <= today <= last:
        tx = _f(x(today))
        parts.append(
            f'<line x1="{tx}" y1="{top}" x2="{tx}" y2="{height - bottom}" stroke="{LATE}" '
            f'stroke-width="1" stroke-dasharray="2 3"/>'
        )
    if measurements:
        points = " ".join(
            f"{_f(x(m.measured_on))},{_f(y(v))}" for m, v in zip(measurements, values, strict=True)
        )
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="#0b3d91" stroke-width="2.5"/>'
        )
        for m, v in zip(measurements, values, strict=True):
            point_title = f"{formats.date(m.measured_on)}: {number(m.value)} {unit}"
            parts.append(
                f'<circle cx="{_f(x(m.measured_on))}" cy="{_f(y(v))}" r="3.5" fill="#0b3d91">'
                f"<title>{escape(point_title)}</title></circle>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
