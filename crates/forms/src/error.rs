//! Errors of rendering and printing, with messages a clerk can act on.

use motcua_core::{AppError, CoreError, Reason};

#[derive(Debug, thiserror::Error)]
pub enum FormsError {
    #[error(transparent)]
    Core(#[from] CoreError),
    /// The template file is malformed or names something the engine does not know.
    #[error("Mẫu biểu không hợp lệ: {0}")]
    Template(String),
    /// The printer refused the job or is not usable; the PDF was still rendered.
    #[error("{message}")]
    Print { kind: crate::print::PrintErrorKind, message: String },
    #[error("Không ghi được tệp {path}: {source}")]
    Io { path: String, source: std::io::Error },
}

pub type Result<T, E = FormsError> = std::result::Result<T, E>;

impl From<FormsError> for AppError {
    fn from(e: FormsError) -> AppError {
        match e {
            FormsError::Core(c) => c.into(),
            FormsError::Print { kind, message } => kind.reason().error(message),
            io @ FormsError::Io { .. } => Reason::Storage.error(io.to_string()),
            other => Reason::Internal.error(other.to_string()),
        }
    }
}
