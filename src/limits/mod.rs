//! Limits the server keeps in memory, explicit and bounded: failed logins
//! per source address and email, request budgets per credential and
//! account, and requests in flight. Dispatch and handlers consult them
//! through the application state.

pub mod in_flight;
pub mod login_guard;
pub mod rates;

pub use in_flight::InFlight;
pub use login_guard::LoginGuard;
pub use rates::RateLimits;
