//! The counter's sync client (docs/sync-protocol.md).
//!
//! - `client`: the portal's HTTP API, with its failures turned into words a clerk understands
//! - `round`: one round: top up the day's numbers, push the outbox in batches, pull the changes
//! - `blobs`: document files up (chunked, resumable, after the events) and down (fetched by hash)
//! - `task`: the background loop (its own thread and SQLite connection, so it never blocks intake or
//!   printing), with exponential backoff and jitter, woken at once by "sync now"
//!
//! Everything it needs to resume lives in the counter's database (outbox, cursor, enrolment), never
//! only in memory: a restart, a crash or a power cut loses nothing and a resend doubles nothing.

pub mod blobs;
pub mod client;
pub mod round;
pub mod task;

pub use client::PortalClient;
pub use round::{enrol, run_round, send_diagnostics, RoundReport};
pub use task::{Backoff, SyncHandle};

use motcua_core::CoreError;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("Máy này chưa đăng ký với Cổng dịch vụ công: quản trị viên đăng ký máy ở màn hình Đồng bộ (F9) hoặc bằng lệnh motcua enrol --portal URL --code MÃ")]
    NotEnrolled,
    #[error("Không kết nối được Cổng dịch vụ công ({url}): mạng hoặc máy chủ không hoạt động. Hồ sơ vẫn được lưu trên máy và sẽ tự gửi khi có mạng.")]
    Unreachable { url: String, detail: String },
    #[error("Cổng dịch vụ công không trả lời trong {seconds} giây. Sẽ tự thử lại.")]
    Timeout { seconds: u64 },
    #[error("Cổng dịch vụ công không chấp nhận máy này (mã thiết bị sai hoặc đã bị thu hồi): cần đăng ký lại. Chi tiết: {message}")]
    Unauthorised { message: String },
    #[error("Cổng dịch vụ công dùng phiên bản giao thức khác ({message}): cần cập nhật phần mềm.")]
    ProtocolVersion { message: String },
    #[error("Cổng dịch vụ công báo lỗi (HTTP {status}, {code}): {message}")]
    Portal { status: u16, code: String, message: String },
    #[error("Câu trả lời của Cổng dịch vụ công không đọc được: {0}")]
    BadAnswer(String),
    #[error("{0}")]
    Core(#[from] CoreError),
    /// The server at an address did not prove it is the enrolled portal: nothing but the challenge was sent.
    #[error("{0}")]
    Identity(#[from] motcua_core::sync::identity::IdentityError),
}

impl SyncError {
    /// Worth retrying later by itself (the network, a portal outage), as opposed to needing a person.
    pub fn is_transient(&self) -> bool {
        match self {
            SyncError::Unreachable { .. } | SyncError::Timeout { .. } | SyncError::BadAnswer(_) => true,
            SyncError::Portal { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }
}

impl SyncError {
    /// The stable reason the UI and the CLI switch on.
    pub fn reason(&self) -> motcua_core::Reason {
        use motcua_core::Reason;
        match self {
            SyncError::Core(e) => e.reason(),
            SyncError::Unauthorised { .. } => Reason::PortalUnauthorised,
            SyncError::NotEnrolled => Reason::NotEnrolled,
            SyncError::Identity(_) => Reason::UntrustedPortal,
            SyncError::ProtocolVersion { .. } => Reason::PortalRefused,
            SyncError::Portal { status, .. } if *status < 500 && *status != 429 => Reason::PortalRefused,
            _ => Reason::PortalUnreachable,
        }
    }
    pub fn code(&self) -> motcua_core::ErrorCode {
        self.reason().code()
    }
}

impl From<SyncError> for motcua_core::AppError {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::Core(c) => c.to_app_error(),
            other => other.reason().error(other.to_string()),
        }
    }
}
