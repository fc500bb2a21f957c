-- The schema of a new qmstrack database, after these migrations:
--   m001_initial_schema
--   m002_final_audits_are_immutable
--   m003_covering_indexes_for_metrics
--   m004_staff_employment
--   m005_survey_respondent_profile
--   m006_request_refs_ignore_case
--   m008_survey_actions
--   m009_finding_recurrences
--   m009_audit_programme
--   m010_adherence_each_observation
--   m011_master_list_and_new_registers
--   m013_pseudonym_key_out_of_the_database
--   m007_tamper_evidence
--   m014_request_events_without_row_state

-- table _sqlite_migrations
CREATE TABLE "_sqlite_migrations" (
   "id" INTEGER PRIMARY KEY,
   "migration_set" TEXT,
   "name" TEXT,
   "applied_at" TEXT
);

-- table adherence
CREATE TABLE "adherence" (
            id INTEGER PRIMARY KEY,
            staff_nip TEXT NOT NULL REFERENCES staff(nip),
            rule_code TEXT NOT NULL REFERENCES rules(code),
            observed_on TEXT NOT NULL,
            unit TEXT NOT NULL REFERENCES units(code),
            result TEXT NOT NULL CHECK (result IN ('comply', 'breach', 'na')),
            observer TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            evidence_sha256 TEXT REFERENCES evidence_files(sha256),
            observed_at TEXT CHECK (observed_at IS NULL OR (length(observed_at) = 5
                AND observed_at GLOB '[0-2][0-9]:[0-5][0-9]' AND observed_at < '24:00')),
            object_ref TEXT NOT NULL DEFAULT '',
            import_key TEXT
        );

-- table audit_plan
CREATE TABLE audit_plan (
            id INTEGER PRIMARY KEY,
            checklist_id TEXT NOT NULL,
            month_start TEXT NOT NULL
                CHECK (month_start GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-01'),
            unit TEXT NOT NULL REFERENCES units(code),
            clauses TEXT NOT NULL,
            lead_auditor_nip TEXT REFERENCES staff(nip),
            own_unit_allowed INTEGER NOT NULL DEFAULT 0 CHECK (own_unit_allowed IN (0, 1)),
            UNIQUE (checklist_id, month_start, unit)
        );

-- table audit_results
CREATE TABLE audit_results (
            audit_id INTEGER NOT NULL REFERENCES audits(id),
            item_id TEXT NOT NULL,
            clause_ref TEXT NOT NULL,
            grade TEXT NOT NULL DEFAULT 'pending'
                CHECK (grade IN ('conform', 'minor', 'major', 'observation', 'na', 'pending')),
            metric TEXT,
            measured REAL,
            target TEXT,
            evidence TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            answered_by TEXT NOT NULL DEFAULT '',
            answered_on TEXT,
            PRIMARY KEY (audit_id, item_id)
        );

-- table audits
CREATE TABLE audits (
            id INTEGER PRIMARY KEY,
            period_start TEXT NOT NULL,
            period_end TEXT NOT NULL,
            scope TEXT NOT NULL,
            checklist_id TEXT NOT NULL,
            checklist_version INTEGER NOT NULL,
            checklist_sha256 TEXT NOT NULL,
            checklist_yaml TEXT NOT NULL,
            lead_auditor TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'final')),
            started_on TEXT NOT NULL,
            finalized_on TEXT
        , opening_meeting_on TEXT, closing_meeting_on TEXT);

-- table change_log
CREATE TABLE "change_log" (
            id INTEGER PRIMARY KEY,
            tbl TEXT NOT NULL,
            row_key TEXT NOT NULL,
            op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete', 'import')),
            old TEXT,
            new TEXT
        );

-- table change_seals
CREATE TABLE change_seals (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            command TEXT NOT NULL,
            first_id INTEGER NOT NULL,
            last_id INTEGER NOT NULL,
            prev_sha256 TEXT NOT NULL,
            sha256 TEXT NOT NULL
        , version INTEGER NOT NULL DEFAULT 1, user TEXT NOT NULL DEFAULT '', entries_sha256 TEXT NOT NULL DEFAULT '', schema_sha256 TEXT NOT NULL DEFAULT '', state_sha256 TEXT NOT NULL DEFAULT '', history_sha256 TEXT NOT NULL DEFAULT '');

-- table competences
CREATE TABLE competences (
            code TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT ''
        );

-- table complaints
CREATE TABLE complaints (
            id INTEGER PRIMARY KEY,
            ref_no TEXT NOT NULL UNIQUE,
            received_on TEXT NOT NULL,
            channel TEXT NOT NULL,
            subject TEXT NOT NULL,
            unit TEXT REFERENCES units(code),
            request_ref TEXT,
            complainant TEXT NOT NULL DEFAULT '',
            contact TEXT NOT NULL DEFAULT '',
            response_due_on TEXT NOT NULL,
            responded_on TEXT,
            response TEXT NOT NULL DEFAULT '',
            closed_on TEXT,
            outcome TEXT NOT NULL DEFAULT ''
        );

-- table documents
CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            type TEXT NOT NULL,
            title TEXT NOT NULL,
            clause TEXT NOT NULL DEFAULT '',
            unit TEXT REFERENCES units(code),
            file_sha256 TEXT REFERENCES evidence_files(sha256),
            issued_on TEXT,
            review_months INTEGER,
            review_due_on TEXT,
            withdrawn_on TEXT
        , number TEXT, revision TEXT NOT NULL DEFAULT '', drafted_on TEXT, approved_by TEXT REFERENCES staff(nip), approved_on TEXT, distribution TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT 'in_force'
            CHECK (status IN ('draft', 'in_force', 'obsolete', 'withdrawn')));

-- table evidence_files
CREATE TABLE evidence_files (
            sha256 TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            original_name TEXT NOT NULL,
            media_type TEXT NOT NULL DEFAULT '',
            stored_at TEXT NOT NULL
        );

-- table finding_actions
CREATE TABLE finding_actions (
            id INTEGER PRIMARY KEY,
            finding_id INTEGER NOT NULL REFERENCES findings(id),
            action TEXT NOT NULL,
            owner_nip TEXT REFERENCES staff(nip),
            planned_on TEXT NOT NULL,
            due_on TEXT NOT NULL,
            verified_by TEXT,
            verified_on TEXT,
            effective INTEGER,
            note TEXT NOT NULL DEFAULT ''
        );

-- table findings
CREATE TABLE findings (
            id INTEGER PRIMARY KEY,
            ref_no TEXT NOT NULL UNIQUE,
            source TEXT NOT NULL DEFAULT 'internal',
            audit_id INTEGER REFERENCES audits(id),
            item_id TEXT,
            clause_ref TEXT NOT NULL,
            grade TEXT NOT NULL CHECK (grade IN ('major', 'minor', 'observation')),
            unit TEXT REFERENCES units(code),
            description TEXT NOT NULL,
            raised_on TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'action_planned', 'closed')),
            root_cause TEXT NOT NULL DEFAULT '',
            correction TEXT NOT NULL DEFAULT '',
            owner_nip TEXT REFERENCES staff(nip),
            due_on TEXT,
            closed_on TEXT,
            evidence_sha256 TEXT REFERENCES evidence_files(sha256)
        , recurrences INTEGER NOT NULL DEFAULT 1 CHECK (recurrences >= 1), seen_in TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(seen_in)));

-- table objective_values
CREATE TABLE objective_values (
            objective_id INTEGER NOT NULL REFERENCES objectives(id),
            period TEXT NOT NULL,
            value REAL NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (objective_id, period)
        );

-- table objectives
CREATE TABLE objectives (
            id INTEGER PRIMARY KEY,
            unit TEXT NOT NULL REFERENCES units(code),
            service_code TEXT REFERENCES services(code),
            title TEXT NOT NULL,
            metric TEXT,
            target TEXT NOT NULL,
            frequency TEXT NOT NULL DEFAULT 'monthly'
                CHECK (frequency IN ('monthly', 'quarterly', 'yearly')),
            year INTEGER NOT NULL
        );

-- table position_competences
CREATE TABLE position_competences (
            position TEXT NOT NULL COLLATE NOCASE,
            competence_code TEXT NOT NULL REFERENCES competences(code),
            PRIMARY KEY (position, competence_code)
        );

-- table provider_evaluations
CREATE TABLE provider_evaluations (
            id INTEGER PRIMARY KEY,
            provider_code TEXT NOT NULL REFERENCES providers(code),
            evaluated_on TEXT NOT NULL,
            quality INTEGER NOT NULL CHECK (quality BETWEEN 1 AND 5),
            delivery INTEGER NOT NULL CHECK (delivery BETWEEN 1 AND 5),
            service INTEGER NOT NULL CHECK (service BETWEEN 1 AND 5),
            score REAL NOT NULL,
            result TEXT NOT NULL CHECK (result IN ('approved', 'conditional', 'stopped')),
            next_due_on TEXT NOT NULL,
            evaluator TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            UNIQUE (provider_code, evaluated_on)
        );

-- table providers
CREATE TABLE providers (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            supplies TEXT NOT NULL DEFAULT '',
            criteria TEXT NOT NULL DEFAULT '',
            unit TEXT REFERENCES units(code),
            status TEXT NOT NULL DEFAULT 'approved'
                CHECK (status IN ('approved', 'conditional', 'stopped')),
            since TEXT,
            contact TEXT NOT NULL DEFAULT ''
        );

-- table request_events
CREATE TABLE request_events (
            id INTEGER PRIMARY KEY,
            request_id INTEGER NOT NULL REFERENCES requests(id),
            status TEXT NOT NULL,
            on_date TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT ''
        );

-- table requests
CREATE TABLE requests (
            id INTEGER PRIMARY KEY,
            ref_no TEXT NOT NULL UNIQUE,
            received_on TEXT NOT NULL,
            service_code TEXT NOT NULL REFERENCES services(code),
            unit TEXT NOT NULL REFERENCES units(code),
            requester TEXT NOT NULL,
            contact TEXT NOT NULL DEFAULT '',
            channel TEXT NOT NULL DEFAULT '',
            staff_nip TEXT REFERENCES staff(nip),
            status TEXT NOT NULL DEFAULT 'received'
                CHECK (status IN ('received', 'in_progress', 'completed', 'rejected')),
            closed_on TEXT,
            due_on TEXT NOT NULL,
            rating INTEGER CHECK (rating BETWEEN 1 AND 4),
            notes TEXT NOT NULL DEFAULT ''
        );

-- table review_actions
CREATE TABLE review_actions (
            id INTEGER PRIMARY KEY,
            review_id INTEGER NOT NULL REFERENCES reviews(id),
            decision TEXT NOT NULL,
            owner_nip TEXT REFERENCES staff(nip),
            due_on TEXT,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
            closed_on TEXT,
            note TEXT NOT NULL DEFAULT ''
        );

-- table reviews
CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            held_on TEXT NOT NULL,
            chair TEXT NOT NULL DEFAULT '',
            attendees TEXT NOT NULL DEFAULT '',
            minutes_sha256 TEXT REFERENCES evidence_files(sha256)
        );

-- table risks
CREATE TABLE risks (
            id INTEGER PRIMARY KEY,
            ref_no TEXT NOT NULL UNIQUE COLLATE NOCASE,
            kind TEXT NOT NULL DEFAULT 'risk' CHECK (kind IN ('risk', 'opportunity')),
            unit TEXT NOT NULL REFERENCES units(code),
            process TEXT NOT NULL DEFAULT '',
            description TEXT NOT NULL,
            cause TEXT NOT NULL DEFAULT '',
            impact TEXT NOT NULL DEFAULT '',
            likelihood INTEGER NOT NULL CHECK (likelihood BETWEEN 1 AND 10),
            severity INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 10),
            level INTEGER NOT NULL CHECK (level = likelihood * severity),
            treatment TEXT NOT NULL DEFAULT '',
            owner_nip TEXT REFERENCES staff(nip),
            identified_on TEXT NOT NULL,
            due_on TEXT,
            reviewed_on TEXT,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
            closed_on TEXT,
            residual_likelihood INTEGER CHECK (residual_likelihood BETWEEN 1 AND 10),
            residual_severity INTEGER CHECK (residual_severity BETWEEN 1 AND 10),
            residual_level INTEGER,
            CHECK ((status = 'closed') = (closed_on IS NOT NULL)),
            CHECK ((residual_likelihood IS NULL) = (residual_severity IS NULL)),
            CHECK (residual_level IS residual_likelihood * residual_severity)
        );

-- table rules
CREATE TABLE rules (
            code TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            unit TEXT REFERENCES units(code),
            clauses TEXT NOT NULL DEFAULT ''
        );

-- table schema_objects
CREATE TABLE schema_objects (
            type TEXT NOT NULL,
            name TEXT NOT NULL,
            tbl_name TEXT NOT NULL,
            sql TEXT NOT NULL,
            PRIMARY KEY (type, name)
        );

-- table services
CREATE TABLE services (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            unit TEXT NOT NULL REFERENCES units(code),
            sla_days INTEGER NOT NULL CHECK (sla_days >= 0),
            fee INTEGER NOT NULL DEFAULT 0 CHECK (fee >= 0),
            requirements TEXT NOT NULL DEFAULT '',
            active INTEGER NOT NULL DEFAULT 1
        );

-- table settings
CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );

-- table staff
CREATE TABLE "staff" (
            nip TEXT PRIMARY KEY CHECK (length(nip) BETWEEN 2 AND 40),
            name TEXT NOT NULL,
            unit TEXT NOT NULL REFERENCES units(code),
            position TEXT NOT NULL DEFAULT '',
            active INTEGER NOT NULL DEFAULT 1,
            employment TEXT NOT NULL DEFAULT 'pns'
                CHECK (employment IN ('pns', 'pppk', 'non-asn')),
            -- A NIP or NI PPPK is 18 digits; an office code has letters.
            CHECK ((employment = 'non-asn') = (nip GLOB '*[^0-9]*')),
            CHECK (employment = 'non-asn' OR length(nip) = 18)
        );

-- table survey_actions
CREATE TABLE survey_actions (
            id INTEGER PRIMARY KEY,
            element TEXT NOT NULL
                CHECK (element IN ('U1', 'U2', 'U3', 'U4', 'U5', 'U6', 'U7', 'U8', 'U9')),
            action TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 2000),
            owner_nip TEXT NOT NULL REFERENCES staff(nip),
            unit TEXT REFERENCES units(code),
            service_code TEXT REFERENCES services(code),
            raised_on TEXT NOT NULL,
            due_on TEXT NOT NULL,
            closed_on TEXT,
            note TEXT NOT NULL DEFAULT '',
            CHECK (due_on >= raised_on),
            CHECK (closed_on IS NULL OR closed_on >= raised_on)
        );

-- table surveys
CREATE TABLE surveys (
            id INTEGER PRIMARY KEY,
            response_key TEXT NOT NULL UNIQUE,
            responded_on TEXT NOT NULL,
            service_code TEXT NOT NULL REFERENCES services(code),
            unit TEXT NOT NULL REFERENCES units(code),
            u1 INTEGER NOT NULL CHECK (u1 BETWEEN 1 AND 4),
            u2 INTEGER NOT NULL CHECK (u2 BETWEEN 1 AND 4),
            u3 INTEGER NOT NULL CHECK (u3 BETWEEN 1 AND 4),
            u4 INTEGER NOT NULL CHECK (u4 BETWEEN 1 AND 4),
            u5 INTEGER NOT NULL CHECK (u5 BETWEEN 1 AND 4),
            u6 INTEGER NOT NULL CHECK (u6 BETWEEN 1 AND 4),
            u7 INTEGER NOT NULL CHECK (u7 BETWEEN 1 AND 4),
            u8 INTEGER NOT NULL CHECK (u8 BETWEEN 1 AND 4),
            u9 INTEGER NOT NULL CHECK (u9 BETWEEN 1 AND 4),
            note TEXT NOT NULL DEFAULT ''
        , sex TEXT NOT NULL DEFAULT '', age_band TEXT NOT NULL DEFAULT '', education TEXT NOT NULL DEFAULT '', occupation TEXT NOT NULL DEFAULT '', age INTEGER CHECK (age IS NULL OR age BETWEEN 10 AND 100));

-- table table_digests
CREATE TABLE table_digests (
            tbl TEXT PRIMARY KEY,
            rows INTEGER NOT NULL,
            digest TEXT NOT NULL
        );

-- table trainings
CREATE TABLE trainings (
            id INTEGER PRIMARY KEY,
            staff_nip TEXT NOT NULL REFERENCES staff(nip),
            competence_code TEXT REFERENCES competences(code),
            title TEXT NOT NULL,
            held_on TEXT NOT NULL,
            hours REAL CHECK (hours IS NULL OR (hours > 0 AND hours <= 2000)),
            organiser TEXT NOT NULL DEFAULT '',
            certificate_sha256 TEXT REFERENCES evidence_files(sha256),
            effectiveness TEXT CHECK (effectiveness IN ('effective', 'not_effective')),
            evaluated_on TEXT,
            note TEXT NOT NULL DEFAULT '',
            CHECK ((effectiveness IS NULL) = (evaluated_on IS NULL)),
            UNIQUE (staff_nip, title, held_on)
        );

-- table units
CREATE TABLE units (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL
        );

-- index idx__sqlite_migrations_migration_set_name on _sqlite_migrations
CREATE UNIQUE INDEX "idx__sqlite_migrations_migration_set_name"
    ON "_sqlite_migrations" ("migration_set", "name");

-- index idx_adherence_date on adherence
CREATE INDEX idx_adherence_date ON adherence(observed_on, unit, result);

-- index idx_adherence_import on adherence
CREATE UNIQUE INDEX idx_adherence_import
            ON adherence(staff_nip, rule_code, observed_on, import_key);

-- index idx_audit_plan_month on audit_plan
CREATE INDEX idx_audit_plan_month ON audit_plan(month_start);

-- index idx_audit_results_clause on audit_results
CREATE INDEX idx_audit_results_clause ON audit_results(clause_ref, grade);

-- index idx_audits_open_unique on audits
CREATE UNIQUE INDEX idx_audits_open_unique
            ON audits(period_start, period_end, scope, checklist_id) WHERE status = 'open';

-- index idx_change_log_row on change_log
CREATE INDEX idx_change_log_row ON change_log(tbl, row_key);

-- index idx_complaints_received on complaints
CREATE INDEX idx_complaints_received ON complaints(received_on, unit);

-- index idx_documents_in_force on documents
CREATE UNIQUE INDEX idx_documents_in_force
            ON documents(number COLLATE NOCASE) WHERE number IS NOT NULL
            AND status = 'in_force';

-- index idx_documents_number on documents
CREATE UNIQUE INDEX idx_documents_number
            ON documents(number COLLATE NOCASE, revision) WHERE number IS NOT NULL;

-- index idx_finding_actions_finding on finding_actions
CREATE INDEX idx_finding_actions_finding ON finding_actions(finding_id);

-- index idx_findings_audit on findings
CREATE INDEX idx_findings_audit ON findings(audit_id, item_id);

-- index idx_findings_item on findings
CREATE INDEX idx_findings_item ON findings(item_id, status);

-- index idx_findings_status on findings
CREATE INDEX idx_findings_status ON findings(status, due_on);

-- index idx_provider_evaluations_due on provider_evaluations
CREATE INDEX idx_provider_evaluations_due
            ON provider_evaluations(provider_code, evaluated_on, next_due_on);

-- index idx_request_events_request on request_events
CREATE INDEX idx_request_events_request ON request_events(request_id);

-- index idx_requests_closed on requests
CREATE INDEX idx_requests_closed
            ON requests(closed_on, received_on, due_on, status, unit, service_code);

-- index idx_requests_open on requests
CREATE INDEX idx_requests_open ON requests(status, due_on) WHERE closed_on IS NULL;

-- index idx_requests_received on requests
CREATE INDEX idx_requests_received ON requests(received_on, unit, service_code);

-- index idx_requests_ref_nocase on requests
CREATE INDEX idx_requests_ref_nocase ON requests(ref_no COLLATE NOCASE);

-- index idx_risks_due on risks
CREATE INDEX idx_risks_due ON risks(closed_on, due_on, unit);

-- index idx_survey_actions_due on survey_actions
CREATE INDEX idx_survey_actions_due ON survey_actions(closed_on, due_on);

-- index idx_surveys_date on surveys
CREATE INDEX idx_surveys_date ON surveys(responded_on, unit, service_code);

-- index idx_trainings_competence on trainings
CREATE INDEX idx_trainings_competence ON trainings(competence_code, staff_nip);

-- index sqlite_autoindex_audit_plan_1 on audit_plan
-- (made by SQLite for a constraint)

-- index sqlite_autoindex_audit_results_1 on audit_results
-- (made by SQLite for a constraint)

-- index sqlite_autoindex_competences_1 on competences
-- (made by SQLite for a constraint)

-- index sqlite_autoindex_complaints_1 on complaints
-- (made by SQLite for a constraint)

-- index sqlite_autoindex_evidence_files_1 on evidence_files
-- (made by SQLite for a constraint)

-- index sqlite_autoindex_findings_1 on findings
-- (made by SQLite for a constraint)

-- index sqlite_autoindex_objective_values_1 on objective_values
-- (made by SQLite for a constraint)

-- index sqlite_autoindex_position_competences_1 on position_competences
-- (made by SQLite for a constraint)

-- index sqlite_autoindex_provider_evaluations_1 on provider_evaluations
-- (made by SQLite for a constraint)

-- index sqlite_autoindex_providers_1 on providers
-- (made by SQLite for a constraint)

-- index sqlite_autoindex_requests_1 on requests
-- (made by SQLite for a constraint)

-- index sqlite_autoindex_risks_1 on risks
-- (made by SQLite for a constraint)

-- index sqlite_autoindex_rules_1 on rules
-- (made by SQLite for a constraint)

-- index sqlite_autoindex_schema_objects_1 on schema_objects
-- (made by SQLite for a constraint)

-- index sqlite_autoindex_services_1 on services
-- (made by SQLite for a constraint)

-- index sqlite_autoindex_settings_1 on settings
-- (made by SQLite for a constraint)

-- index sqlite_autoindex_staff_1 on staff
-- (made by SQLite for a constraint)

-- index sqlite_autoindex_surveys_1 on surveys
-- (made by SQLite for a constraint)

-- index sqlite_autoindex_table_digests_1 on table_digests
-- (made by SQLite for a constraint)

-- index sqlite_autoindex_trainings_1 on trainings
-- (made by SQLite for a constraint)

-- index sqlite_autoindex_units_1 on units
-- (made by SQLite for a constraint)

-- trigger audit_results_final_no_delete on audit_results
CREATE TRIGGER audit_results_final_no_delete BEFORE DELETE ON audit_results
        WHEN (SELECT status FROM audits WHERE id = OLD.audit_id) = 'final'
        BEGIN SELECT RAISE(ABORT, 'audit is final and can no longer change'); END;

-- trigger audit_results_final_no_insert on audit_results
CREATE TRIGGER audit_results_final_no_insert BEFORE INSERT ON audit_results
        WHEN (SELECT status FROM audits WHERE id = NEW.audit_id) = 'final'
        BEGIN SELECT RAISE(ABORT, 'audit is final and can no longer change'); END;

-- trigger audit_results_final_no_update on audit_results
CREATE TRIGGER audit_results_final_no_update BEFORE UPDATE ON audit_results
        WHEN (SELECT status FROM audits WHERE id = OLD.audit_id) = 'final'
        BEGIN SELECT RAISE(ABORT, 'audit is final and can no longer change'); END;

-- trigger audits_final_no_delete on audits
CREATE TRIGGER audits_final_no_delete BEFORE DELETE ON audits
        WHEN OLD.status = 'final' BEGIN SELECT RAISE(ABORT, 'audit is final and can no longer change'); END;

-- trigger audits_final_no_update on audits
CREATE TRIGGER audits_final_no_update BEFORE UPDATE ON audits
        WHEN OLD.status = 'final' BEGIN SELECT RAISE(ABORT, 'audit is final and can no longer change'); END;

-- trigger log_adherence_delete on adherence
CREATE TRIGGER [log_adherence_delete] AFTER DELETE ON [adherence] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('adherence', CAST(OLD.[id] AS TEXT), 'delete', json_object('id', OLD.[id], 'staff_nip', OLD.[staff_nip], 'rule_code', OLD.[rule_code], 'observed_on', OLD.[observed_on], 'unit', OLD.[unit], 'result', OLD.[result], 'observer', OLD.[observer], 'note', OLD.[note], 'evidence_sha256', OLD.[evidence_sha256], 'observed_at', OLD.[observed_at], 'object_ref', OLD.[object_ref], 'import_key', OLD.[import_key]), NULL);
        END;

-- trigger log_adherence_insert on adherence
CREATE TRIGGER [log_adherence_insert] AFTER INSERT ON [adherence] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('adherence', CAST(NEW.[id] AS TEXT), 'insert', NULL, json_object('id', NEW.[id], 'staff_nip', NEW.[staff_nip], 'rule_code', NEW.[rule_code], 'observed_on', NEW.[observed_on], 'unit', NEW.[unit], 'result', NEW.[result], 'observer', NEW.[observer], 'note', NEW.[note], 'evidence_sha256', NEW.[evidence_sha256], 'observed_at', NEW.[observed_at], 'object_ref', NEW.[object_ref], 'import_key', NEW.[import_key]));
        END;

-- trigger log_adherence_update on adherence
CREATE TRIGGER [log_adherence_update] AFTER UPDATE ON [adherence] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('adherence', CAST(NEW.[id] AS TEXT), 'update', json_object('id', OLD.[id], 'staff_nip', OLD.[staff_nip], 'rule_code', OLD.[rule_code], 'observed_on', OLD.[observed_on], 'unit', OLD.[unit], 'result', OLD.[result], 'observer', OLD.[observer], 'note', OLD.[note], 'evidence_sha256', OLD.[evidence_sha256], 'observed_at', OLD.[observed_at], 'object_ref', OLD.[object_ref], 'import_key', OLD.[import_key]), json_object('id', NEW.[id], 'staff_nip', NEW.[staff_nip], 'rule_code', NEW.[rule_code], 'observed_on', NEW.[observed_on], 'unit', NEW.[unit], 'result', NEW.[result], 'observer', NEW.[observer], 'note', NEW.[note], 'evidence_sha256', NEW.[evidence_sha256], 'observed_at', NEW.[observed_at], 'object_ref', NEW.[object_ref], 'import_key', NEW.[import_key]));
        END;

-- trigger log_audit_plan_delete on audit_plan
CREATE TRIGGER [log_audit_plan_delete] AFTER DELETE ON [audit_plan] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('audit_plan', CAST(OLD.[id] AS TEXT), 'delete', json_object('id', OLD.[id], 'checklist_id', OLD.[checklist_id], 'month_start', OLD.[month_start], 'unit', OLD.[unit], 'clauses', OLD.[clauses], 'lead_auditor_nip', OLD.[lead_auditor_nip], 'own_unit_allowed', OLD.[own_unit_allowed]), NULL);
        END;

-- trigger log_audit_plan_insert on audit_plan
CREATE TRIGGER [log_audit_plan_insert] AFTER INSERT ON [audit_plan] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('audit_plan', CAST(NEW.[id] AS TEXT), 'insert', NULL, json_object('id', NEW.[id], 'checklist_id', NEW.[checklist_id], 'month_start', NEW.[month_start], 'unit', NEW.[unit], 'clauses', NEW.[clauses], 'lead_auditor_nip', NEW.[lead_auditor_nip], 'own_unit_allowed', NEW.[own_unit_allowed]));
        END;

-- trigger log_audit_plan_update on audit_plan
CREATE TRIGGER [log_audit_plan_update] AFTER UPDATE ON [audit_plan] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('audit_plan', CAST(NEW.[id] AS TEXT), 'update', json_object('id', OLD.[id], 'checklist_id', OLD.[checklist_id], 'month_start', OLD.[month_start], 'unit', OLD.[unit], 'clauses', OLD.[clauses], 'lead_auditor_nip', OLD.[lead_auditor_nip], 'own_unit_allowed', OLD.[own_unit_allowed]), json_object('id', NEW.[id], 'checklist_id', NEW.[checklist_id], 'month_start', NEW.[month_start], 'unit', NEW.[unit], 'clauses', NEW.[clauses], 'lead_auditor_nip', NEW.[lead_auditor_nip], 'own_unit_allowed', NEW.[own_unit_allowed]));
        END;

-- trigger log_audit_results_delete on audit_results
CREATE TRIGGER [log_audit_results_delete] AFTER DELETE ON [audit_results] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('audit_results', json_array(OLD.[audit_id], OLD.[item_id]), 'delete', json_object('audit_id', OLD.[audit_id], 'item_id', OLD.[item_id], 'clause_ref', OLD.[clause_ref], 'grade', OLD.[grade], 'metric', OLD.[metric], 'measured', OLD.[measured], 'target', OLD.[target], 'evidence', OLD.[evidence], 'note', OLD.[note], 'answered_by', OLD.[answered_by], 'answered_on', OLD.[answered_on]), NULL);
        END;

-- trigger log_audit_results_insert on audit_results
CREATE TRIGGER [log_audit_results_insert] AFTER INSERT ON [audit_results] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('audit_results', json_array(NEW.[audit_id], NEW.[item_id]), 'insert', NULL, json_object('audit_id', NEW.[audit_id], 'item_id', NEW.[item_id], 'clause_ref', NEW.[clause_ref], 'grade', NEW.[grade], 'metric', NEW.[metric], 'measured', NEW.[measured], 'target', NEW.[target], 'evidence', NEW.[evidence], 'note', NEW.[note], 'answered_by', NEW.[answered_by], 'answered_on', NEW.[answered_on]));
        END;

-- trigger log_audit_results_update on audit_results
CREATE TRIGGER [log_audit_results_update] AFTER UPDATE ON [audit_results] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('audit_results', json_array(NEW.[audit_id], NEW.[item_id]), 'update', json_object('audit_id', OLD.[audit_id], 'item_id', OLD.[item_id], 'clause_ref', OLD.[clause_ref], 'grade', OLD.[grade], 'metric', OLD.[metric], 'measured', OLD.[measured], 'target', OLD.[target], 'evidence', OLD.[evidence], 'note', OLD.[note], 'answered_by', OLD.[answered_by], 'answered_on', OLD.[answered_on]), json_object('audit_id', NEW.[audit_id], 'item_id', NEW.[item_id], 'clause_ref', NEW.[clause_ref], 'grade', NEW.[grade], 'metric', NEW.[metric], 'measured', NEW.[measured], 'target', NEW.[target], 'evidence', NEW.[evidence], 'note', NEW.[note], 'answered_by', NEW.[answered_by], 'answered_on', NEW.[answered_on]));
        END;

-- trigger log_audits_delete on audits
CREATE TRIGGER [log_audits_delete] AFTER DELETE ON [audits] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('audits', CAST(OLD.[id] AS TEXT), 'delete', json_object('id', OLD.[id], 'period_start', OLD.[period_start], 'period_end', OLD.[period_end], 'scope', OLD.[scope], 'checklist_id', OLD.[checklist_id], 'checklist_version', OLD.[checklist_version], 'checklist_sha256', OLD.[checklist_sha256], 'checklist_yaml', OLD.[checklist_yaml], 'lead_auditor', OLD.[lead_auditor], 'status', OLD.[status], 'started_on', OLD.[started_on], 'finalized_on', OLD.[finalized_on], 'opening_meeting_on', OLD.[opening_meeting_on], 'closing_meeting_on', OLD.[closing_meeting_on]), NULL);
        END;

-- trigger log_audits_insert on audits
CREATE TRIGGER [log_audits_insert] AFTER INSERT ON [audits] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('audits', CAST(NEW.[id] AS TEXT), 'insert', NULL, json_object('id', NEW.[id], 'period_start', NEW.[period_start], 'period_end', NEW.[period_end], 'scope', NEW.[scope], 'checklist_id', NEW.[checklist_id], 'checklist_version', NEW.[checklist_version], 'checklist_sha256', NEW.[checklist_sha256], 'checklist_yaml', NEW.[checklist_yaml], 'lead_auditor', NEW.[lead_auditor], 'status', NEW.[status], 'started_on', NEW.[started_on], 'finalized_on', NEW.[finalized_on], 'opening_meeting_on', NEW.[opening_meeting_on], 'closing_meeting_on', NEW.[closing_meeting_on]));
        END;

-- trigger log_audits_update on audits
CREATE TRIGGER [log_audits_update] AFTER UPDATE ON [audits] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('audits', CAST(NEW.[id] AS TEXT), 'update', json_object('id', OLD.[id], 'period_start', OLD.[period_start], 'period_end', OLD.[period_end], 'scope', OLD.[scope], 'checklist_id', OLD.[checklist_id], 'checklist_version', OLD.[checklist_version], 'checklist_sha256', OLD.[checklist_sha256], 'checklist_yaml', OLD.[checklist_yaml], 'lead_auditor', OLD.[lead_auditor], 'status', OLD.[status], 'started_on', OLD.[started_on], 'finalized_on', OLD.[finalized_on], 'opening_meeting_on', OLD.[opening_meeting_on], 'closing_meeting_on', OLD.[closing_meeting_on]), json_object('id', NEW.[id], 'period_start', NEW.[period_start], 'period_end', NEW.[period_end], 'scope', NEW.[scope], 'checklist_id', NEW.[checklist_id], 'checklist_version', NEW.[checklist_version], 'checklist_sha256', NEW.[checklist_sha256], 'checklist_yaml', NEW.[checklist_yaml], 'lead_auditor', NEW.[lead_auditor], 'status', NEW.[status], 'started_on', NEW.[started_on], 'finalized_on', NEW.[finalized_on], 'opening_meeting_on', NEW.[opening_meeting_on], 'closing_meeting_on', NEW.[closing_meeting_on]));
        END;

-- trigger log_competences_delete on competences
CREATE TRIGGER [log_competences_delete] AFTER DELETE ON [competences] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('competences', CAST(OLD.[code] AS TEXT), 'delete', json_object('code', OLD.[code], 'title', OLD.[title], 'description', OLD.[description]), NULL);
        END;

-- trigger log_competences_insert on competences
CREATE TRIGGER [log_competences_insert] AFTER INSERT ON [competences] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('competences', CAST(NEW.[code] AS TEXT), 'insert', NULL, json_object('code', NEW.[code], 'title', NEW.[title], 'description', NEW.[description]));
        END;

-- trigger log_competences_update on competences
CREATE TRIGGER [log_competences_update] AFTER UPDATE ON [competences] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('competences', CAST(NEW.[code] AS TEXT), 'update', json_object('code', OLD.[code], 'title', OLD.[title], 'description', OLD.[description]), json_object('code', NEW.[code], 'title', NEW.[title], 'description', NEW.[description]));
        END;

-- trigger log_complaints_delete on complaints
CREATE TRIGGER [log_complaints_delete] AFTER DELETE ON [complaints] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('complaints', CAST(OLD.[id] AS TEXT), 'delete', json_object('id', OLD.[id], 'ref_no', OLD.[ref_no], 'received_on', OLD.[received_on], 'channel', OLD.[channel], 'subject', OLD.[subject], 'unit', OLD.[unit], 'request_ref', OLD.[request_ref], 'complainant', OLD.[complainant], 'contact', OLD.[contact], 'response_due_on', OLD.[response_due_on], 'responded_on', OLD.[responded_on], 'response', OLD.[response], 'closed_on', OLD.[closed_on], 'outcome', OLD.[outcome]), NULL);
        END;

-- trigger log_complaints_insert on complaints
CREATE TRIGGER [log_complaints_insert] AFTER INSERT ON [complaints] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('complaints', CAST(NEW.[id] AS TEXT), 'insert', NULL, json_object('id', NEW.[id], 'ref_no', NEW.[ref_no], 'received_on', NEW.[received_on], 'channel', NEW.[channel], 'subject', NEW.[subject], 'unit', NEW.[unit], 'request_ref', NEW.[request_ref], 'complainant', NEW.[complainant], 'contact', NEW.[contact], 'response_due_on', NEW.[response_due_on], 'responded_on', NEW.[responded_on], 'response', NEW.[response], 'closed_on', NEW.[closed_on], 'outcome', NEW.[outcome]));
        END;

-- trigger log_complaints_update on complaints
CREATE TRIGGER [log_complaints_update] AFTER UPDATE ON [complaints] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('complaints', CAST(NEW.[id] AS TEXT), 'update', json_object('id', OLD.[id], 'ref_no', OLD.[ref_no], 'received_on', OLD.[received_on], 'channel', OLD.[channel], 'subject', OLD.[subject], 'unit', OLD.[unit], 'request_ref', OLD.[request_ref], 'complainant', OLD.[complainant], 'contact', OLD.[contact], 'response_due_on', OLD.[response_due_on], 'responded_on', OLD.[responded_on], 'response', OLD.[response], 'closed_on', OLD.[closed_on], 'outcome', OLD.[outcome]), json_object('id', NEW.[id], 'ref_no', NEW.[ref_no], 'received_on', NEW.[received_on], 'channel', NEW.[channel], 'subject', NEW.[subject], 'unit', NEW.[unit], 'request_ref', NEW.[request_ref], 'complainant', NEW.[complainant], 'contact', NEW.[contact], 'response_due_on', NEW.[response_due_on], 'responded_on', NEW.[responded_on], 'response', NEW.[response], 'closed_on', NEW.[closed_on], 'outcome', NEW.[outcome]));
        END;

-- trigger log_documents_delete on documents
CREATE TRIGGER [log_documents_delete] AFTER DELETE ON [documents] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('documents', CAST(OLD.[id] AS TEXT), 'delete', json_object('id', OLD.[id], 'type', OLD.[type], 'title', OLD.[title], 'clause', OLD.[clause], 'unit', OLD.[unit], 'file_sha256', OLD.[file_sha256], 'issued_on', OLD.[issued_on], 'review_months', OLD.[review_months], 'review_due_on', OLD.[review_due_on], 'withdrawn_on', OLD.[withdrawn_on], 'number', OLD.[number], 'revision', OLD.[revision], 'drafted_on', OLD.[drafted_on], 'approved_by', OLD.[approved_by], 'approved_on', OLD.[approved_on], 'distribution', OLD.[distribution], 'status', OLD.[status]), NULL);
        END;

-- trigger log_documents_insert on documents
CREATE TRIGGER [log_documents_insert] AFTER INSERT ON [documents] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('documents', CAST(NEW.[id] AS TEXT), 'insert', NULL, json_object('id', NEW.[id], 'type', NEW.[type], 'title', NEW.[title], 'clause', NEW.[clause], 'unit', NEW.[unit], 'file_sha256', NEW.[file_sha256], 'issued_on', NEW.[issued_on], 'review_months', NEW.[review_months], 'review_due_on', NEW.[review_due_on], 'withdrawn_on', NEW.[withdrawn_on], 'number', NEW.[number], 'revision', NEW.[revision], 'drafted_on', NEW.[drafted_on], 'approved_by', NEW.[approved_by], 'approved_on', NEW.[approved_on], 'distribution', NEW.[distribution], 'status', NEW.[status]));
        END;

-- trigger log_documents_update on documents
CREATE TRIGGER [log_documents_update] AFTER UPDATE ON [documents] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('documents', CAST(NEW.[id] AS TEXT), 'update', json_object('id', OLD.[id], 'type', OLD.[type], 'title', OLD.[title], 'clause', OLD.[clause], 'unit', OLD.[unit], 'file_sha256', OLD.[file_sha256], 'issued_on', OLD.[issued_on], 'review_months', OLD.[review_months], 'review_due_on', OLD.[review_due_on], 'withdrawn_on', OLD.[withdrawn_on], 'number', OLD.[number], 'revision', OLD.[revision], 'drafted_on', OLD.[drafted_on], 'approved_by', OLD.[approved_by], 'approved_on', OLD.[approved_on], 'distribution', OLD.[distribution], 'status', OLD.[status]), json_object('id', NEW.[id], 'type', NEW.[type], 'title', NEW.[title], 'clause', NEW.[clause], 'unit', NEW.[unit], 'file_sha256', NEW.[file_sha256], 'issued_on', NEW.[issued_on], 'review_months', NEW.[review_months], 'review_due_on', NEW.[review_due_on], 'withdrawn_on', NEW.[withdrawn_on], 'number', NEW.[number], 'revision', NEW.[revision], 'drafted_on', NEW.[drafted_on], 'approved_by', NEW.[approved_by], 'approved_on', NEW.[approved_on], 'distribution', NEW.[distribution], 'status', NEW.[status]));
        END;

-- trigger log_evidence_files_delete on evidence_files
CREATE TRIGGER [log_evidence_files_delete] AFTER DELETE ON [evidence_files] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('evidence_files', CAST(OLD.[sha256] AS TEXT), 'delete', json_object('sha256', OLD.[sha256], 'size', OLD.[size], 'original_name', OLD.[original_name], 'media_type', OLD.[media_type], 'stored_at', OLD.[stored_at]), NULL);
        END;

-- trigger log_evidence_files_insert on evidence_files
CREATE TRIGGER [log_evidence_files_insert] AFTER INSERT ON [evidence_files] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('evidence_files', CAST(NEW.[sha256] AS TEXT), 'insert', NULL, json_object('sha256', NEW.[sha256], 'size', NEW.[size], 'original_name', NEW.[original_name], 'media_type', NEW.[media_type], 'stored_at', NEW.[stored_at]));
        END;

-- trigger log_evidence_files_update on evidence_files
CREATE TRIGGER [log_evidence_files_update] AFTER UPDATE ON [evidence_files] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('evidence_files', CAST(NEW.[sha256] AS TEXT), 'update', json_object('sha256', OLD.[sha256], 'size', OLD.[size], 'original_name', OLD.[original_name], 'media_type', OLD.[media_type], 'stored_at', OLD.[stored_at]), json_object('sha256', NEW.[sha256], 'size', NEW.[size], 'original_name', NEW.[original_name], 'media_type', NEW.[media_type], 'stored_at', NEW.[stored_at]));
        END;

-- trigger log_finding_actions_delete on finding_actions
CREATE TRIGGER [log_finding_actions_delete] AFTER DELETE ON [finding_actions] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('finding_actions', CAST(OLD.[id] AS TEXT), 'delete', json_object('id', OLD.[id], 'finding_id', OLD.[finding_id], 'action', OLD.[action], 'owner_nip', OLD.[owner_nip], 'planned_on', OLD.[planned_on], 'due_on', OLD.[due_on], 'verified_by', OLD.[verified_by], 'verified_on', OLD.[verified_on], 'effective', OLD.[effective], 'note', OLD.[note]), NULL);
        END;

-- trigger log_finding_actions_insert on finding_actions
CREATE TRIGGER [log_finding_actions_insert] AFTER INSERT ON [finding_actions] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('finding_actions', CAST(NEW.[id] AS TEXT), 'insert', NULL, json_object('id', NEW.[id], 'finding_id', NEW.[finding_id], 'action', NEW.[action], 'owner_nip', NEW.[owner_nip], 'planned_on', NEW.[planned_on], 'due_on', NEW.[due_on], 'verified_by', NEW.[verified_by], 'verified_on', NEW.[verified_on], 'effective', NEW.[effective], 'note', NEW.[note]));
        END;

-- trigger log_finding_actions_update on finding_actions
CREATE TRIGGER [log_finding_actions_update] AFTER UPDATE ON [finding_actions] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('finding_actions', CAST(NEW.[id] AS TEXT), 'update', json_object('id', OLD.[id], 'finding_id', OLD.[finding_id], 'action', OLD.[action], 'owner_nip', OLD.[owner_nip], 'planned_on', OLD.[planned_on], 'due_on', OLD.[due_on], 'verified_by', OLD.[verified_by], 'verified_on', OLD.[verified_on], 'effective', OLD.[effective], 'note', OLD.[note]), json_object('id', NEW.[id], 'finding_id', NEW.[finding_id], 'action', NEW.[action], 'owner_nip', NEW.[owner_nip], 'planned_on', NEW.[planned_on], 'due_on', NEW.[due_on], 'verified_by', NEW.[verified_by], 'verified_on', NEW.[verified_on], 'effective', NEW.[effective], 'note', NEW.[note]));
        END;

-- trigger log_findings_delete on findings
CREATE TRIGGER [log_findings_delete] AFTER DELETE ON [findings] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('findings', CAST(OLD.[id] AS TEXT), 'delete', json_object('id', OLD.[id], 'ref_no', OLD.[ref_no], 'source', OLD.[source], 'audit_id', OLD.[audit_id], 'item_id', OLD.[item_id], 'clause_ref', OLD.[clause_ref], 'grade', OLD.[grade], 'unit', OLD.[unit], 'description', OLD.[description], 'raised_on', OLD.[raised_on], 'status', OLD.[status], 'root_cause', OLD.[root_cause], 'correction', OLD.[correction], 'owner_nip', OLD.[owner_nip], 'due_on', OLD.[due_on], 'closed_on', OLD.[closed_on], 'evidence_sha256', OLD.[evidence_sha256], 'recurrences', OLD.[recurrences], 'seen_in', OLD.[seen_in]), NULL);
        END;

-- trigger log_findings_insert on findings
CREATE TRIGGER [log_findings_insert] AFTER INSERT ON [findings] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('findings', CAST(NEW.[id] AS TEXT), 'insert', NULL, json_object('id', NEW.[id], 'ref_no', NEW.[ref_no], 'source', NEW.[source], 'audit_id', NEW.[audit_id], 'item_id', NEW.[item_id], 'clause_ref', NEW.[clause_ref], 'grade', NEW.[grade], 'unit', NEW.[unit], 'description', NEW.[description], 'raised_on', NEW.[raised_on], 'status', NEW.[status], 'root_cause', NEW.[root_cause], 'correction', NEW.[correction], 'owner_nip', NEW.[owner_nip], 'due_on', NEW.[due_on], 'closed_on', NEW.[closed_on], 'evidence_sha256', NEW.[evidence_sha256], 'recurrences', NEW.[recurrences], 'seen_in', NEW.[seen_in]));
        END;

-- trigger log_findings_update on findings
CREATE TRIGGER [log_findings_update] AFTER UPDATE ON [findings] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('findings', CAST(NEW.[id] AS TEXT), 'update', json_object('id', OLD.[id], 'ref_no', OLD.[ref_no], 'source', OLD.[source], 'audit_id', OLD.[audit_id], 'item_id', OLD.[item_id], 'clause_ref', OLD.[clause_ref], 'grade', OLD.[grade], 'unit', OLD.[unit], 'description', OLD.[description], 'raised_on', OLD.[raised_on], 'status', OLD.[status], 'root_cause', OLD.[root_cause], 'correction', OLD.[correction], 'owner_nip', OLD.[owner_nip], 'due_on', OLD.[due_on], 'closed_on', OLD.[closed_on], 'evidence_sha256', OLD.[evidence_sha256], 'recurrences', OLD.[recurrences], 'seen_in', OLD.[seen_in]), json_object('id', NEW.[id], 'ref_no', NEW.[ref_no], 'source', NEW.[source], 'audit_id', NEW.[audit_id], 'item_id', NEW.[item_id], 'clause_ref', NEW.[clause_ref], 'grade', NEW.[grade], 'unit', NEW.[unit], 'description', NEW.[description], 'raised_on', NEW.[raised_on], 'status', NEW.[status], 'root_cause', NEW.[root_cause], 'correction', NEW.[correction], 'owner_nip', NEW.[owner_nip], 'due_on', NEW.[due_on], 'closed_on', NEW.[closed_on], 'evidence_sha256', NEW.[evidence_sha256], 'recurrences', NEW.[recurrences], 'seen_in', NEW.[seen_in]));
        END;

-- trigger log_objective_values_delete on objective_values
CREATE TRIGGER [log_objective_values_delete] AFTER DELETE ON [objective_values] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('objective_values', json_array(OLD.[objective_id], OLD.[period]), 'delete', json_object('objective_id', OLD.[objective_id], 'period', OLD.[period], 'value', OLD.[value], 'note', OLD.[note]), NULL);
        END;

-- trigger log_objective_values_insert on objective_values
CREATE TRIGGER [log_objective_values_insert] AFTER INSERT ON [objective_values] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('objective_values', json_array(NEW.[objective_id], NEW.[period]), 'insert', NULL, json_object('objective_id', NEW.[objective_id], 'period', NEW.[period], 'value', NEW.[value], 'note', NEW.[note]));
        END;

-- trigger log_objective_values_update on objective_values
CREATE TRIGGER [log_objective_values_update] AFTER UPDATE ON [objective_values] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('objective_values', json_array(NEW.[objective_id], NEW.[period]), 'update', json_object('objective_id', OLD.[objective_id], 'period', OLD.[period], 'value', OLD.[value], 'note', OLD.[note]), json_object('objective_id', NEW.[objective_id], 'period', NEW.[period], 'value', NEW.[value], 'note', NEW.[note]));
        END;

-- trigger log_objectives_delete on objectives
CREATE TRIGGER [log_objectives_delete] AFTER DELETE ON [objectives] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('objectives', CAST(OLD.[id] AS TEXT), 'delete', json_object('id', OLD.[id], 'unit', OLD.[unit], 'service_code', OLD.[service_code], 'title', OLD.[title], 'metric', OLD.[metric], 'target', OLD.[target], 'frequency', OLD.[frequency], 'year', OLD.[year]), NULL);
        END;

-- trigger log_objectives_insert on objectives
CREATE TRIGGER [log_objectives_insert] AFTER INSERT ON [objectives] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('objectives', CAST(NEW.[id] AS TEXT), 'insert', NULL, json_object('id', NEW.[id], 'unit', NEW.[unit], 'service_code', NEW.[service_code], 'title', NEW.[title], 'metric', NEW.[metric], 'target', NEW.[target], 'frequency', NEW.[frequency], 'year', NEW.[year]));
        END;

-- trigger log_objectives_update on objectives
CREATE TRIGGER [log_objectives_update] AFTER UPDATE ON [objectives] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('objectives', CAST(NEW.[id] AS TEXT), 'update', json_object('id', OLD.[id], 'unit', OLD.[unit], 'service_code', OLD.[service_code], 'title', OLD.[title], 'metric', OLD.[metric], 'target', OLD.[target], 'frequency', OLD.[frequency], 'year', OLD.[year]), json_object('id', NEW.[id], 'unit', NEW.[unit], 'service_code', NEW.[service_code], 'title', NEW.[title], 'metric', NEW.[metric], 'target', NEW.[target], 'frequency', NEW.[frequency], 'year', NEW.[year]));
        END;

-- trigger log_position_competences_delete on position_competences
CREATE TRIGGER [log_position_competences_delete] AFTER DELETE ON [position_competences] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('position_competences', json_array(OLD.[position], OLD.[competence_code]), 'delete', json_object('position', OLD.[position], 'competence_code', OLD.[competence_code]), NULL);
        END;

-- trigger log_position_competences_insert on position_competences
CREATE TRIGGER [log_position_competences_insert] AFTER INSERT ON [position_competences] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('position_competences', json_array(NEW.[position], NEW.[competence_code]), 'insert', NULL, json_object('position', NEW.[position], 'competence_code', NEW.[competence_code]));
        END;

-- trigger log_position_competences_update on position_competences
CREATE TRIGGER [log_position_competences_update] AFTER UPDATE ON [position_competences] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('position_competences', json_array(NEW.[position], NEW.[competence_code]), 'update', json_object('position', OLD.[position], 'competence_code', OLD.[competence_code]), json_object('position', NEW.[position], 'competence_code', NEW.[competence_code]));
        END;

-- trigger log_provider_evaluations_delete on provider_evaluations
CREATE TRIGGER [log_provider_evaluations_delete] AFTER DELETE ON [provider_evaluations] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('provider_evaluations', CAST(OLD.[id] AS TEXT), 'delete', json_object('id', OLD.[id], 'provider_code', OLD.[provider_code], 'evaluated_on', OLD.[evaluated_on], 'quality', OLD.[quality], 'delivery', OLD.[delivery], 'service', OLD.[service], 'score', OLD.[score], 'result', OLD.[result], 'next_due_on', OLD.[next_due_on], 'evaluator', OLD.[evaluator], 'note', OLD.[note]), NULL);
        END;

-- trigger log_provider_evaluations_insert on provider_evaluations
CREATE TRIGGER [log_provider_evaluations_insert] AFTER INSERT ON [provider_evaluations] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('provider_evaluations', CAST(NEW.[id] AS TEXT), 'insert', NULL, json_object('id', NEW.[id], 'provider_code', NEW.[provider_code], 'evaluated_on', NEW.[evaluated_on], 'quality', NEW.[quality], 'delivery', NEW.[delivery], 'service', NEW.[service], 'score', NEW.[score], 'result', NEW.[result], 'next_due_on', NEW.[next_due_on], 'evaluator', NEW.[evaluator], 'note', NEW.[note]));
        END;

-- trigger log_provider_evaluations_update on provider_evaluations
CREATE TRIGGER [log_provider_evaluations_update] AFTER UPDATE ON [provider_evaluations] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('provider_evaluations', CAST(NEW.[id] AS TEXT), 'update', json_object('id', OLD.[id], 'provider_code', OLD.[provider_code], 'evaluated_on', OLD.[evaluated_on], 'quality', OLD.[quality], 'delivery', OLD.[delivery], 'service', OLD.[service], 'score', OLD.[score], 'result', OLD.[result], 'next_due_on', OLD.[next_due_on], 'evaluator', OLD.[evaluator], 'note', OLD.[note]), json_object('id', NEW.[id], 'provider_code', NEW.[provider_code], 'evaluated_on', NEW.[evaluated_on], 'quality', NEW.[quality], 'delivery', NEW.[delivery], 'service', NEW.[service], 'score', NEW.[score], 'result', NEW.[result], 'next_due_on', NEW.[next_due_on], 'evaluator', NEW.[evaluator], 'note', NEW.[note]));
        END;

-- trigger log_providers_delete on providers
CREATE TRIGGER [log_providers_delete] AFTER DELETE ON [providers] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('providers', CAST(OLD.[code] AS TEXT), 'delete', json_object('code', OLD.[code], 'name', OLD.[name], 'supplies', OLD.[supplies], 'criteria', OLD.[criteria], 'unit', OLD.[unit], 'status', OLD.[status], 'since', OLD.[since], 'contact', OLD.[contact]), NULL);
        END;

-- trigger log_providers_insert on providers
CREATE TRIGGER [log_providers_insert] AFTER INSERT ON [providers] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('providers', CAST(NEW.[code] AS TEXT), 'insert', NULL, json_object('code', NEW.[code], 'name', NEW.[name], 'supplies', NEW.[supplies], 'criteria', NEW.[criteria], 'unit', NEW.[unit], 'status', NEW.[status], 'since', NEW.[since], 'contact', NEW.[contact]));
        END;

-- trigger log_providers_update on providers
CREATE TRIGGER [log_providers_update] AFTER UPDATE ON [providers] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('providers', CAST(NEW.[code] AS TEXT), 'update', json_object('code', OLD.[code], 'name', OLD.[name], 'supplies', OLD.[supplies], 'criteria', OLD.[criteria], 'unit', OLD.[unit], 'status', OLD.[status], 'since', OLD.[since], 'contact', OLD.[contact]), json_object('code', NEW.[code], 'name', NEW.[name], 'supplies', NEW.[supplies], 'criteria', NEW.[criteria], 'unit', NEW.[unit], 'status', NEW.[status], 'since', NEW.[since], 'contact', NEW.[contact]));
        END;

-- trigger log_request_events_delete on request_events
CREATE TRIGGER [log_request_events_delete] AFTER DELETE ON [request_events] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('request_events', CAST(OLD.[id] AS TEXT), 'delete', json_object('id', OLD.[id], 'request_id', OLD.[request_id], 'status', OLD.[status], 'on_date', OLD.[on_date], 'note', OLD.[note]), NULL);
        END;

-- trigger log_request_events_insert on request_events
CREATE TRIGGER [log_request_events_insert] AFTER INSERT ON [request_events] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('request_events', CAST(NEW.[id] AS TEXT), 'insert', NULL, json_object('id', NEW.[id], 'request_id', NEW.[request_id], 'status', NEW.[status], 'on_date', NEW.[on_date], 'note', NEW.[note]));
        END;

-- trigger log_request_events_update on request_events
CREATE TRIGGER [log_request_events_update] AFTER UPDATE ON [request_events] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('request_events', CAST(NEW.[id] AS TEXT), 'update', json_object('id', OLD.[id], 'request_id', OLD.[request_id], 'status', OLD.[status], 'on_date', OLD.[on_date], 'note', OLD.[note]), json_object('id', NEW.[id], 'request_id', NEW.[request_id], 'status', NEW.[status], 'on_date', NEW.[on_date], 'note', NEW.[note]));
        END;

-- trigger log_requests_delete on requests
CREATE TRIGGER [log_requests_delete] AFTER DELETE ON [requests] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('requests', CAST(OLD.[id] AS TEXT), 'delete', json_object('id', OLD.[id], 'ref_no', OLD.[ref_no], 'received_on', OLD.[received_on], 'service_code', OLD.[service_code], 'unit', OLD.[unit], 'requester', OLD.[requester], 'contact', OLD.[contact], 'channel', OLD.[channel], 'staff_nip', OLD.[staff_nip], 'status', OLD.[status], 'closed_on', OLD.[closed_on], 'due_on', OLD.[due_on], 'rating', OLD.[rating], 'notes', OLD.[notes]), NULL);
        END;

-- trigger log_requests_insert on requests
CREATE TRIGGER [log_requests_insert] AFTER INSERT ON [requests] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('requests', CAST(NEW.[id] AS TEXT), 'insert', NULL, json_object('id', NEW.[id], 'ref_no', NEW.[ref_no], 'received_on', NEW.[received_on], 'service_code', NEW.[service_code], 'unit', NEW.[unit], 'requester', NEW.[requester], 'contact', NEW.[contact], 'channel', NEW.[channel], 'staff_nip', NEW.[staff_nip], 'status', NEW.[status], 'closed_on', NEW.[closed_on], 'due_on', NEW.[due_on], 'rating', NEW.[rating], 'notes', NEW.[notes]));
        END;

-- trigger log_requests_update on requests
CREATE TRIGGER [log_requests_update] AFTER UPDATE ON [requests] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('requests', CAST(NEW.[id] AS TEXT), 'update', json_object('id', OLD.[id], 'ref_no', OLD.[ref_no], 'received_on', OLD.[received_on], 'service_code', OLD.[service_code], 'unit', OLD.[unit], 'requester', OLD.[requester], 'contact', OLD.[contact], 'channel', OLD.[channel], 'staff_nip', OLD.[staff_nip], 'status', OLD.[status], 'closed_on', OLD.[closed_on], 'due_on', OLD.[due_on], 'rating', OLD.[rating], 'notes', OLD.[notes]), json_object('id', NEW.[id], 'ref_no', NEW.[ref_no], 'received_on', NEW.[received_on], 'service_code', NEW.[service_code], 'unit', NEW.[unit], 'requester', NEW.[requester], 'contact', NEW.[contact], 'channel', NEW.[channel], 'staff_nip', NEW.[staff_nip], 'status', NEW.[status], 'closed_on', NEW.[closed_on], 'due_on', NEW.[due_on], 'rating', NEW.[rating], 'notes', NEW.[notes]));
        END;

-- trigger log_review_actions_delete on review_actions
CREATE TRIGGER [log_review_actions_delete] AFTER DELETE ON [review_actions] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('review_actions', CAST(OLD.[id] AS TEXT), 'delete', json_object('id', OLD.[id], 'review_id', OLD.[review_id], 'decision', OLD.[decision], 'owner_nip', OLD.[owner_nip], 'due_on', OLD.[due_on], 'status', OLD.[status], 'closed_on', OLD.[closed_on], 'note', OLD.[note]), NULL);
        END;

-- trigger log_review_actions_insert on review_actions
CREATE TRIGGER [log_review_actions_insert] AFTER INSERT ON [review_actions] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('review_actions', CAST(NEW.[id] AS TEXT), 'insert', NULL, json_object('id', NEW.[id], 'review_id', NEW.[review_id], 'decision', NEW.[decision], 'owner_nip', NEW.[owner_nip], 'due_on', NEW.[due_on], 'status', NEW.[status], 'closed_on', NEW.[closed_on], 'note', NEW.[note]));
        END;

-- trigger log_review_actions_update on review_actions
CREATE TRIGGER [log_review_actions_update] AFTER UPDATE ON [review_actions] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('review_actions', CAST(NEW.[id] AS TEXT), 'update', json_object('id', OLD.[id], 'review_id', OLD.[review_id], 'decision', OLD.[decision], 'owner_nip', OLD.[owner_nip], 'due_on', OLD.[due_on], 'status', OLD.[status], 'closed_on', OLD.[closed_on], 'note', OLD.[note]), json_object('id', NEW.[id], 'review_id', NEW.[review_id], 'decision', NEW.[decision], 'owner_nip', NEW.[owner_nip], 'due_on', NEW.[due_on], 'status', NEW.[status], 'closed_on', NEW.[closed_on], 'note', NEW.[note]));
        END;

-- trigger log_reviews_delete on reviews
CREATE TRIGGER [log_reviews_delete] AFTER DELETE ON [reviews] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('reviews', CAST(OLD.[id] AS TEXT), 'delete', json_object('id', OLD.[id], 'held_on', OLD.[held_on], 'chair', OLD.[chair], 'attendees', OLD.[attendees], 'minutes_sha256', OLD.[minutes_sha256]), NULL);
        END;

-- trigger log_reviews_insert on reviews
CREATE TRIGGER [log_reviews_insert] AFTER INSERT ON [reviews] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('reviews', CAST(NEW.[id] AS TEXT), 'insert', NULL, json_object('id', NEW.[id], 'held_on', NEW.[held_on], 'chair', NEW.[chair], 'attendees', NEW.[attendees], 'minutes_sha256', NEW.[minutes_sha256]));
        END;

-- trigger log_reviews_update on reviews
CREATE TRIGGER [log_reviews_update] AFTER UPDATE ON [reviews] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('reviews', CAST(NEW.[id] AS TEXT), 'update', json_object('id', OLD.[id], 'held_on', OLD.[held_on], 'chair', OLD.[chair], 'attendees', OLD.[attendees], 'minutes_sha256', OLD.[minutes_sha256]), json_object('id', NEW.[id], 'held_on', NEW.[held_on], 'chair', NEW.[chair], 'attendees', NEW.[attendees], 'minutes_sha256', NEW.[minutes_sha256]));
        END;

-- trigger log_risks_delete on risks
CREATE TRIGGER [log_risks_delete] AFTER DELETE ON [risks] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('risks', CAST(OLD.[id] AS TEXT), 'delete', json_object('id', OLD.[id], 'ref_no', OLD.[ref_no], 'kind', OLD.[kind], 'unit', OLD.[unit], 'process', OLD.[process], 'description', OLD.[description], 'cause', OLD.[cause], 'impact', OLD.[impact], 'likelihood', OLD.[likelihood], 'severity', OLD.[severity], 'level', OLD.[level], 'treatment', OLD.[treatment], 'owner_nip', OLD.[owner_nip], 'identified_on', OLD.[identified_on], 'due_on', OLD.[due_on], 'reviewed_on', OLD.[reviewed_on], 'status', OLD.[status], 'closed_on', OLD.[closed_on], 'residual_likelihood', OLD.[residual_likelihood], 'residual_severity', OLD.[residual_severity], 'residual_level', OLD.[residual_level]), NULL);
        END;

-- trigger log_risks_insert on risks
CREATE TRIGGER [log_risks_insert] AFTER INSERT ON [risks] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('risks', CAST(NEW.[id] AS TEXT), 'insert', NULL, json_object('id', NEW.[id], 'ref_no', NEW.[ref_no], 'kind', NEW.[kind], 'unit', NEW.[unit], 'process', NEW.[process], 'description', NEW.[description], 'cause', NEW.[cause], 'impact', NEW.[impact], 'likelihood', NEW.[likelihood], 'severity', NEW.[severity], 'level', NEW.[level], 'treatment', NEW.[treatment], 'owner_nip', NEW.[owner_nip], 'identified_on', NEW.[identified_on], 'due_on', NEW.[due_on], 'reviewed_on', NEW.[reviewed_on], 'status', NEW.[status], 'closed_on', NEW.[closed_on], 'residual_likelihood', NEW.[residual_likelihood], 'residual_severity', NEW.[residual_severity], 'residual_level', NEW.[residual_level]));
        END;

-- trigger log_risks_update on risks
CREATE TRIGGER [log_risks_update] AFTER UPDATE ON [risks] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('risks', CAST(NEW.[id] AS TEXT), 'update', json_object('id', OLD.[id], 'ref_no', OLD.[ref_no], 'kind', OLD.[kind], 'unit', OLD.[unit], 'process', OLD.[process], 'description', OLD.[description], 'cause', OLD.[cause], 'impact', OLD.[impact], 'likelihood', OLD.[likelihood], 'severity', OLD.[severity], 'level', OLD.[level], 'treatment', OLD.[treatment], 'owner_nip', OLD.[owner_nip], 'identified_on', OLD.[identified_on], 'due_on', OLD.[due_on], 'reviewed_on', OLD.[reviewed_on], 'status', OLD.[status], 'closed_on', OLD.[closed_on], 'residual_likelihood', OLD.[residual_likelihood], 'residual_severity', OLD.[residual_severity], 'residual_level', OLD.[residual_level]), json_object('id', NEW.[id], 'ref_no', NEW.[ref_no], 'kind', NEW.[kind], 'unit', NEW.[unit], 'process', NEW.[process], 'description', NEW.[description], 'cause', NEW.[cause], 'impact', NEW.[impact], 'likelihood', NEW.[likelihood], 'severity', NEW.[severity], 'level', NEW.[level], 'treatment', NEW.[treatment], 'owner_nip', NEW.[owner_nip], 'identified_on', NEW.[identified_on], 'due_on', NEW.[due_on], 'reviewed_on', NEW.[reviewed_on], 'status', NEW.[status], 'closed_on', NEW.[closed_on], 'residual_likelihood', NEW.[residual_likelihood], 'residual_severity', NEW.[residual_severity], 'residual_level', NEW.[residual_level]));
        END;

-- trigger log_rules_delete on rules
CREATE TRIGGER [log_rules_delete] AFTER DELETE ON [rules] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('rules', CAST(OLD.[code] AS TEXT), 'delete', json_object('code', OLD.[code], 'title', OLD.[title], 'unit', OLD.[unit], 'clauses', OLD.[clauses]), NULL);
        END;

-- trigger log_rules_insert on rules
CREATE TRIGGER [log_rules_insert] AFTER INSERT ON [rules] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('rules', CAST(NEW.[code] AS TEXT), 'insert', NULL, json_object('code', NEW.[code], 'title', NEW.[title], 'unit', NEW.[unit], 'clauses', NEW.[clauses]));
        END;

-- trigger log_rules_update on rules
CREATE TRIGGER [log_rules_update] AFTER UPDATE ON [rules] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('rules', CAST(NEW.[code] AS TEXT), 'update', json_object('code', OLD.[code], 'title', OLD.[title], 'unit', OLD.[unit], 'clauses', OLD.[clauses]), json_object('code', NEW.[code], 'title', NEW.[title], 'unit', NEW.[unit], 'clauses', NEW.[clauses]));
        END;

-- trigger log_services_delete on services
CREATE TRIGGER [log_services_delete] AFTER DELETE ON [services] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('services', CAST(OLD.[code] AS TEXT), 'delete', json_object('code', OLD.[code], 'name', OLD.[name], 'unit', OLD.[unit], 'sla_days', OLD.[sla_days], 'fee', OLD.[fee], 'requirements', OLD.[requirements], 'active', OLD.[active]), NULL);
        END;

-- trigger log_services_insert on services
CREATE TRIGGER [log_services_insert] AFTER INSERT ON [services] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('services', CAST(NEW.[code] AS TEXT), 'insert', NULL, json_object('code', NEW.[code], 'name', NEW.[name], 'unit', NEW.[unit], 'sla_days', NEW.[sla_days], 'fee', NEW.[fee], 'requirements', NEW.[requirements], 'active', NEW.[active]));
        END;

-- trigger log_services_update on services
CREATE TRIGGER [log_services_update] AFTER UPDATE ON [services] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('services', CAST(NEW.[code] AS TEXT), 'update', json_object('code', OLD.[code], 'name', OLD.[name], 'unit', OLD.[unit], 'sla_days', OLD.[sla_days], 'fee', OLD.[fee], 'requirements', OLD.[requirements], 'active', OLD.[active]), json_object('code', NEW.[code], 'name', NEW.[name], 'unit', NEW.[unit], 'sla_days', NEW.[sla_days], 'fee', NEW.[fee], 'requirements', NEW.[requirements], 'active', NEW.[active]));
        END;

-- trigger log_settings_delete on settings
CREATE TRIGGER [log_settings_delete] AFTER DELETE ON [settings] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('settings', CAST(OLD.[key] AS TEXT), 'delete', json_object('key', OLD.[key], 'value', OLD.[value]), NULL);
        END;

-- trigger log_settings_insert on settings
CREATE TRIGGER [log_settings_insert] AFTER INSERT ON [settings] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('settings', CAST(NEW.[key] AS TEXT), 'insert', NULL, json_object('key', NEW.[key], 'value', NEW.[value]));
        END;

-- trigger log_settings_update on settings
CREATE TRIGGER [log_settings_update] AFTER UPDATE ON [settings] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('settings', CAST(NEW.[key] AS TEXT), 'update', json_object('key', OLD.[key], 'value', OLD.[value]), json_object('key', NEW.[key], 'value', NEW.[value]));
        END;

-- trigger log_staff_delete on staff
CREATE TRIGGER [log_staff_delete] AFTER DELETE ON [staff] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('staff', CAST(OLD.[nip] AS TEXT), 'delete', json_object('nip', OLD.[nip], 'name', OLD.[name], 'unit', OLD.[unit], 'position', OLD.[position], 'active', OLD.[active], 'employment', OLD.[employment]), NULL);
        END;

-- trigger log_staff_insert on staff
CREATE TRIGGER [log_staff_insert] AFTER INSERT ON [staff] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('staff', CAST(NEW.[nip] AS TEXT), 'insert', NULL, json_object('nip', NEW.[nip], 'name', NEW.[name], 'unit', NEW.[unit], 'position', NEW.[position], 'active', NEW.[active], 'employment', NEW.[employment]));
        END;

-- trigger log_staff_update on staff
CREATE TRIGGER [log_staff_update] AFTER UPDATE ON [staff] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('staff', CAST(NEW.[nip] AS TEXT), 'update', json_object('nip', OLD.[nip], 'name', OLD.[name], 'unit', OLD.[unit], 'position', OLD.[position], 'active', OLD.[active], 'employment', OLD.[employment]), json_object('nip', NEW.[nip], 'name', NEW.[name], 'unit', NEW.[unit], 'position', NEW.[position], 'active', NEW.[active], 'employment', NEW.[employment]));
        END;

-- trigger log_survey_actions_delete on survey_actions
CREATE TRIGGER [log_survey_actions_delete] AFTER DELETE ON [survey_actions] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('survey_actions', CAST(OLD.[id] AS TEXT), 'delete', json_object('id', OLD.[id], 'element', OLD.[element], 'action', OLD.[action], 'owner_nip', OLD.[owner_nip], 'unit', OLD.[unit], 'service_code', OLD.[service_code], 'raised_on', OLD.[raised_on], 'due_on', OLD.[due_on], 'closed_on', OLD.[closed_on], 'note', OLD.[note]), NULL);
        END;

-- trigger log_survey_actions_insert on survey_actions
CREATE TRIGGER [log_survey_actions_insert] AFTER INSERT ON [survey_actions] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('survey_actions', CAST(NEW.[id] AS TEXT), 'insert', NULL, json_object('id', NEW.[id], 'element', NEW.[element], 'action', NEW.[action], 'owner_nip', NEW.[owner_nip], 'unit', NEW.[unit], 'service_code', NEW.[service_code], 'raised_on', NEW.[raised_on], 'due_on', NEW.[due_on], 'closed_on', NEW.[closed_on], 'note', NEW.[note]));
        END;

-- trigger log_survey_actions_update on survey_actions
CREATE TRIGGER [log_survey_actions_update] AFTER UPDATE ON [survey_actions] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('survey_actions', CAST(NEW.[id] AS TEXT), 'update', json_object('id', OLD.[id], 'element', OLD.[element], 'action', OLD.[action], 'owner_nip', OLD.[owner_nip], 'unit', OLD.[unit], 'service_code', OLD.[service_code], 'raised_on', OLD.[raised_on], 'due_on', OLD.[due_on], 'closed_on', OLD.[closed_on], 'note', OLD.[note]), json_object('id', NEW.[id], 'element', NEW.[element], 'action', NEW.[action], 'owner_nip', NEW.[owner_nip], 'unit', NEW.[unit], 'service_code', NEW.[service_code], 'raised_on', NEW.[raised_on], 'due_on', NEW.[due_on], 'closed_on', NEW.[closed_on], 'note', NEW.[note]));
        END;

-- trigger log_surveys_delete on surveys
CREATE TRIGGER [log_surveys_delete] AFTER DELETE ON [surveys] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('surveys', CAST(OLD.[id] AS TEXT), 'delete', json_object('id', OLD.[id], 'response_key', OLD.[response_key], 'responded_on', OLD.[responded_on], 'service_code', OLD.[service_code], 'unit', OLD.[unit], 'u1', OLD.[u1], 'u2', OLD.[u2], 'u3', OLD.[u3], 'u4', OLD.[u4], 'u5', OLD.[u5], 'u6', OLD.[u6], 'u7', OLD.[u7], 'u8', OLD.[u8], 'u9', OLD.[u9], 'note', OLD.[note], 'sex', OLD.[sex], 'age_band', OLD.[age_band], 'education', OLD.[education], 'occupation', OLD.[occupation], 'age', OLD.[age]), NULL);
        END;

-- trigger log_surveys_insert on surveys
CREATE TRIGGER [log_surveys_insert] AFTER INSERT ON [surveys] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('surveys', CAST(NEW.[id] AS TEXT), 'insert', NULL, json_object('id', NEW.[id], 'response_key', NEW.[response_key], 'responded_on', NEW.[responded_on], 'service_code', NEW.[service_code], 'unit', NEW.[unit], 'u1', NEW.[u1], 'u2', NEW.[u2], 'u3', NEW.[u3], 'u4', NEW.[u4], 'u5', NEW.[u5], 'u6', NEW.[u6], 'u7', NEW.[u7], 'u8', NEW.[u8], 'u9', NEW.[u9], 'note', NEW.[note], 'sex', NEW.[sex], 'age_band', NEW.[age_band], 'education', NEW.[education], 'occupation', NEW.[occupation], 'age', NEW.[age]));
        END;

-- trigger log_surveys_update on surveys
CREATE TRIGGER [log_surveys_update] AFTER UPDATE ON [surveys] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('surveys', CAST(NEW.[id] AS TEXT), 'update', json_object('id', OLD.[id], 'response_key', OLD.[response_key], 'responded_on', OLD.[responded_on], 'service_code', OLD.[service_code], 'unit', OLD.[unit], 'u1', OLD.[u1], 'u2', OLD.[u2], 'u3', OLD.[u3], 'u4', OLD.[u4], 'u5', OLD.[u5], 'u6', OLD.[u6], 'u7', OLD.[u7], 'u8', OLD.[u8], 'u9', OLD.[u9], 'note', OLD.[note], 'sex', OLD.[sex], 'age_band', OLD.[age_band], 'education', OLD.[education], 'occupation', OLD.[occupation], 'age', OLD.[age]), json_object('id', NEW.[id], 'response_key', NEW.[response_key], 'responded_on', NEW.[responded_on], 'service_code', NEW.[service_code], 'unit', NEW.[unit], 'u1', NEW.[u1], 'u2', NEW.[u2], 'u3', NEW.[u3], 'u4', NEW.[u4], 'u5', NEW.[u5], 'u6', NEW.[u6], 'u7', NEW.[u7], 'u8', NEW.[u8], 'u9', NEW.[u9], 'note', NEW.[note], 'sex', NEW.[sex], 'age_band', NEW.[age_band], 'education', NEW.[education], 'occupation', NEW.[occupation], 'age', NEW.[age]));
        END;

-- trigger log_trainings_delete on trainings
CREATE TRIGGER [log_trainings_delete] AFTER DELETE ON [trainings] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('trainings', CAST(OLD.[id] AS TEXT), 'delete', json_object('id', OLD.[id], 'staff_nip', OLD.[staff_nip], 'competence_code', OLD.[competence_code], 'title', OLD.[title], 'held_on', OLD.[held_on], 'hours', OLD.[hours], 'organiser', OLD.[organiser], 'certificate_sha256', OLD.[certificate_sha256], 'effectiveness', OLD.[effectiveness], 'evaluated_on', OLD.[evaluated_on], 'note', OLD.[note]), NULL);
        END;

-- trigger log_trainings_insert on trainings
CREATE TRIGGER [log_trainings_insert] AFTER INSERT ON [trainings] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('trainings', CAST(NEW.[id] AS TEXT), 'insert', NULL, json_object('id', NEW.[id], 'staff_nip', NEW.[staff_nip], 'competence_code', NEW.[competence_code], 'title', NEW.[title], 'held_on', NEW.[held_on], 'hours', NEW.[hours], 'organiser', NEW.[organiser], 'certificate_sha256', NEW.[certificate_sha256], 'effectiveness', NEW.[effectiveness], 'evaluated_on', NEW.[evaluated_on], 'note', NEW.[note]));
        END;

-- trigger log_trainings_update on trainings
CREATE TRIGGER [log_trainings_update] AFTER UPDATE ON [trainings] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('trainings', CAST(NEW.[id] AS TEXT), 'update', json_object('id', OLD.[id], 'staff_nip', OLD.[staff_nip], 'competence_code', OLD.[competence_code], 'title', OLD.[title], 'held_on', OLD.[held_on], 'hours', OLD.[hours], 'organiser', OLD.[organiser], 'certificate_sha256', OLD.[certificate_sha256], 'effectiveness', OLD.[effectiveness], 'evaluated_on', OLD.[evaluated_on], 'note', OLD.[note]), json_object('id', NEW.[id], 'staff_nip', NEW.[staff_nip], 'competence_code', NEW.[competence_code], 'title', NEW.[title], 'held_on', NEW.[held_on], 'hours', NEW.[hours], 'organiser', NEW.[organiser], 'certificate_sha256', NEW.[certificate_sha256], 'effectiveness', NEW.[effectiveness], 'evaluated_on', NEW.[evaluated_on], 'note', NEW.[note]));
        END;

-- trigger log_units_delete on units
CREATE TRIGGER [log_units_delete] AFTER DELETE ON [units] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('units', CAST(OLD.[code] AS TEXT), 'delete', json_object('code', OLD.[code], 'name', OLD.[name]), NULL);
        END;

-- trigger log_units_insert on units
CREATE TRIGGER [log_units_insert] AFTER INSERT ON [units] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('units', CAST(NEW.[code] AS TEXT), 'insert', NULL, json_object('code', NEW.[code], 'name', NEW.[name]));
        END;

-- trigger log_units_update on units
CREATE TRIGGER [log_units_update] AFTER UPDATE ON [units] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('units', CAST(NEW.[code] AS TEXT), 'update', json_object('code', OLD.[code], 'name', OLD.[name]), json_object('code', NEW.[code], 'name', NEW.[name]));
        END;
