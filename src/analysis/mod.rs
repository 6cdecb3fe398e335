//! Decisions over results: the regression gate ([`compare`]), the backend
//! ranking ([`recommend`]), the per-backend cost model and crossovers
//! ([`cost_model`]), the honest winner marks ([`winners`]) and the "At a
//! glance" answer per use ([`glance`]), all on the
//! statistics of [`crate::stats`].

pub mod compare;
pub mod cost_model;
pub mod glance;
pub mod layered;
pub mod paired;
pub mod recommend;
pub mod winners;

#[cfg(test)]
mod compare_tests;
