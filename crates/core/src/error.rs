//! Typed errors of the core, and the serialisable `{code, reason, message, field}` form they take
//! when they cross into the UI or the CLI. Messages are Vietnamese: a clerk reads them; the UI and the
//! CLI switch on `reason` (generated to TypeScript), never on a message's words.

use serde::Serialize;
use ts_rs::TS;

/// Stable error codes the UI switches on (never rename one: add new ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    Validation,
    NotFound,
    Conflict,
    Offline,
    Printer,
    Forbidden,
    Internal,
    Scanner,
}

/// Why something was refused, precisely enough for the UI to act on it (open the password field after
/// too many wrong PINs, offer the printer settings, show the portal as unreachable). Stable: add new
/// ones, never rename one. Every reason has a `code` (its coarse family) and is serialised as its
/// snake_case name (`pin_locked`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Reason {
    /// Bad input (the field is named when there is one).
    Invalid,
    NotFound,
    /// The step does not fit the dossier's state, or the data changed meanwhile.
    Conflict,
    /// Accounts exist and nobody is logged in.
    NotLoggedIn,
    /// The screen is locked: unlock first.
    Locked,
    /// The account's role does not have the right.
    NoRight,
    /// Wrong name or password (or PIN with tries left).
    BadCredentials,
    /// The account has no PIN: unlock with the password.
    NoPin,
    /// Too many wrong PINs: only the password unlocks now.
    PinLocked,
    /// Too many wrong passwords: the account is locked for a while.
    AccountLocked,
    /// The account was deactivated or removed.
    AccountInactive,
    /// The portal's identity or signature does not match what this counter pinned.
    UntrustedPortal,
    DatabaseTooNew,
    NotInitialised,
    /// Reading or writing the database or a file failed.
    Storage,
    Internal,
    /// No printer chosen and no system default.
    NoPrinter,
    /// The chosen printer does not exist.
    PrinterNotFound,
    /// The printer is stopped (paper, jam, offline, paused).
    PrinterStopped,
    /// The print system refused or lost the job.
    PrintFailed,
    /// No print system on this machine.
    PrintUnavailable,
    /// The portal cannot be reached (network down, timeout).
    PortalUnreachable,
    /// The portal answered with a refusal.
    PortalRefused,
    /// The portal does not accept this counter (not enrolled, revoked, wrong token).
    PortalUnauthorised,
    /// The counter has not been enrolled with a portal.
    NotEnrolled,
    /// No scanner answers (none connected, or switched off).
    NoScanner,
    /// Paper jammed in the scanner's feeder.
    ScannerJammed,
    /// The scanner's cover or feeder is open.
    ScannerCoverOpen,
    /// Another program (or another counter) is using the scanner.
    ScannerBusy,
    /// The feeder is empty.
    ScannerNoPaper,
    /// The scanner failed in another way (the message says how).
    ScanFailed,
    /// No scanning system on this machine (SANE not installed).
    ScanUnavailable,
    /// The first-run set-up is not finished (the portal enrolment is missing): no dossier yet.
    SetupIncomplete,
}

impl Reason {
    pub const ALL: [Reason; 33] = [
        Reason::Invalid,
        Reason::NotFound,
        Reason::Conflict,
        Reason::NotLoggedIn,
        Reason::Locked,
        Reason::NoRight,
        Reason::BadCredentials,
        Reason::NoPin,
        Reason::PinLocked,
        Reason::AccountLocked,
        Reason::AccountInactive,
        Reason::UntrustedPortal,
        Reason::DatabaseTooNew,
        Reason::NotInitialised,
        Reason::Storage,
        Reason::Internal,
        Reason::NoPrinter,
        Reason::PrinterNotFound,
        Reason::PrinterStopped,
        Reason::PrintFailed,
        Reason::PrintUnavailable,
        Reason::PortalUnreachable,
        Reason::PortalRefused,
        Reason::PortalUnauthorised,
        Reason::NotEnrolled,
        Reason::NoScanner,
        Reason::ScannerJammed,
        Reason::ScannerCoverOpen,
        Reason::ScannerBusy,
        Reason::ScannerNoPaper,
        Reason::ScanFailed,
        Reason::ScanUnavailable,
        Reason::SetupIncomplete,
    ];

    /// The coarse family (what the CLI's exit status is made of).
    pub fn code(self) -> ErrorCode {
        use Reason as R;
        match self {
            R::Invalid => ErrorCode::Validation,
            R::NotFound => ErrorCode::NotFound,
            R::Conflict | R::DatabaseTooNew | R::NotInitialised | R::SetupIncomplete | R::NotEnrolled | R::UntrustedPortal | R::PortalRefused => ErrorCode::Conflict,
            R::NotLoggedIn | R::Locked | R::NoRight | R::BadCredentials | R::NoPin | R::PinLocked | R::AccountLocked | R::AccountInactive
            | R::PortalUnauthorised => ErrorCode::Forbidden,
            R::Storage | R::Internal => ErrorCode::Internal,
            R::NoPrinter | R::PrinterNotFound | R::PrinterStopped | R::PrintFailed | R::PrintUnavailable => ErrorCode::Printer,
            R::PortalUnreachable => ErrorCode::Offline,
            R::NoScanner | R::ScannerJammed | R::ScannerCoverOpen | R::ScannerBusy | R::ScannerNoPaper | R::ScanFailed | R::ScanUnavailable => {
                ErrorCode::Scanner
            }
        }
    }

    /// An error with this reason and a message for the clerk.
    pub fn error(self, message: impl Into<String>) -> AppError {
        AppError { code: self.code(), reason: self, message: message.into(), field: None, errors: None }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// Bad input from a clerk or a file. `field` names the offending field (`applicant.id_number`).
    #[error("{message}")]
    Validation { field: Option<String>, message: String },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// Not allowed for this account, or nobody logged in, or the screen is locked, or a wrong secret:
    /// the reason says which.
    #[error("{1}")]
    Forbidden(Reason, String),
    /// The database file was written by a newer version of the app: refused, not touched.
    #[error("Cơ sở dữ liệu {path} có phiên bản lược đồ {found}, mới hơn phiên bản ứng dụng này hỗ trợ ({supported}). Hãy cập nhật ứng dụng; dữ liệu không bị thay đổi.")]
    DatabaseTooNew { path: String, found: i64, supported: i64 },
    #[error("Chưa khởi tạo đơn vị (agency) cho máy này: chạy `motcua init` trước.")]
    NotInitialised,
    #[error("Lỗi cơ sở dữ liệu: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("Lỗi đọc/ghi tệp {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("Lỗi nội bộ: {0}")]
    Internal(String),
    /// A device (the scanner) refused or failed: the reason says which, the message says it in words.
    #[error("{1}")]
    Device(Reason, String),
    /// Several fields of one form are wrong: every one is named, so the clerk fixes them at once.
    #[error("{}", .0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; "))]
    Fields(Vec<FieldError>),
}

/// One field's problem in a form with several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FieldError {
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub message: String,
}

/// Collects the problems of a form's independent parts, so one submit names them all.
#[derive(Default)]
pub struct Problems(Vec<CoreError>);

impl Problems {
    /// The value, or None with the error kept.
    pub fn take<T>(&mut self, r: Result<T>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }
    pub fn push(&mut self, e: CoreError) {
        self.0.push(e);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Ok when nothing was wrong; a storage or other non-input error first; one problem as itself;
    /// several as `Fields`, in the order found.
    pub fn finish(self) -> Result<()> {
        let mut all = self.0;
        if all.is_empty() {
            return Ok(());
        }
        if let Some(i) = all.iter().position(|e| !matches!(e, CoreError::Validation { .. } | CoreError::Fields(_))) {
            return Err(all.swap_remove(i));
        }
        let mut fields = Vec::new();
        for e in all {
            match e {
                CoreError::Validation { field, message } => fields.push(FieldError { field, message }),
                CoreError::Fields(f) => fields.extend(f),
                _ => unreachable!("checked above"),
            }
        }
        if fields.len() == 1 {
            let f = fields.remove(0);
            return Err(CoreError::Validation { field: f.field, message: f.message });
        }
        Err(CoreError::Fields(fields))
    }
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

impl CoreError {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        CoreError::Validation { field: Some(field.into()), message: message.into() }
    }
    /// The field a validation error names (none for other errors, or several fields).
    pub fn field(&self) -> Option<&str> {
        match self {
            CoreError::Validation { field, .. } => field.as_deref(),
            _ => None,
        }
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        CoreError::Validation { field: None, message: message.into() }
    }
    pub fn forbidden(reason: Reason, message: impl Into<String>) -> Self {
        CoreError::Forbidden(reason, message.into())
    }
    pub fn reason(&self) -> Reason {
        match self {
            CoreError::Validation { .. } | CoreError::Fields(_) => Reason::Invalid,
            CoreError::NotFound(_) => Reason::NotFound,
            CoreError::Conflict(_) => Reason::Conflict,
            CoreError::DatabaseTooNew { .. } => Reason::DatabaseTooNew,
            CoreError::NotInitialised => Reason::NotInitialised,
            CoreError::Forbidden(reason, _) | CoreError::Device(reason, _) => *reason,
            CoreError::Db(_) | CoreError::Io { .. } => Reason::Storage,
            CoreError::Internal(_) => Reason::Internal,
        }
    }
    pub fn code(&self) -> ErrorCode {
        self.reason().code()
    }
    pub fn to_app_error(&self) -> AppError {
        AppError {
            code: self.code(),
            reason: self.reason(),
            message: self.to_string(),
            field: match self {
                CoreError::Validation { field, .. } => field.clone(),
                CoreError::Fields(f) => f.first().and_then(|f| f.field.clone()),
                _ => None,
            },
            errors: match self {
                CoreError::Fields(f) => Some(f.clone()),
                _ => None,
            },
        }
    }
}

/// What crosses into the UI (and `--json` CLI output): a stable code and reason, a message a clerk can
/// act on, and the field to focus when the error is about one.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AppError {
    pub code: ErrorCode,
    pub reason: Reason,
    pub message: String,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every field's problem when a form has several (`field` and `message` then name the first and
    /// all of them joined).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

impl From<CoreError> for AppError {
    fn from(e: CoreError) -> Self {
        e.to_app_error()
    }
}

impl From<rusqlite_migration::Error> for CoreError {
    fn from(e: rusqlite_migration::Error) -> Self {
        CoreError::Internal(format!("migration: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn validation_error_serialises_with_stable_code_and_field() {
        let e = CoreError::validation("applicant.id_number", "Số CCCD phải gồm 12 chữ số");
        let json = serde_json::to_value(e.to_app_error()).unwrap();
        assert_eq!(json["code"], "validation");
        assert_eq!(json["field"], "applicant.id_number");
        assert_eq!(json["message"], "Số CCCD phải gồm 12 chữ số");
        let nf = serde_json::to_value(CoreError::NotFound("x".into()).to_app_error()).unwrap();
        assert_eq!(nf["code"], "not_found");
        assert!(nf.get("field").is_none());
        assert_eq!(nf["reason"], "not_found");
    }

    #[test]
    fn every_reason_serialises_as_its_stable_name_with_its_family() {
        let names: Vec<String> = Reason::ALL.iter().map(|r| serde_json::to_value(r.error("x")).unwrap()["reason"].as_str().unwrap().to_string()).collect();
        let expected = [
            "invalid", "not_found", "conflict", "not_logged_in", "locked", "no_right", "bad_credentials", "no_pin", "pin_locked",
            "account_locked", "account_inactive", "untrusted_portal", "database_too_new", "not_initialised", "storage", "internal",
            "no_printer", "printer_not_found", "printer_stopped", "print_failed", "print_unavailable", "portal_unreachable",
            "portal_refused", "portal_unauthorised", "not_enrolled", "no_scanner", "scanner_jammed", "scanner_cover_open",
            "scanner_busy", "scanner_no_paper", "scan_failed", "scan_unavailable", "setup_incomplete",
        ];
        assert_eq!(names, expected);
        for r in Reason::ALL {
            let json = serde_json::to_value(r.error("x")).unwrap();
            assert_eq!(json["code"], serde_json::to_value(r.code()).unwrap(), "{r:?}");
        }
        let e = CoreError::forbidden(Reason::PinLocked, "Đã nhập sai PIN 3 lần");
        let json = serde_json::to_value(e.to_app_error()).unwrap();
        assert_eq!((json["code"].as_str(), json["reason"].as_str()), (Some("forbidden"), Some("pin_locked")));
    }
}
