//! Helpers several sections share, so no section imports another's: the
//! contact card, a day of the log, how an event looks on the wire, which
//! agents a reader may see, a break reason of the catalogue, and the views
//! of breaks and calls.

pub mod card;
pub mod day;
pub mod events;
pub mod reasons;
pub mod rights;
pub mod views;
