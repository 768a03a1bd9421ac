//! Một Cửa forms: the one-stop forms of Decree 118/2025/NĐ-CP and Circular 03/2025/TT-VPCP (Appendix I,
//! Mẫu số 01–07) rendered to PDF, and printing them.
//!
//! - `template`: the forms as versioned data (assets/forms/*.json): a new circular is a data change
//! - `data`: the plain structs each form is filled from, built from the store
//! - `fonts`: the embedded Liberation Serif faces, parsed once per process
//! - `layout`: the small flow engine that turns a template and its data into pages
//! - `symbols`: QR code and Code 128 barcode as vector shapes
//! - `print`: handing a PDF to a printer (CUPS on Linux/macOS, the spooler on Windows)
//! - `service`: render + log + print as one call, for the CLI and the app

pub mod data;
pub mod error;
pub mod fonts;
pub mod layout;
pub mod print;
pub mod service;
pub mod symbols;
pub mod template;
pub mod test_page;

pub use error::{FormsError, Result};
pub use template::{FormKind, TemplateSet};
