// The one list of the app's commands (included by build.rs and main.rs, so it is plain macro text).
// build.rs makes each an `allow-…` permission and writes capabilities/default.json from it; main.rs
// registers exactly these with `generate_handler!`; tests/capabilities.rs checks ui/src/api.ts
// invokes exactly these. A new command: its function in commands.rs, its name here, its call in api.ts.
macro_rules! with_app_commands {
    ($m:ident) => {
        $m!(
            app_status,
            dashboard,
            catalog_search,
            intake_preview,
            card_read,
            card_from_image,
            address_map,
            units_search,
            applicant_returning,
            intake_submit,
            intake_missing,
            intake_contact,
            dossier_search,
            dossier_get,
            form_print,
            form_preview,
            printers_list,
            prints_of,
            settings_get,
            settings_save,
            pdf_open,
            lifecycle_apply,
            lifecycle_step,
            work_counts,
            work_list,
            sync_status,
            sync_now,
            sync_parked,
            sync_retry_parked,
            sync_conflicts,
            sync_settle,
            sync_enrol,
            dossier_sync,
            auth_state,
            auth_setup_admin,
            auth_login,
            auth_lock,
            auth_unlock_pin,
            auth_unlock_password,
            auth_logout
        )
    };
}
