//! Limits the server keeps, explicit and bounded: failed logins per source
//! address and email, request budgets per credential, account and (for
//! logins) source address, password checks at once, event streams open, and requests in flight (in memory; several nodes share the first two
//! through their database). Dispatch and handlers consult them
//! through the application state.

pub mod client_address;
pub mod in_flight;
pub mod login_guard;
pub mod password_checks;
pub mod rates;
pub mod share;
pub mod streams;

pub use client_address::TrustedProxies;
pub use in_flight::InFlight;
pub use login_guard::LoginGuard;
pub use password_checks::PasswordChecks;
pub use rates::RateLimits;
pub use streams::OpenStreams;
