//! Who and when the command line acts as: the clock (`MOTCUA_NOW` pins it; a value that is not a
//! time is refused, never ignored) and, once accounts exist, the account given in `MOTCUA_USER` and
//! `MOTCUA_PASSWORD` (checked by the core like a login at the window).

use std::path::Path;
use std::sync::Arc;

use motcua_core::clock::Clock;
use motcua_core::{CoreError, Store};

/// MOTCUA_NOW pins "now" for scripted runs and tests (the core's rule, shared with the app).
pub fn clock() -> Result<Arc<dyn Clock>, CoreError> {
    motcua_core::clock::chosen(std::env::var("MOTCUA_NOW").ok().as_deref())
}

/// The counter's store in `dir`, logged in as the environment's account when one is given.
pub fn open(dir: &Path) -> Result<Store, CoreError> {
    let mut store = Store::open_dir(dir, clock()?)?;
    if let (Ok(user), Ok(password)) = (std::env::var("MOTCUA_USER"), std::env::var("MOTCUA_PASSWORD")) {
        motcua_core::accounts::login(&mut store, &user, &password)?;
    }
    Ok(store)
}

/// Runs one async sync call on a runtime of its own (the CLI does nothing else meanwhile).
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime").block_on(f)
}
