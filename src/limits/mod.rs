//! Limits the server keeps in memory, explicit and bounded: failed logins
//! per source address and email. Handlers consult them through the application state.

pub mod login_guard;

pub use login_guard::LoginGuard;
