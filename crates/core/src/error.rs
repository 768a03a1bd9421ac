//! Typed errors of the core, and the serialisable `{code, message, field}` form they take
//! when they cross into the UI or the CLI. Messages are Vietnamese: a clerk reads them.

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
    /// Not allowed for this account, or nobody logged in, or the screen is locked.
    #[error("{0}")]
    Forbidden(String),
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
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

impl CoreError {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        CoreError::Validation { field: Some(field.into()), message: message.into() }
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        CoreError::Validation { field: None, message: message.into() }
    }
    pub fn code(&self) -> ErrorCode {
        match self {
            CoreError::Validation { .. } => ErrorCode::Validation,
            CoreError::NotFound(_) => ErrorCode::NotFound,
            CoreError::Conflict(_) | CoreError::DatabaseTooNew { .. } => ErrorCode::Conflict,
            CoreError::NotInitialised => ErrorCode::Conflict,
            CoreError::Forbidden(_) => ErrorCode::Forbidden,
            CoreError::Db(_) | CoreError::Io { .. } | CoreError::Internal(_) => ErrorCode::Internal,
        }
    }
    pub fn to_app_error(&self) -> AppError {
        AppError {
            code: self.code(),
            message: self.to_string(),
            field: match self {
                CoreError::Validation { field, .. } => field.clone(),
                _ => None,
            },
        }
    }
}

/// What crosses into the UI (and `--json` CLI output): a stable code, a message a clerk can act on,
/// and the field to focus when the error is about one.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
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
    }
}
