//! How one logged event looks on the wire: in `timeLine`'s `agEvent` and
//! `event` arrays, in the event stream and in webhook deliveries (the view
//! lives in `domain` so the delivery worker, below `api`, shares it).

pub use crate::domain::event_view::EventView;
