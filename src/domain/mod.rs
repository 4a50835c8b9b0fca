//! Plain types and rules with no I/O: agents' directory fields, working
//! hours, permissions and secrets.

pub mod agent;
pub mod permission;
pub mod secret;
pub mod working;
