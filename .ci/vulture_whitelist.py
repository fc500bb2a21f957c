"""Names vulture reports as unused that are used where it cannot see (read by vulture only).

`vulture` (configured in pyproject.toml, run by .ci/run) lists code nothing uses. Commands,
metrics, migrations and fixtures are registered by decorators, which the configuration
ignores; what is left used by other means is named here, each with where and why. A name
added here must be really used: dead code is removed instead.
"""

# ruff: noqa
_ = object

# Read by zipfile when it writes an entry (qmstrack/export.py, _write_zip).
_.compress_type
_.create_system
_.file_size

# Read by click: the help pages' markup mode, and the root group's command listing
# (qmstrack/cli/app.py, _plain_help and QmsGroup.format_commands).
_.rich_markup_mode
_.format_commands

# A parameter of the Translator protocol's ngettext (qmstrack/i18n.py).
singular

# Importers named as "module:function" strings and imported when their command runs
# (qmstrack/cli/imports.py, add_import_command).
import_observations
import_rules
import_services
import_staff

# Read by pytest: a module's marks, and fixtures requested by name as test parameters.
pytestmark
hostile
hostile_office
open_umask
malay

# Called by html.parser.HTMLParser while it parses (tests/test_reports.py,
# tests/test_report_browser.py).
_.handle_starttag
_.handle_endtag
_.handle_data

# Unused today, in modules being restructured now (the metric registry, languages,
# periods and the large-module splits); they leave this list when that work removes or
# uses them.
_.has  # qmstrack/checklists.py, Text.has
metric_available  # qmstrack/checklists.py
compute_all  # qmstrack/metrics.py
day_before  # qmstrack/metrics.py
FREQUENCIES  # qmstrack/objectives.py
_.as_period  # qmstrack/objectives.py, ObjectivePeriod.as_period
element_label  # qmstrack/registers/surveys.py

# Read by openpyxl when it writes a workbook (qmstrack/sheet_writer.py): a sheet's frozen
# header, a cell's type, font and number format, the properties' times.
_.freeze_panes
_.data_type
_.font
_.number_format
_.modified

# Called by Typer when it shows a usage error (qmstrack/cli/lang.py puts the translated one
# on the exception).
_.show

# Read by python-docx when it saves a document (qmstrack/finding_form.py): the page size
# and a table's fixed layout.
_.page_width
_.page_height
_.autofit

# Messages marked only for the catalogue (pybabel extract reads them; the command line looks
# them up by their text): qmstrack/cli/refusals.py.
COUNT_NOUNS
EMPTY_LISTS
