//! Plain types and rules with no I/O: agents' directory fields, working
//! hours, permissions, secrets, and the presence state machine with the
//! timeline folded from its events.

pub mod agent;
pub mod caller;
pub mod caller_marks;
pub mod calls;
pub mod contact;
pub mod counters;
pub mod event;
pub mod event_view;
pub mod ids;
pub mod leg;
pub mod name;
pub mod permission;
pub mod phone;
pub mod presence;
pub mod push_report;
pub mod queue;
pub mod queue_figures;
pub mod routing;
pub mod secret;
pub mod sticky;
pub mod timeline;
pub mod webhook;
pub mod working;
