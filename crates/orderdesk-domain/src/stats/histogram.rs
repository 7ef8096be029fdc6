//! Stage times kept as histograms: a median or p90 over any range is then
//! a sum of a few counters per bucket, not a sort of every order's time.
//! Buckets are coarse where times are long (an hour matters in the first
//! day, a day in the first month); a quantile is interpolated within its
//! bucket, so it is exact to within that bucket's width.

/// The upper bounds (seconds, exclusive) of the buckets; bucket `i` holds
/// times in `[STAGE_BOUNDS[i-1], STAGE_BOUNDS[i])`, and one more bucket
/// (`STAGE_BOUNDS.len()`) holds everything from 30 days up.
pub const STAGE_BOUNDS: [i64; 16] = [
    60,
    5 * 60,
    15 * 60,
    30 * 60,
    3_600,
    2 * 3_600,
    4 * 3_600,
    8 * 3_600,
    12 * 3_600,
    86_400,
    2 * 86_400,
    3 * 86_400,
    5 * 86_400,
    7 * 86_400,
    14 * 86_400,
    30 * 86_400,
];

/// The bucket a stage time of `seconds` falls in.
pub fn stage_bucket(seconds: i64) -> usize {
    STAGE_BOUNDS
        .iter()
        .position(|&bound| seconds < bound)
        .unwrap_or(STAGE_BOUNDS.len())
}

/// The lower and upper bound of bucket `i` (the last has no upper bound:
/// its lower one stands for it).
fn bounds(i: usize) -> (i64, i64) {
    let lower = if i == 0 { 0 } else { STAGE_BOUNDS[i - 1] };
    let upper = STAGE_BOUNDS.get(i).copied().unwrap_or(lower);
    (lower, upper)
}

/// The `q`-quantile (0 < q ≤ 1) in seconds of a histogram (`counts[i]`
/// times in bucket `i`), interpolated linearly inside its bucket; `None`
/// when the histogram is empty. Uses the nearest-rank definition: the
/// median of 4 times is the 2nd.
pub fn quantile_seconds(counts: &[i64], q: f64) -> Option<i64> {
    let total: i64 = counts.iter().map(|c| (*c).max(0)).sum();
    if total == 0 {
        return None;
    }
    // Nearest rank: ceil(q * n), at least 1.
    let rank = ((q * total as f64).ceil() as i64).clamp(1, total);
    let mut before = 0;
    for (i, &count) in counts.iter().enumerate() {
        let count = count.max(0);
        if before + count >= rank {
            let (lower, upper) = bounds(i);
            let within = (rank - before) as f64 / count as f64;
            return Some(lower + ((upper - lower) as f64 * within).round() as i64);
        }
        before += count;
    }
    None
}
