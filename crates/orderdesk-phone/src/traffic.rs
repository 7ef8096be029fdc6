//! Background customers.
use crate::Simulator;

/// Settings of simulated traffic.
#[derive(Debug, Clone, Copy)]
pub struct Traffic {
    pub per_minute: u32,
}

pub async fn run_traffic(_sim: Simulator, _traffic: Traffic) {}
