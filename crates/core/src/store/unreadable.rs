//! Lists (the logbook, a hand-over list) never fail because of one dossier whose events no longer
//! read (a damaged payload): that dossier is listed from its searchable row, marked in its note, and
//! the rest are shown as usual (issue 12: no single record may block a list).

use super::Store;
use crate::dossier::Dossier;
use crate::error::{CoreError, Result};

/// The note a list shows for a dossier whose events no longer read.
pub const UNREADABLE_NOTE: &str = "KHÔNG ĐỌC ĐƯỢC DỮ LIỆU HỒ SƠ (dữ liệu trên máy bị hỏng): chỉ hiện thông tin tra cứu; báo quản trị";

impl Store {
    /// A dossier for a list (logbook, handover list): one whose events cannot be read any more (a
    /// damaged payload) is listed from its searchable row, marked as unreadable in its note, so one
    /// bad record never blocks a list.
    pub(super) fn listed_dossier(&self, id: i64) -> Result<Dossier> {
        match self.dossier_by_id(id) {
            Ok(d) => Ok(d),
            Err(CoreError::Db(e)) => Err(CoreError::Db(e)),
            Err(e) => {
                tracing::warn!("dossier row {id} listed from its index only: its events do not read ({:?})", e.reason());
                self.unreadable_placeholder(id)
            }
        }
    }

    fn unreadable_placeholder(&self, id: i64) -> Result<Dossier> {
        let ctx = self.context()?.clone();
        let row = self.conn.query_row(
            "SELECT uid, code, provisional_code, procedure_code, applicant_name, id_number, phone, received_at, due_at, status, request_id
             FROM dossiers WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, String>(8)?,
                    r.get::<_, String>(9)?,
                    r.get::<_, Option<String>>(10)?,
                ))
            },
        )?;
        let (uid, code, provisional_code, procedure_code, name, id_number, phone, received_at, due_at, status, request_id) = row;
        let procedure = self.procedure(&procedure_code);
        Ok(Dossier {
            uid: uuid::Uuid::from_slice(&uid).map(|u| u.to_string()).unwrap_or_default(),
            provisional: provisional_code.as_deref() == Some(code.as_str()),
            code,
            provisional_code,
            agency_code: ctx.agency_code,
            procedure_name: procedure.map(|p| p.name.clone()).unwrap_or_else(|| procedure_code.clone()),
            time_limit: procedure.map(|p| p.time_limit.clone()).unwrap_or(crate::catalog::TimeLimit::CalendarDays { days: 1 }),
            procedure_code,
            applicant: crate::dossier::Applicant {
                full_name: name,
                id_type: crate::dossier::IdType::Other,
                id_number,
                date_of_birth: String::new(),
                phone,
                address: String::new(),
                email: None,
                identity: Default::default(),
            },
            documents: Vec::new(),
            fee: 0,
            fee_kind: None,
            case_id: None,
            case_name: None,
            representative: None,
            subject: None,
            channel: Default::default(),
            delivery: Default::default(),
            received_at,
            due_at,
            clerk_id: String::new(),
            clerk_name: String::new(),
            counter_id: String::new(),
            status: crate::dossier::DossierStatus::parse(&status).unwrap_or(crate::dossier::DossierStatus::Received),
            request_id,
            note: Some(UNREADABLE_NOTE.to_string()),
            progress: Default::default(),
        })
    }
}
