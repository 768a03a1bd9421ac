//! The one-stop forms by name: which forms exist (Appendix I of Circular 03/2025/TT-VPCP, plus the
//! handover list) and what each is called. The lifecycle's step table names the form a step prints;
//! motcua-forms lays them out.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The forms of Appendix I of Circular 03/2025/TT-VPCP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FormKind {
    /// Mẫu số 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả
    Receipt,
    /// Mẫu số 02: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ
    Supplement,
    /// Mẫu số 03: Phiếu từ chối tiếp nhận, giải quyết hồ sơ
    Refusal,
    /// Mẫu số 04: Văn bản xin lỗi và đề nghị gia hạn / hẹn lại
    Apology,
    /// Mẫu số 05: Thông báo dừng giải quyết hồ sơ
    Stop,
    /// Mẫu số 06: Phiếu kiểm soát quá trình giải quyết hồ sơ
    Control,
    /// Mẫu số 07: Sổ theo dõi hồ sơ
    Logbook,
    /// Danh sách bàn giao hồ sơ: the list that goes with a handover batch, signed by both sides. Not a
    /// form of the appendix (an internal record, like the paper handover books counters keep).
    Handover,
}

impl FormKind {
    pub const ALL: [FormKind; 8] = [
        FormKind::Receipt,
        FormKind::Supplement,
        FormKind::Refusal,
        FormKind::Apology,
        FormKind::Stop,
        FormKind::Control,
        FormKind::Logbook,
        FormKind::Handover,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            FormKind::Receipt => "receipt",
            FormKind::Supplement => "supplement",
            FormKind::Refusal => "refusal",
            FormKind::Apology => "apology",
            FormKind::Stop => "stop",
            FormKind::Control => "control",
            FormKind::Logbook => "logbook",
            FormKind::Handover => "handover",
        }
    }
    pub fn parse(s: &str) -> Option<FormKind> {
        FormKind::ALL.into_iter().find(|k| k.as_str() == s.trim().to_ascii_lowercase())
    }
    /// Vietnamese name for menus and messages.
    pub fn label(self) -> &'static str {
        match self {
            FormKind::Receipt => "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
            FormKind::Supplement => "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
            FormKind::Refusal => "Phiếu từ chối tiếp nhận, giải quyết hồ sơ",
            FormKind::Apology => "Văn bản xin lỗi và hẹn lại ngày trả kết quả",
            FormKind::Stop => "Thông báo dừng giải quyết hồ sơ",
            FormKind::Control => "Phiếu kiểm soát quá trình giải quyết hồ sơ",
            FormKind::Logbook => "Sổ theo dõi hồ sơ",
            FormKind::Handover => "Danh sách bàn giao hồ sơ",
        }
    }
}
