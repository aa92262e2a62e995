//! Statistics on histograms of a categorical scale, and the special
//! functions the tests need. Everything here is plain arithmetic on counts;
//! nothing knows about Arrow or scopes.

pub mod bootstrap;
pub mod describe;
pub mod rank;
pub mod special;

/// `Some(x)` when `x` is finite: NaN and infinities become null.
pub fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}
