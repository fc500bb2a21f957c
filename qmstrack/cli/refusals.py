"""The domain's refusals, as their English text reads, for the command line to translate.

The domain modules raise their :mod:`qmstrack.errors` messages in English (f-strings filled in
with the values at fault). :func:`qmstrack.cli.lang.translate_message` matches the whole text
of a shown message against these templates (after those of :mod:`qmstrack.cli.lang`), the
more specific first, and shows the catalogue's translation filled in with the same values.
``tests/test_message_catalogue.py`` checks that every such raise in the domain has one.

:data:`COUNTED_MESSAGES` are the command line's messages that count things with
:func:`qmstrack.i18n.count_of` (``Exported 3 rows, ...``); a count in a matched message
(``3 rows``) is written in the terminal's language with the noun of :data:`COUNT_NOUNS`
(context ``count``) and the language's digit grouping (``1.234 baris``).
"""

from __future__ import annotations

from qmstrack.i18n import N_, NC_

DOMAIN_MESSAGES = (
    N_("No audit is planned for {units} in {month}; plan it with 'qmstrack audit plan "
       "set'."),
    N_("No audit is planned in {month}; plan it with 'qmstrack audit plan set'."),
    N_("{path} is a directory; name the letter's file with --out."),
    N_('The letter {path} cannot be written: {error}.'),
    N_('The programme is planned by calendar month; {start} to {end} is not one.'),
    N_('Name the units to audit with --unit.'),
    N_('{name} ({nip}) belongs to {units} and may not audit their own unit (ISO 9001:2015 '
       '9.2.2 c); choose another auditor, or pass --allow-own-unit to record the exception.'),
    N_('Name the clauses to audit with --clauses, e.g. 7.5,8.5.'),
    N_("Clause {ref} is not a clause of the checklist {checklist}; 'qmstrack checklist show "
       "{checklist2}' lists them."),
    N_("There are no units to audit; add them with 'qmstrack unit add'."),
    N_('The answers file {name} has {n} bad line; nothing was recorded.'),
    N_('The answers file {name} has {n} bad lines; nothing was recorded.'),
    N_('The answers file {name} must map item ids to answers (line {line}).'),
    N_('The answers file is empty.'),
    N_('The answers CSV needs the columns item and grade (line 1).'),
    N_('Give --opening, --closing or both.'),
    N_('The closing meeting ({last}) cannot be before the opening meeting ({first}).'),
    N_('Audit {id} still has {n} pending item; answer it or pass --allow-pending.'),
    N_('Audit {id} still has {n} pending items; answer them or pass --allow-pending.'),
    N_('The answers file {name} is not valid YAML at line {line}.'),
    N_('The answers file {name} is not valid YAML.'),
    N_('The answers file {name} is nested too deeply to hold answers.'),
    N_('{name}:{line}: an item id must be plain text.'),
    N_('The answers CSV cannot be read ({error}).'),
    N_('The answers CSV line {number} has {cells} cells; the header has {header}.'),
    N_('The opening meeting date {day} is in the future.'),
    N_('The closing meeting date {day} is in the future.'),
    N_('a {grade} result needs a note'),
    N_('{name}:{line}: the answer to {key} must be a grade or a mapping with grade, note and '
       'evidence.'),
    N_('{name}:{line}: answer fields must be plain text.'),
    N_('{name}:{line}: unknown field {field} (use grade, note, evidence).'),
    N_('The backup cannot overwrite the database itself.'),
    N_("{path} is a directory; give the backup file's name."),
    N_('{path} already exists; pass --force to replace it.'),
    N_('The folder {path} does not exist.'),
    N_('The checklist {id} has no clause {clause}.'),
    N_('The checklist {id} has no item {item}.'),
    N_('{source} has {count} error; nothing was loaded.'),
    N_('{source} has {count} errors; nothing was loaded.'),
    N_("There is no checklist {name}; 'qmstrack checklist list' shows the available ones."),
    N_("There is no checklist {name}; 'qmstrack checklist list' shows the available ones ({n} "
       "checklist file could not be read; 'qmstrack checklist validate {path}' shows why)."),
    N_("There is no checklist {name}; 'qmstrack checklist list' shows the available ones ({n} "
       "checklist files could not be read; 'qmstrack checklist validate {path}' shows why)."),
    N_('The checklist id or path is empty.'),
    N_('Two checklist files have the id {name}: {first} and {second}; give one of them '
       'another id.'),
    N_('There is no checklist file {name} (and no checklist with that id).'),
    N_('There is no checklist file {name} (and no checklist with that id) ({n} checklist file '
       "could not be read; 'qmstrack checklist validate {path}' shows why)."),
    N_('There is no checklist file {name} (and no checklist with that id) ({n} checklist files '
       "could not be read; 'qmstrack checklist validate {path}' shows why)."),
    N_('No bundled checklist for ISO 9001:{edition}.'),
    N_('{source} is a directory, not a checklist file.'),
    N_('There is no checklist file {source}.'),
    N_('The checklist file {source} cannot be read: {error}.'),
    N_("Clause {ref} is not a clause of {name} (checklist {checklist}); 'qmstrack checklist "
       "show {checklist2}' lists them."),
    N_('Give at least one working weekday, e.g. 1,2,3,4,5 (Monday = 1).'),
    N_('{path} is a directory, not a database file.'),
    N_('{path} is a SQLite database of another program, not a qmstrack database; nothing was '
       'changed.'),
    N_('The database was written by a newer version of qmstrack (unknown migration {name}); '
       'upgrade qmstrack instead of using this version on it.'),
    N_("No database at {path}; run 'qmstrack init' first or pass --db PATH."),
    N_('{path} is not a usable qmstrack database ({error}).'),
    N_('Upgrading the database would break a reference from table {table} to {other}; nothing '
       'was changed.'),
    N_('Cannot write the backup {path}: {error}.'),
    N_('Cannot create the database {path}: {error}.'),
    N_('The database already holds records; the demo fills only an empty database (pass '
       'another --db).'),
    N_('qmstrack maps clauses between ISO 9001 editions {first} and {second} only (asked: '
       '{asked_from} to {asked_to}).'),
    N_('Clause {ref} is not a clause of {standard}:{edition}.'),
    N_('There is no correspondence file {path}.'),
    N_('The file {path} cannot be read: {error}.'),
    N_('{value} is not a SHA-256 (64 hexadecimal digits).'),
    N_('There is no file {path}.'),
    N_('{path} is a directory; give one file (zip a folder first).'),
    N_('{path} is not a regular file.'),
    N_('{path} is {size} MB; evidence files may be at most {limit} MB.'),
    N_("The evidence file {sha} is missing from {source}; run 'qmstrack db check'."),
    N_("The evidence file {source} was altered (SHA-256 no longer {sha}); run 'qmstrack db "
       "check'."),
    N_('Cannot read {source} or write the evidence store: {error}.'),
    N_('{source} grew past {limit} MB while it was being copied; evidence files may be at most '
       'that large.'),
    N_('Refusing the unsafe file name {name} in the bundle.'),
    N_('The folder {path} does not exist; create it first.'),
    N_('{path} is the database itself; choose another target.'),
    N_('{path} is a symbolic link; refusing to replace it.'),
    N_('{path} is not a file; refusing to replace it.'),
    N_('{path} exists and is not a bundle folder (no bagit.txt); refusing to replace it.'),
    N_('Cannot write in {path}: {error}.'),
    N_('The bundle could not be written to {path}: {error}.'),
    N_('The language {lang} is not supported; use {choices}.'),
    N_('The database does not match its change log ({total} problem); the first: {message}.'),
    N_('The database does not match its change log ({total} problems); the first: {message}.'),
    N_("{value} is not a SHA-256: it must be 64 hexadecimal digits, as 'qmstrack db check' "
       'prints the last seal.'),
    N_('There is no logged table {table}; the logged tables are {tables}.'),
    N_("There is no metric {name}; 'qmstrack metrics --list' shows them."),
    N_('The frequency {value} is not monthly, quarterly or yearly.'),
    N_('The year {value} is not a year between {low} and {high}.'),
    N_("The period {label} is not in the objective's year {year}."),
    N_('The period {label} has not started yet; record its value once it has.'),
    N_('The value must be a number.'),
    N_('The value {value} is not a number such as 92,5 or 92.5 or 92,5%.'),
    N_('The metric {key} is not measured per service, so it takes no service (per-service '
       'metrics: {metrics}).'),
    N_('The metric {name} is a rate between 0 and 1, so the target {target} can never be '
       "compared; write it as '>= 0.95' or '>= 95%'."),
    N_("There is no objective {id}; 'qmstrack objective list' shows them."),
    N_('Objective {id} is measured by the metric {metric}; its values come from the records '
       'and cannot be recorded by hand.'),
    N_('{message} (the objective is {frequency}).'),
    N_('The NIP {value} was stored as a number, which keeps only 15 digits; format the NIP '
       'column as text and type the NIP again.'),
    N_('The NIP {value} has sex digit {sex}; it must be 1 or 2.'),
    N_('The NIP {value} has serial number 000 (a spreadsheet that stored the NIP as a number '
       'drops its last digits; format that column as text).'),
    N_("The target {value} is not a comparison such as '>= 0.90' or '<= 0'."),
    N_('The NIP {value} does not start with a real birth date (YYYYMMDD).'),
    N_('The period {value} is not a month; write it as 2026-10.'),
    N_('The period {value} is not a month such as 2026-10.'),
    N_('The period {value} is not a quarter such as 2026-Q3.'),
    N_('The period {value} is not a semester such as 2026-S1.'),
    N_('The period {value} is not a year such as 2026.'),
    N_('Give either {option} or --from/--to, not both.'),
    N_('--from and --to go together; pass both.'),
    N_('--from and --to go together; pass both (or {option}).'),
    N_('Give the period with --from and --to.'),
    N_('The setting complaint_response_days ({value}) must be a number of working days between '
       '0 and 365.'),
    N_('The received date {day} is in the future.'),
    N_('The response date {day} is in the future.'),
    N_('The closing date {day} is in the future.'),
    N_('There is no unit {code}.'),
    N_('The review interval must be between 1 month and 10 years.'),
    N_('The clause is empty; give the ISO clause it evidences, e.g. 7.5.3.'),
    N_("The database path is needed to store the document's file."),
    N_('The element {value} is not one of U1 to U9.'),
    N_("There is no SKM follow-up action {id}; 'qmstrack survey action list' shows them."),
    N_('The date raised {day} is in the future.'),
    N_('The due date {due} is before the action was raised ({raised}).'),
    N_('The service {service} belongs to unit {unit}, not {other}.'),
    N_('SKM follow-up action {id} was already closed on {day}.'),
    N_('The closing date {day} is before the action was raised ({raised}).'),
    N_('The template directory {path} does not exist (--template-dir or the template_dir '
       'setting).'),
    N_('{path} is a file, not a directory for the reports.'),
    N_('The report directory {path} cannot be created: {error}.'),
    N_('The report file name {name} is not a plain file name.'),
    N_('The report {path} cannot be written: {error}.'),
    N_('The notes file {path} does not exist.'),
    N_('The notes file {path} is a directory, not a YAML file.'),
    N_('The notes file {path} is larger than 1 MB.'),
    N_('The notes file {path} is not UTF-8 text.'),
    N_('The notes file {path} cannot be read: {error}.'),
    N_('The notes file {name} is not valid YAML at line {line} ({problem}).'),
    N_('The notes file {name} is not valid YAML at line {line}.'),
    N_('The notes file {name} is not valid YAML ({problem}).'),
    N_('The notes file {name} is not valid YAML.'),
    N_('The notes file {name} is nested too deeply to hold notes.'),
    N_('The period starts on {day}, after today; there is nothing to review yet.'),
    N_('{option} is given {n} times for {count} decisions; give it once for all of them or '
       'once per --decision, in the same order.'),
    N_('The review date {day} is in the future.'),
    N_('A management review needs at least one decision.'),
    N_('Each decision needs its own owner and due date (or none).'),
    N_("There is no management review {id}; 'qmstrack review list' shows them."),
    N_('The due date {due} of decision {number} is before the review ({day}).'),
    N_("A management review of {day} is already recorded (review {id}); 'qmstrack review show "
       "{id2}' shows it."),
    N_("There is no review action {id}; 'qmstrack review actions' shows them."),
    N_('Review action {id} was already closed on {day}.'),
    N_('The closing date {day} is before the review that decided the action ({held}).'),
    N_('The format {value} is not one of text, md, json.'),
    N_('{path} is a directory; --out needs a file name.'),
    N_('Cannot write {path}: the directory {directory} does not exist.'),
    N_('Cannot write {path}: {error}.'),
    N_('{path} is a directory; name the HTML file to write.'),
    N_('The population is a number of people, 0 or more.'),
    N_('There are no survey responses to report on; give the period with --from and --to.'),
    N_('The zip file holds no BagIt bag (no bagit.txt at its top).'),
    N_('There is no bundle at {path}.'),
    N_('The bundle {path} is not intact ({n} problem): {message}.'),
    N_('The bundle {path} is not intact ({n} problems): {message}.'),
    N_('{path} is not a readable zip file ({error}).'),
    N_('{path} holds {n} entries; refusing more than {limit}.'),
    N_('{path} is neither a bundle folder nor a zip file.'),
    N_("{path} holds the unsafe entry {name} (absolute path or '..'); refusing to extract it."),
    N_('{path} holds the symbolic link {name}; refusing to extract it.'),
    N_('{path} holds {name}, which is not a plain file or folder; refusing to extract it.'),
    N_('{path} holds {name} twice; refusing it.'),
    N_('{path} holds the unsafe entry {name}.'),
    N_('{path} is not a valid BagIt bag: {error}.'),
    N_('{path}: the entry {name} cannot be read ({error}).'),
    N_('{path}: the entry {name} cannot be extracted ({error}).'),
    N_('{path} expands to more than {size} GB; refusing to extract it.'),
    N_('The score of element {element} ({label}) is {value}; scores are whole numbers from '
       '{low} to {high}.'),
    N_("The chair's name must be one line of text."),
    N_("The attendee's name must be one line of text."),
    N_('{name} is not valid YAML at line {line}.'),
    N_('{name} is not valid YAML.'),
    N_("{name} must hold a list of services (or 'services:' list)."),
    # The tamper evidence (qmstrack.changelog, evidence, integrity, reports).
    N_("The database was changed outside qmstrack since its last seal ({found}); "
       "nothing was written; run 'qmstrack db check' to see what changed, and restore a "
       "backup or ask the quality officer before writing again."),
    N_("A bulk write inserted rows into {table} below its highest rowid, which it had "
       "promised not to; nothing was written."),
    N_("The evidence folder {path} is a symbolic link; run 'qmstrack db check'. The "
       "backup's evidence was not copied."),
    N_("The template_dir setting was not set with 'qmstrack config set template_dir' (the "
       "change log has no sealed entry for its value); set it again that way, or pass "
       "--template-dir, before templates are read from it."),
    N_("The template directory {directory} is not safe: {path} can be written by other "
       "users; make it writable by you only (chmod go-w) before templates are read from it."),
)


# The registers of documents (the master list), adherence, competence, providers and risks:
# their refusals and their commands' messages.
REGISTER_MESSAGES = (
    N_('Observation {id} saved: {staff} {rule} {day} {result}.'),
    N_('That staff member and rule now have {n} observations on {day}; to correct one instead, '
       "use 'qmstrack adherence update ID'."),
    N_('Observation {id} corrected: {fields}.'),
    N_('Observation {id} unchanged.'),
    N_('Competence {code} saved.'),
    N_('Training of {staff} on {day} saved.'),
    N_('Document {number} revision {revision} in force from {day}; revision {old} is obsolete.'),
    N_('Document {number} revision {revision} in force from {day}.'),
    N_('Provider {code} saved ({status}).'),
    N_('Provider {code} evaluated: score {score}, {result}; re-evaluation due {due}.'),
    N_('Risk {ref} recorded: level {level} ({band}).'),
    N_('Risk {ref} updated: {fields}.'),
    N_('Risk {ref} unchanged.'),
    N_('Risk matrix written to {path}.'),
    N_('The time {value} is not a time of day like 08:30.'),
    N_("There is no observation {id}; 'qmstrack adherence list' shows them with their ids."),
    N_('Give a new evidence file or drop the old one, not both.'),
    N_('The effectiveness {value} is not effective or not effective (efektif, tidak efektif).'),
    N_('The hours {value} are not a number.'),
    N_('The hours {value} are not between 0 and 2000.'),
    N_("No staff member holds the position {position}; the position is written as in 'qmstrack "
       "staff list'."),
    N_("There is no competence {key}; add it with 'qmstrack competence add'."),
    N_('The database path is needed to store the certificate.'),
    N_('The document number {value} is not a number like SOP/SMA/01 or PM-01 (letters, digits, '
       '. / - _).'),
    N_('The revision {value} is not like 00, 01, 02 or A.'),
    N_('The status {value} is not one of draft, in force, obsolete, withdrawn (konsep, '
       'berlaku, kedaluwarsa, ditarik).'),
    N_("Document {number} revision {revision} is already registered; 'qmstrack document "
       "revise' records a new revision."),
    N_("Document {number} already has revision {revision} in force; 'qmstrack document revise "
       "{number2}' supersedes it."),
    N_("There is no document numbered {number}; 'qmstrack document list' shows the master list."),
    N_('Revision {revision} of {number} does not come after revision {latest}, the latest on '
       'record.'),
    N_('The approval date {day} is before revision {revision} was issued ({issued}).'),
    N_('The provider status {value} is not approved, conditional or stopped (disetujui, '
       'bersyarat, dihentikan).'),
    N_('The quality score {score} is outside the scale 1-5.'),
    N_('The delivery score {score} is outside the scale 1-5.'),
    N_('The service score {score} is outside the scale 1-5.'),
    N_("There is no provider {key}; add it with 'qmstrack provider add'."),
    N_('The evaluation date {day} is in the future.'),
    N_('Provider {code} already has an evaluation on {day}.'),
    N_('The evaluation date {day} is before the provider started ({since}).'),
    N_('The risk scale must be between 3 and 10 (5 for a 5 x 5 matrix).'),
    N_('The likelihood score {score} is outside the scale 1-{scale}.'),
    N_('The impact score {score} is outside the scale 1-{scale}.'),
    N_('The residual likelihood score {score} is outside the scale 1-{scale}.'),
    N_('The residual impact score {score} is outside the scale 1-{scale}.'),
    N_('The kind {value} is not risk or opportunity (risiko, peluang).'),
    N_('The status {value} is not open or closed (terbuka, ditutup).'),
    N_("Risk {ref} is already recorded; 'qmstrack risk update' changes it."),
    N_("There is no risk {key}; 'qmstrack risk list' shows them."),
    N_('The status {value} is not open or closed.'),
)

# Backups, the pseudonymisation key, printed forms and letterheads.
OFFICE_MESSAGES = (
    N_('The backup {path} is not good: {n} evidence file no longer matches its SHA-256 and was '
       "not copied ({files}); run 'qmstrack db check'."),
    N_('The backup {path} is not good: {n} evidence files no longer match its SHA-256 and were '
       "not copied ({files}); run 'qmstrack db check'."),
    N_("The backup cannot overwrite the database itself or its '-wal'/'-shm'/key files "
       '({path}); choose another file.'),
    N_("The backup cannot be written inside the database's evidence folder {path}; choose "
       'another place.'),
    N_('The logo is a file kept beside the database; name the database.'),
    N_('Cannot copy the evidence files to {path}: {error}; the partial copy was removed.'),
    N_('An export with --redact needs a database file.'),
    N_('The form format {value} is not one of {choices}.'),
    N_('--format {value}: use docx or pdf.'),
    N_('{path} is larger than {size} MiB; a logo for a letterhead needs far less.'),
    N_('{path} is not a PNG or JPEG image.'),
    N_('{path} holds another pseudonymisation key than the database; move one of them away and '
       'run qmstrack again.'),
    N_('The period {value} is outside the years {first}-{last}; check the year.'),
    N_('{path} is {size} MB; a services file may be at most {limit} MB.'),
    N_('{path} is empty; it must hold a list of services.'),
    N_('{name}, line {line}: {message}; nothing was imported.'),
    N_('{name}: {message}; nothing was imported.'),
    N_('The pseudonymisation key {path} is damaged (it must be 64 hexadecimal digits); restore '
       'it from a backup.'),
    N_('The pseudonymisation key {path} cannot be read: {error}.'),
    N_('The format {value} is not one of text, md, json, html, pdf.'),
    N_('--format {value}: use md, html, pdf, docx or a list of them (md,html).'),
    N_('--format pdf writes a file: name it with --out.'),
)

# The command modules' own messages written as English f-strings.
COMMAND_LINE_MESSAGES = (
    N_('Audit {id}: opening meeting {opening}, closing meeting {closing}.'),
    N_('Started audit {id}: {start} to {end}, units {units}, checklist {checklist}.'),
    N_('Resumed audit {id}: {start} to {end}, units {units}, checklist {checklist}.'),
    N_('Open findings seen again (a recurrence recorded on each): {refs}.'),
    N_('User checklist directory: {path} (does not exist yet)'),
    N_('User checklist directory: {path}'),
    N_('OK {path} ({n} clauses mapped from {source} to {target})'),
    N_('Document {id} registered; review due {due}; file stored as {sha}.'),
    N_('Document {id} registered; review due {due}.'),
    N_('Document {id} registered; file stored as {sha}.'),
    N_('Document {id} registered.'),
    N_('Objective {id} added for {unit} {year} ({frequency}, recorded by hand, target {target}).'),
    N_('Objective {id} added for {unit} {year} ({frequency}, metric {metric}, target {target}).'),
    N_('Objective {id}, {period}: {value} (was {old}), target {target}: achieved.'),
    N_('Objective {id}, {period}: {value} (was {old}), target {target}: missed.'),
    N_('Objective {id}, {period}: {value}, target {target}: achieved.'),
    N_('Objective {id}, {period}: {value}, target {target}: missed.'),
    N_('the target {target} is a fraction but the value is {value}; if you meant a percentage, '
       "record it again as '{again}%'."),
    N_('No survey responses in the period.'),
    N_("{n} of {total} files has errors."),
    N_("{n} of {total} files have errors."),
    N_("--new-action and --new-due go with --effective no."),
    N_("Give exactly one of --metric NAME or --manual."),
    N_("{message} First: {reason}"),  # a checklist file that cannot be read, its first error
)

# The detail lines under a refusal (one per problem found).
DETAIL_MESSAGES = (
    N_("missing: {path}"), N_("extra: {path}"), N_("altered: {path}"),
    N_("symbolic link: {path}"),
    N_("{where}: unknown item {item}"),
    N_("{where}: item {item} is evaluated from the data"),
    N_("{where}: item {item} is answered twice"),
    N_("... and {n} more (--json lists them)."),
    N_("... and {n} more errors."),
    N_("is not a service field"),
)

# The nouns counted with count_of, singular and plural (the catalogue's context ``count``).
COUNT_NOUNS = (
    NC_("count", "day"), NC_("count", "days"),
    NC_("count", "working day"), NC_("count", "working days"),
    NC_("count", "due date"), NC_("count", "due dates"),
    NC_("count", "evidence file"), NC_("count", "evidence files"),
    NC_("count", "row"), NC_("count", "rows"),
    NC_("count", "change-log entry"), NC_("count", "change-log entries"),
    NC_("count", "file"), NC_("count", "files"),
    NC_("count", "byte"), NC_("count", "bytes"),
    NC_("count", "entry"), NC_("count", "entries"),
    NC_("count", "seal"), NC_("count", "seals"),
    NC_("count", "response"), NC_("count", "responses"),
)

COUNTED_MESSAGES = (
    N_("Service {code} saved (same day)."),
    N_("Service {code} saved ({days})."),
    N_("Added {days} off; {dates} recomputed."),
    N_("Removed {days} off; {dates} recomputed."),
    N_("Exported {rows}, {files} and {entries} ({count}, {size}) with personal data redacted "
       "to {path}."),
    N_("Exported {rows}, {files} and {entries} ({count}, {size}) to {path}."),
    N_("Bag valid: {files}"),
    N_("Backed up {path} to {out} ({files} copied)."),
    N_("Database OK: {entries}, {seals}, {files} checked."),
    N_("Last seal: {id} ({command} at {at}), SHA-256 {sha}"),
    # ``db path``: where the database named comes from.
    N_("(from the --db option)"),
    N_("(from the --db option; not created yet)"),
    N_("(from the QMSTRACK_DB environment variable)"),
    N_("(from the QMSTRACK_DB environment variable; not created yet)"),
    N_("(from the default location)"),
    N_("(from the default location; not created yet)"),
)

# What a list shows when nothing matches (``empty=`` of the command modules' tables).
EMPTY_LISTS = (
    N_("No action yet."), N_("No actions match."), N_("No actions."),
    N_("No audits yet; run 'qmstrack audit'."), N_("No complaints match."),
    N_("No documents match."), N_("No findings match."), N_("No findings."),
    N_("No management review recorded yet; see 'qmstrack review record'."),
    N_("No objectives match."), N_("No observations in the period."),
    N_("No observations match."),
    N_("No programme for that year; plan it with 'qmstrack audit plan set'."),
    N_("No rules yet."), N_("No services yet; add them with 'qmstrack service add' or import."),
    N_("No SKM follow-up actions match."), N_("No staff yet."),
    N_("No survey responses match."), N_("No units yet; add one with 'qmstrack unit add'."),
    N_("The change log has no matching entries."),
)

# Every template of this module, in the order they are tried.
TEMPLATES = (DOMAIN_MESSAGES + REGISTER_MESSAGES + OFFICE_MESSAGES + COUNTED_MESSAGES
             + COMMAND_LINE_MESSAGES + DETAIL_MESSAGES)
