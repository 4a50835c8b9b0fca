//! Limits the server keeps, explicit and bounded: failed logins per source
//! address and email, request budgets per credential and account, and
//! requests in flight (in memory; several nodes share the first two
//! through their database). Dispatch and handlers consult them
//! through the application state.

pub mod in_flight;
pub mod login_guard;
pub mod rates;
pub mod share;

pub use in_flight::InFlight;
pub use login_guard::LoginGuard;
pub use rates::RateLimits;
